"""plotly.js from the installed plotly package, made safe to inline in an HTML page."""

from __future__ import annotations

import re
from functools import cache

from pledge_timeline.model import Timeline

PLOTLYJS_FILE = "plotly.min.js"


def render_plotlyjs(timeline: Timeline, path: str) -> bytes:
    """``plotly.min.js`` for the sibling mode; the same for every timeline."""
    del timeline, path
    return plotlyjs_bytes()


# --- plotly.js ------------------------------------------------------------------------

# Code points the HTML spec forbids in a document (controls other than whitespace, and
# noncharacters); plotly.js has U+0001 and U+001A inside string literals.
_FORBIDDEN_IN_HTML = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")
_SCRIPT_END = re.compile(r"</(script)", re.IGNORECASE)


@cache
def plotlyjs_source() -> str:
    """The installed plotly.js, made safe to inline in a ``<script>`` element."""
    from plotly.offline import get_plotlyjs

    return sanitize_inline_js(get_plotlyjs())


def plotlyjs_bytes() -> bytes:
    return plotlyjs_source().encode("utf-8")


def sanitize_inline_js(source: str) -> str:
    """Escape what may not appear in an HTML ``<script>``; the script's meaning is unchanged.

    The forbidden characters only occur inside string, template or regex literals, where
    ``\\xNN`` / ``\\uNNNN`` denote the same character; ``<\\/script`` likewise.
    """
    source = _FORBIDDEN_IN_HTML.sub(_js_escape, source)
    return _SCRIPT_END.sub(r"<\\/\1", source)


def _js_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
