"""The Markdown fast path (issue 16): a plain text (one line of words and ordinary punctuation) skips the
parser and the sanitizer, so it must come out exactly as the full path renders it, as a block and inline."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from coursepack.render import markdown
from coursepack.render.markdown import finish_block_html, markdown_html, markdown_inline, plain_text, render_block_source


def full_block(text: str, heading_level: int = 3) -> str:
    return str(finish_block_html(render_block_source(text), heading_level))


def full_inline(text: str) -> str:
    return markdown.sanitize(markdown._parser().renderInline(text))


def assert_same_as_full_path(text: str) -> None:
    for level in (3, 4):
        assert str(markdown_html(text, level)) == full_block(text, level), (text, level)
    assert str(markdown_inline(text)) == full_inline(text), text


PLAIN = ["Question 3 of module 5?", "Choice A (5.3)", "0 (5.3)", "it's", "é日本 ok", "http://x.org/a", "a: b", "a - b",
         "Spam filters, speech-to-text and recommendations", "Why/how", "ﬁne"]
# with markup, or close enough to it (a digit and '.' at the start) to leave to the parser
MARKED = ["1.5 hours", "1. x", "1) x", "- x", "+ x", "# x", "> x", "a_b", "*a*", "x ", " x", "    code", "a\nb", "a  \nb", "a & b",
          "a < b", 'say "hi"', "[a](b)", "![a](b)", "`a`", "~~a~~", "a|b", "\\*", "(a) b", "a\tb", "---", "***", "=",
          "12345678901. x", "<b>x</b>", "&amp;", "a\u00a0b"]


@pytest.mark.parametrize("text", PLAIN)
def test_plain_texts_take_the_fast_path_and_match_the_parser(text: str) -> None:
    assert plain_text(text)
    assert_same_as_full_path(text)


@pytest.mark.parametrize("text", MARKED)
def test_texts_with_anything_to_parse_take_the_full_path(text: str) -> None:
    assert not plain_text(text)
    assert_same_as_full_path(text)


# Mostly characters the fast path accepts, with every character Markdown or HTML give a meaning to,
# so the generated texts sit on both sides of the line.
ALPHABET = "aZé日0159 ,.;:?'()/-" + "_*#>+=!&<>\"[]`~|\\\n\t\u00a0"


@settings(max_examples=1500, deadline=None, derandomize=True, database=None)  # the same texts every run
@given(st.text(alphabet=ALPHABET, min_size=1, max_size=14))
def test_the_fast_path_never_changes_a_byte(text: str) -> None:
    if plain_text(text):
        assert_same_as_full_path(text)
