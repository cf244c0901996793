"""Authored Markdown → sanitized HTML. Nothing an author writes can add script to a package."""

from __future__ import annotations

import html as html_lib
import re
from functools import lru_cache
from typing import TYPE_CHECKING

import nh3
from markupsafe import Markup

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    """CommonMark plus tables and strikethrough; raw HTML is parsed, then sanitized below. Made at the
    first parse: a build whose texts are all plain or kept (kept_markdown.py) never imports markdown-it
    (issue 16: about 4 % of the example's build)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable(["table", "strikethrough"])

_TAGS = {
    "p", "br", "hr", "em", "strong", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
    "h3", "h4", "h5", "h6", "table", "caption", "thead", "tbody", "tr", "th", "td", "a", "abbr", "sub", "sup", "kbd",
}
_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align", "scope"}, "td": {"align"}, "ol": {"start"}}


def _shift_headings(html: str) -> str:
    # Page titles are h2 and module titles h1, so authored headings start at h3 (headings in order).
    for level in range(6, 0, -1):
        new = min(level + 2, 6)
        html = html.replace(f"<h{level}>", f"<h{new}>").replace(f"</h{level}>", f"</h{new}>")
    return html


# markdown-it writes one block per line: "<p>...</p>\n", "<table>\n", "<h3>...</h3>\n".
_HEADING_OR_BOLD_PARAGRAPH = re.compile(
    r"<h([1-6])>|^<p><strong>((?:(?!</?strong>|</?p>).)+)</strong></p>\n(?=\S)", re.MULTILINE | re.DOTALL
)
_TAG = re.compile(r"<[^>]*>")


def _bold_paragraphs_to_headings(html: str, level: int) -> str:
    """A paragraph that is one bold phrase, with more text after it, is a heading that an author
    wrote as "**Try this**": screen-reader users jump by headings, so make it one. It goes one
    level below the heading before it in the same text, else at `level` (under the page's or the
    block's own heading). A bold sentence ending in "." is emphasis, not a heading."""
    last: int | None = None

    def rewrite(match: re.Match[str]) -> str:
        nonlocal last
        if match.group(1):
            last = int(match.group(1))
            return match.group(0)
        content = match.group(2)
        if _TAG.sub("", content).rstrip().endswith("."):
            return match.group(0)
        new = min(last + 1 if last else level, 6)
        return f"<h{new}>{content}</h{new}>\n"

    return _HEADING_OR_BOLD_PARAGRAPH.sub(rewrite, html)


# A paragraph directly before a table: "Table: ..." names it (pandoc's syntax), and so does a
# lead-in sentence ending in ":" ("Compare two prompts:").
_CAPTIONED_TABLE = re.compile(r"^<p>((?:(?!</?p>).)*)</p>\n<table>\n", re.MULTILINE | re.DOTALL)
_TABLE_LABEL = re.compile(r"^Table:\s*")


def _table_captions(html: str) -> str:
    """Screen readers announce a table by its <caption>: move the paragraph that names a table
    into it (moved, not copied, so the words are read once and shown once)."""

    def rewrite(match: re.Match[str]) -> str:
        text = match.group(1)
        if _TABLE_LABEL.match(text):
            return f"<table>\n<caption>{_TABLE_LABEL.sub('', text, count=1)}</caption>\n"
        if _TAG.sub("", text).rstrip().endswith(":"):
            return f"<table>\n<caption>{text}</caption>\n"
        return match.group(0)

    return _CAPTIONED_TABLE.sub(rewrite, html)


# nh3 writes every attribute double-quoted, with '"' escaped and '>' as '&gt;', and never
# nests <a>: so these patterns see exactly the links it kept.
_LINK = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.DOTALL)
_LINK_START = re.compile(r"<a\b([^>]*)>")  # text's '<' is '&lt;': only real tags match
_HREF = re.compile(r'\shref="([^"]*)"')
NEW_TAB_NOTE = '<span class="cp-sr"> (opens in a new tab)</span>'


