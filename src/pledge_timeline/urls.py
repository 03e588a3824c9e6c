"""The one judge of the URLs the tool publishes: what ``check`` accepts is what the renderers
link to, and both read a URL with the same parser, so a URL that passed can never fail later.

The parser is the standard library's ``urllib.parse.urlsplit`` (what the renderers always used),
held to RFC 3986's authority grammar, which ``urlsplit`` does not enforce: it lets through
``https://[::1]x/``, a port of ``99999`` and an empty host, and raises ``ValueError`` for a
bracketed host that is not an IPv6 address only on some Python versions. ``ipaddress`` judges the
IPv6 literals. A second URL library (``rfc3986``) would be a second reading that could disagree
with the one the renderers use; this keeps one.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

WEB_SCHEMES = ("http", "https")
SPACE = r"\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
"""ECMA-262's ``\\s`` (any space separator, line separators, BOM), for a character class in a
pattern that Python (with ``re.ASCII``) and the schema's ECMA-262 read alike."""
URL_PATTERN = rf"^https?://[^{SPACE}/?#\"<>\\^`{{|}}]+[^{SPACE}\"<>\\^`{{|}}]*$"
"""What editors check (the schema's ``pattern``): http(s), and no character that XML or
iCalendar would need escaped in a URL."""
# re.ASCII: no long s (U+017F) matching "s" under IGNORECASE.
_URL_RE = re.compile(URL_PATTERN, flags=re.IGNORECASE | re.ASCII)
_HOST_PORT = re.compile(r"(?:\[(?P<literal>[^\]]*)\]|(?P<name>[^\[\]:]*))(?::(?P<port>[0-9]*))?", re.ASCII)
_REG_NAME = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=\u0080-\U0010ffff]|%[0-9A-Fa-f]{2})*")
"""RFC 3986's reg-name, and the characters beyond ASCII that an IRI's (RFC 3987) may have."""
_DNS_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*", re.ASCII)
"""RFC 4151's DNSname, which a ``tag:`` URI's authority must be."""
MAX_PORT = 65535


class UrlProblem(ValueError):
    """Why a text is not a URL the tool publishes; the message says what to fix."""


@dataclass(frozen=True, slots=True)
class WebUrl:
    scheme: str
    host: str
    """Lowercased, without brackets: ``example.org``, ``::1``."""
    port: int | None
    query: str
    fragment: str


def parse_web_url(value: str) -> WebUrl:
    """The parts of an http(s) URL with a host; ``UrlProblem`` if it is anything else."""
    try:
        parts = urlsplit(value)
    except ValueError:  # only a host in brackets ("[::1]") makes it fail; the wording varies
        raise UrlProblem("has a host in [brackets] that is not an IPv6 address in a closed pair") from None
    if parts.scheme.lower() not in WEB_SCHEMES:
        raise UrlProblem("is not an http(s) URL; only http:// and https:// links are published")
    host_port = parts.netloc.rpartition("@")[2]
    match = _HOST_PORT.fullmatch(host_port)
    if match is None:
        raise UrlProblem(f"has a host and port '{host_port}' that is not host[:port]")
    literal, name, port_text = match["literal"], match["name"], match["port"]
    if literal is not None:
        host = _ipv6(literal)
    elif not name:
        raise UrlProblem("has no host; write one, e.g. https://example.org/")
    elif _REG_NAME.fullmatch(name) is None:
        raise UrlProblem(f"has a host '{name}' with a character a host name cannot have")
    else:
        host = name.lower()
    port = None
    if port_text:
        port = int(port_text)
        if port > MAX_PORT:
            raise UrlProblem(f"has the port {port_text}, above {MAX_PORT}")
    return WebUrl(parts.scheme.lower(), host, port, parts.query, parts.fragment)


def _ipv6(literal: str) -> str:
    try:
        address = ipaddress.IPv6Address(literal)
    except ValueError:
        raise UrlProblem(f"has '[{literal}]' as its host, which is not an IPv6 address") from None
    if address.scope_id is not None:
        raise UrlProblem(f"has the scoped address '[{literal}]', which works on one machine only")
    return str(address)


@lru_cache(maxsize=1 << 16)
def is_web_url(url: str) -> bool:
    """Whether ``parse_web_url`` takes it: only such addresses become links, anything else
    (``javascript:``...) stays text. ``check`` asks the same, and the schema's pattern on top.

    Every output asks this of every citation. The cache has room for the sources of the largest
    file the loader accepts, so no address is parsed twice in a build."""
    try:
        parse_web_url(url)
    except UrlProblem:
        return False
    return True


def check_url(value: str) -> WebUrl:
    """``parse_web_url``, for a URL that also matches the schema's ``URL_PATTERN``."""
    if _URL_RE.fullmatch(value) is None:
        raise UrlProblem("is not an http(s) URL; only http:// and https:// links are published")
    return parse_web_url(value)


def check_base_url(value: str) -> WebUrl:
    """A URL that can be the published folder: its host names every calendar UID and ``tag:`` URI
    (RFC 4151 allows a DNS name there, so no IPv6 literal and no non-ASCII name), and the files'
    names are appended to it, so it has no query or fragment."""
    url = check_url(value)
    if _DNS_NAME.fullmatch(url.host) is None:
        raise UrlProblem(
            f"has the host '{url.host}', which cannot name calendar UIDs and feed ids (tag: URIs): "
            "use a domain name in ASCII (xn-- form for an international one) or an IPv4 address"
        )
    if url.query or url.fragment or value.endswith(("?", "#")):
        raise UrlProblem("is the address of a folder, so it has no ?query or #fragment")
    return url


def host_of(base_url: str) -> str:
    """The host of a ``base_url`` that ``check_base_url`` passed: the naming authority for UIDs
    and tag: URIs."""
    return check_base_url(base_url).host
