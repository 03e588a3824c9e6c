"""plotly.js for timeline.html: plotly's official "basic" partial bundle, vendored in the package.

The page draws only scatter and bar traces (plus layout shapes, annotations, the legend, the
range slider and the mode bar, which every bundle has), so it ships ``plotly.js-basic-dist-min``
(scatter, bar, pie; about 1.2 MB) instead of the 4.8 MB full plotly.js that the plotly package
bundles: the browser evaluates it about four times faster. The same script is inlined in the page
(``--plotlyjs inline``) and written beside it as ``plotly.min.js`` (``--plotlyjs sibling``): the
vendored file behind one line, ``COMPILE_HINT``.

The plotly Python package stays the source of truth for the version: the tests check that
``BUNDLE_VERSION`` (and the version in the bundle's header comment) equals
``plotly.offline.get_plotlyjs_version()``, and validate every figure the page makes with
``plotly.graph_objects.Figure``, whose schema is that plotly.js version's. The build itself never
imports plotly.

To refresh the bundle after upgrading plotly (``V`` = ``python -c "import plotly.offline as o;
print(o.get_plotlyjs_version())"``)::

    npm pack plotly.js-basic-dist-min@V && tar xzf plotly.js-basic-dist-min-V.tgz
    cp package/plotly-basic.min.js src/pledge_timeline/vendor/plotly-basic.min.js
    cp package/LICENSE src/pledge_timeline/vendor/plotly.js-LICENSE.txt
    python -m pledge_timeline.render.plotlyjs src/pledge_timeline/vendor/plotly-basic.min.js

The last command makes the file safe to inline (see ``sanitize_inline_js``; 4.1.1 needed no
change, so the vendored file is byte for byte npm's) and prints the ``BUNDLE_VERSION`` and
``BUNDLE_SHA256`` to paste below. Then run ``pytest tests/test_html.py tests/test_browser.py``
(``Plotly.validate`` in the browser catches a feature missing from the bundle) and
``pytest tests/test_html.py --update-golden`` for the page's CSP hash.
"""

from __future__ import annotations

import base64
import hashlib
import re
import sys
from functools import cache
from importlib.resources import files

from pledge_timeline.model import Timeline

PLOTLYJS_FILE = "plotly.min.js"
"""The file name of the sibling mode's plotly.js, beside the page."""
BUNDLE = "plotly-basic.min.js"
"""The vendored bundle, in ``pledge_timeline/vendor/``."""
BUNDLE_VERSION = "4.1.1"
BUNDLE_SHA256 = "99784e3abfb07b142a15e521a439e6d9addceadb3f79553fd24c72774f0649ba"
"""Of the vendored file, after ``sanitize_inline_js`` (a no-op for 4.1.1)."""


COMPILE_HINT = "//# allFunctionsCalledOnLoad\n"
"""V8's explicit compile hint (Chrome 136 and later; other engines read a comment).

Chromium otherwise compiles plotly.js's functions lazily: each is pre-parsed with the script,
then parsed again and compiled when first called. Almost every function runs while plotly.js
sets itself up and draws the first chart, so compiling them all once, up front, is less work
than compiling them one at a time on the main thread (the figures: ``benchmarks/README.md``).
"""


def render_plotlyjs(timeline: Timeline, path: str) -> bytes:
    """``plotly.min.js`` for the sibling mode; the same for every timeline."""
    del timeline, path
    return page_plotlyjs_bytes()


# --- the vendored bundle --------------------------------------------------------------


class CorruptBundleError(RuntimeError):
    """The vendored plotly.js is not the file ``BUNDLE_SHA256`` records."""


@cache
def plotlyjs_bytes() -> bytes:
    """The vendored plotly.js, checked against ``BUNDLE_SHA256``."""
    data = files("pledge_timeline").joinpath("vendor", BUNDLE).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != BUNDLE_SHA256:
        raise CorruptBundleError(
            f"pledge_timeline/vendor/{BUNDLE} has sha256 {digest}, expected {BUNDLE_SHA256}: "
            "reinstall pledge-timeline (or see the refresh steps in pledge_timeline.render.plotlyjs)"
        )
    return data


@cache
def plotlyjs_source() -> str:
    """The page's plotly.js: ``COMPILE_HINT``, then the vendored file; safe to inline as it is."""
    return COMPILE_HINT + plotlyjs_bytes().decode("utf-8")


@cache
def page_plotlyjs_bytes() -> bytes:
    """``plotlyjs_source`` as the UTF-8 bytes of the sibling ``plotly.min.js``."""
    return plotlyjs_source().encode("utf-8")


@cache
def plotlyjs_csp_hash() -> str:
    """The CSP source (``'sha256-...'``) that allows the inlined plotly.js."""
    digest = hashlib.sha256(page_plotlyjs_bytes()).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


_HEADER_VERSION = re.compile(r"\A/\*\*\s*\*\s*plotly\.js (?:\([^)]*\) )?v(\d+\.\d+\.\d+\S*)\s")


def header_version(source: str) -> str | None:
    """The version in the bundle's header comment (``* plotly.js (basic - minified) v4.1.1``)."""
    match = _HEADER_VERSION.match(source)
    return match.group(1) if match else None


# --- safe to inline -------------------------------------------------------------------

# Code points the HTML spec forbids in a document (controls other than whitespace, and
# noncharacters); the full plotly.js has U+0001 and U+001A inside string literals.
_FORBIDDEN_IN_HTML = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")
_SCRIPT_END = re.compile(r"</(script)", re.IGNORECASE)


def sanitize_inline_js(source: str) -> str:
    """Escape what may not appear in an HTML ``<script>``; the script's meaning is unchanged.

    The forbidden characters only occur inside string, template or regex literals, where
    ``\\xNN`` / ``\\uNNNN`` denote the same character; ``<\\/script`` likewise. Run once, when
    the bundle is vendored (see the module docstring), not on every build.
    """
    source = _FORBIDDEN_IN_HTML.sub(_js_escape, source)
    return _SCRIPT_END.sub(r"<\\/\1", source)


def _js_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _vendor(path: str) -> None:
    """Sanitise a freshly unpacked bundle in place; print the constants to record."""
    with open(path, encoding="utf-8", newline="") as file:
        source = file.read()
    clean = sanitize_inline_js(source)
    if clean != source:
        with open(path, "w", encoding="utf-8", newline="") as file:
            file.write(clean)
    print(f"changed: {clean != source}")
    print(f'BUNDLE_VERSION = "{header_version(clean)}"')
    print(f'BUNDLE_SHA256 = "{hashlib.sha256(clean.encode("utf-8")).hexdigest()}"')


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool, see the docstring
    _vendor(sys.argv[1])