def sanitize(html: str) -> str:
    return _open_in_new_tab(nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    ))


def _stays_in_page(href: str) -> bool:
    """#anchors move within the page and mailto: hands over to the mail program; neither leaves the frame."""
    return href.startswith("#") or href.lower().startswith("mailto:")


def _open_in_new_tab(html: str) -> str:
    """Every other link opens a new tab, and says so to screen readers: followed inside the
    course frame it would unload the player, which ends the LMS session (LMSFinish)."""

    def rewrite(link: re.Match[str]) -> str:
        attrs, text = link.groups()
        href = _HREF.search(attrs)
        if href is None or _stays_in_page(html_lib.unescape(href.group(1))):
            return link.group(0)
        return f'<a{attrs} target="_blank">{text}{NEW_TAB_NOTE}</a>'

    return _LINK.sub(rewrite, html)


def link_targets(text: str | None) -> list[str]:
    """Where the links of a Markdown text lead (after sanitizing, as learners get them)."""
    if not text or ("[" not in text and "<" not in text):
        # every link needs one of them ([text](url), [ref], <autolink>, raw <a>; linkify is off):
        # most texts have neither and are not worth a render
        return []
    html = nh3.clean(_parser().render(text), tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https", "mailto"})
    # hrefs of <a> tags only: code that shows ' href="..."' as text is no link
    hrefs = (_HREF.search(attrs) for attrs in _LINK_START.findall(html))
    return [html_lib.unescape(href.group(1)) for href in hrefs if href]


# Text that Markdown, the sanitizer and the rewrites above all leave as it is: one line of letters,
# digits, spaces and punctuation, starting with a letter or digit but not as a list's '1.' or '1)',
# ending with no space, holding no inline markup nor anything HTML escapes (& < > "). Most short
# texts are like this (prompts, choices, titles); they skip the parser.
# tests/test_plain_markdown.py holds this to the full path.
_PLAIN = re.compile(r"(?![0-9]+[.)])[^\W_](?:[^\W_]|[ ,.;:?'()/-])*(?<! )")


def plain_text(text: str) -> bool:
    """Whether markdown_html(text) is <p>text</p> and markdown_inline(text) the text itself."""
    return _PLAIN.fullmatch(text) is not None


def markdown_html(text: str | None, heading_level: int = 3) -> Markup:
    """Block Markdown (paragraphs, lists, tables) as safe HTML. heading_level is where a bold
    paragraph used as a heading goes: 3 under a page title (h2), 4 in a block with its own h3."""
    if not text:
        return Markup("")
    if plain_text(text):
        return plain_block_html(text)
    return finish_block_html(render_block_source(text), heading_level)


def plain_block_html(text: str) -> Markup:
    """markdown_html of a text plain_text accepts (at every heading level), without the parser."""
    return Markup(f"<p>{text}</p>\n")


def render_block_source(text: str) -> str:
    """The Markdown part of markdown_html, the same at every heading level (so a text shown at two
    levels is rendered once): unsanitized HTML, headings shifted, tables captioned."""
    return _table_captions(_shift_headings(_parser().render(text)))


def finish_block_html(source: str, heading_level: int = 3) -> Markup:
    """render_block_source's HTML with bold paragraphs as headings at heading_level, sanitized."""
    return Markup(sanitize(_bold_paragraphs_to_headings(source, heading_level)))


def markdown_inline(text: str | None) -> Markup:
    """One line of Markdown (emphasis, code, links) without the wrapping <p>."""
    if not text:
        return Markup("")
    if plain_text(text):
        return Markup(text)
    return parsed_inline_html(text)


def parsed_inline_html(text: str) -> Markup:
    """markdown_inline of a text plain_text refuses: parsed and sanitized."""
    return Markup(sanitize(_parser().renderInline(text)))
