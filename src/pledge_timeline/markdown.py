"""Markdown in an event's ``summary`` and ``note``: CommonMark through markdown-it-py, rendered to
HTML for the page and the feeds and to readable plain text for the calendar and JSON Feed's
``content_text``.

What it allows: paragraphs, emphasis, links, lists, inline code, code blocks, block quotes, and
``https://`` (and ``mailto:``) addresses written out in the text, which become links (linkify).
What it never does:
- raw HTML is text (``html=False``): ``<b>`` is shown as ``<b>``;
- images are not Markdown here (``![alt](src)`` would make the page fetch an address), and
  headings are not either (an event's text is not a section of the page): both stay text;
- a link goes only to ``http(s)`` (with a host) or ``mailto``: ``check`` refuses any other
  (``javascript:``, ``data:``, ``vbscript:``, a relative link), and the renderers keep such a
  link as text should one ever reach them.

Plain text without Markdown's special characters is the common case, and renders to one
paragraph of itself: ``is_plain`` spots it without parsing (a property test holds the two paths
to the same output), and markdown-it is imported only when some text needs it: a file of plain
text is checked and built without it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from pledge_timeline.urls import is_web_url

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

ALLOWED_SCHEMES = ("http", "https", "mailto")

_SPECIAL = re.compile(r"[\\`*_\[\]<>!&~#|=@\t\r\n\x00]")
"""Characters that may start Markdown syntax inline, or a line break; ``@`` may be an address;
NUL, which CommonMark replaces with U+FFFD."""
_LIST_START = re.compile(r"\d{1,9}[.)]|[-+]")


def is_allowed_link(href: str) -> bool:
    """An ``http(s)`` address that ``urls`` takes (as for every URL field), or a ``mailto:`` address."""
    if is_web_url(href):
        return True
    try:
        parts = urlsplit(href)
    except ValueError:  # a host in brackets that is no IPv6 address
        return False
    return parts.scheme.lower() == "mailto" and bool(parts.path)


def _parser(validate_link: bool) -> MarkdownIt:
    from linkify_it import LinkifyIt
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": True}).enable("linkify")
    md.disable(["image", "heading", "lheading"])
    # Only addresses written with their scheme become links: no ftp:, no "//host", no bare
    # "example.com" (a sentence ending "in Beijing.Then" is no address).
    md.linkify = LinkifyIt(
        schemas={"ftp:": None, "//": None}, options={"fuzzy_link": False, "fuzzy_ip": False}
    )
    md.validateLink = is_allowed_link if validate_link else _any_link  # type: ignore[method-assign,assignment]
    return md


def _any_link(_url: str) -> bool:
    return True


@cache
def _renderer() -> MarkdownIt:
    """Keeps a link it does not allow as text (see ``is_allowed_link``)."""
    return _parser(validate_link=True)


@cache
def _checker() -> MarkdownIt:
    """Makes every link a link, so that ``links`` can say which are not allowed."""
    return _parser(validate_link=False)


def is_plain(text: str) -> bool:
    """Text that Markdown leaves as it is: one paragraph with no syntax, address or break in it."""
    return (
        _SPECIAL.search(text) is None
        and text == text.strip()
        and bool(text)
        and _LIST_START.match(text) is None
        and "://" not in text
        and "mailto:" not in text.lower()
    )


@lru_cache(maxsize=1 << 12)
def to_html(text: str) -> str:
    """The text as HTML block content (``<p>...</p>``, lists...), every character escaped; no
    line break after the last block."""
    if is_plain(text):
        escaped = text.replace('"', "&quot;")  # as markdown-it escapes: plain text has no & < >
        return f"<p>{escaped}</p>"
    html: str = _renderer().render(text)
    return html.rstrip("\n")


@lru_cache(maxsize=1 << 12)
def to_plain(text: str) -> str:
    """The text as readable plain text: paragraphs apart by a blank line, list items on their
    own lines (``- `` or ``1. ``), and each link as ``its text <its address>``."""
    if is_plain(text):
        return text
    return "\n\n".join(_PlainText(_renderer().parse(text)).blocks())


@dataclass(frozen=True, slots=True)
class MarkdownLink:
    href: str
    line: int
    """0-based: the line of the Markdown text it starts on."""


def links(text: str) -> list[MarkdownLink]:
    """Every link the text makes, allowed or not, with the line it is on."""
    found = []
    for token in _checker().parse(text):
        if token.type != "inline" or token.map is None or not token.children:
            continue
        line = token.map[0]
        for child in token.children:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "link_open":
                found.append(MarkdownLink(str(child.attrGet("href") or ""), line))
    return found


class _PlainText:
    """Walks markdown-it's tokens, writing each block as plain text."""

    def __init__(self, tokens: Sequence[Token]) -> None:
        self.tokens = tokens

    def blocks(self) -> Iterator[str]:
        lines: list[str] = []
        lists: list[list[int]] = []  # per open list: [next number], or [] for a bullet list
        quote = 0
        marker: str | None = None
        for token in self.tokens:
            kind = token.type
            if kind in ("bullet_list_open", "ordered_list_open"):
                if not lists and lines:
                    yield "\n".join(lines)
                    lines = []
                start = token.attrGet("start")
                lists.append([] if kind == "bullet_list_open" else [int(start) if start else 1])
            elif kind in ("bullet_list_close", "ordered_list_close"):
                lists.pop()
            elif kind == "list_item_open":
                numbers = lists[-1]
                marker = "- " if not numbers else f"{numbers[0]}. "
                if numbers:
                    numbers[0] += 1
            elif kind == "blockquote_open":
                quote += 1
            elif kind == "blockquote_close":
                quote -= 1
            elif kind in ("inline", "code_block", "fence", "hr"):
                if not lists and lines:
                    yield "\n".join(lines)
                    lines = []
                text = _block_text(token)
                indent = "  " * max(len(lists) - 1, 0)
                for number, line in enumerate(text.split("\n")):
                    lead = marker if number == 0 and marker is not None else "  " if lists else ""
                    lines.append(("> " * quote + indent + lead + line).rstrip())
                marker = None
        if lines:
            yield "\n".join(lines)


def _block_text(token: Token) -> str:
    if token.type == "hr":
        return "---"
    if token.type != "inline":
        return token.content.rstrip("\n")
    return _inline_text(token.children or [])


def _inline_text(children: Sequence[Token]) -> str:
    parts: list[str] = []
    link: tuple[str, int] | None = None  # the address and where its text starts in ``parts``
    for child in children:
        kind = child.type
        if kind in ("text", "code_inline"):
            parts.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif kind == "link_open":
            link = (str(child.attrGet("href") or ""), len(parts))
        elif kind == "link_close" and link is not None:
            href, start = link
            label = "".join(parts[start:])
            if label not in (href, href.removeprefix("mailto:")):
                parts.append(f" <{href}>")
            link = None
    return "".join(parts)
