"""Authored Markdown → sanitized HTML. Nothing an author writes can add script to a package."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# CommonMark plus tables and strikethrough; raw HTML is parsed, then sanitized below.
_md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable(["table", "strikethrough"])

_TAGS = {
    "p", "br", "hr", "em", "strong", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
    "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "a", "abbr", "sub", "sup", "kbd",
}
_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align", "scope"}, "td": {"align"}, "ol": {"start"}}


def _shift_headings(html: str) -> str:
    # Page titles are h2 and module titles h1, so authored headings start at h3 (headings in order).
    for level in range(6, 0, -1):
        new = min(level + 2, 6)
        html = html.replace(f"<h{level}>", f"<h{new}>").replace(f"</h{level}>", f"</h{new}>")
    return html


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def markdown_html(text: str | None) -> Markup:
    """Block Markdown (paragraphs, lists, tables) as safe HTML."""
    if not text:
        return Markup("")
    return Markup(sanitize(_shift_headings(_md.render(text))))


def markdown_inline(text: str | None) -> Markup:
    """One line of Markdown (emphasis, code, links) without the wrapping <p>."""
    if not text:
        return Markup("")
    return Markup(sanitize(_md.renderInline(text)))
