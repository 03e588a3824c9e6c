"""TimelineJS's HTML text as Markdown.

markdownify (MIT, on BeautifulSoup) converts the HTML: links, emphasis, paragraphs, lists,
quotes and headings carry over. html2text does the same job but is GPL-3.0, which this MIT
package does not take on. Elements Markdown has no place for here (images, embeds, scripts,
tables...) are removed before the conversion and counted, so the import's report lists them.
"""

from __future__ import annotations

import re
from collections import Counter

from bs4 import BeautifulSoup, Tag
from markdownify import MarkdownConverter

CARRIED = frozenset(
    (
        *("a", "abbr", "b", "blockquote", "br", "cite", "code", "div", "em", "i", "li", "ol", "p", "pre"),
        *("q", "s", "small", "span", "strong", "sub", "sup", "u", "ul", "h1", "h2", "h3", "h4", "h5", "h6"),
    )
)
"""Elements whose meaning Markdown keeps (or that only wrap text)."""

_CONVERTER = MarkdownConverter(heading_style="atx", bullets="-", escape_misc=False)


def html_to_markdown(html: str) -> tuple[str, Counter[str]]:
    """The Markdown of ``html``, and how many of each element it could not carry (by tag name)."""
    soup = BeautifulSoup(html, "html.parser")
    dropped: Counter[str] = Counter()
    for element in soup.find_all(True):
        if isinstance(element, Tag) and element.name not in CARRIED and not element.decomposed:
            dropped[element.name] += 1
            element.decompose()
    markdown = _CONVERTER.convert_soup(soup)
    markdown = re.sub(r"[ \t]+\n", "\n", markdown)
    return re.sub(r"\n{3,}", "\n\n", markdown).strip(), dropped


def markdown_link(text: str, url: str) -> str:
    """``[text](url)``, the text's brackets escaped and the URL's spaces and parentheses encoded."""
    label = re.sub(r"([\[\]\\])", r"\\\1", text)
    target = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    return f"[{label}]({target})"
