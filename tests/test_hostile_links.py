"""Authored links leave the course in a new tab, and say so: in the course frame they would
unload the player, which ends the learner's LMS session (LMSFinish)."""

from __future__ import annotations

import re
import shutil
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from coursepack.cli import main
from coursepack.load.links import ALLOWED_TARGET, disallowed_link_targets, only_allowed_links
from coursepack.render.markdown import NEW_TAB_NOTE, link_targets, markdown_html, markdown_inline
from conftest import SCAFFOLD

MODULE = "modules/01-welcome.yaml"
class _Links(HTMLParser):
    """(href, text) of every <a target="_blank" rel="noopener noreferrer">, whatever the attribute order."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._open: list[str] | None = None
        self._href = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("target") == "_blank" and a.get("rel") == "noopener noreferrer":
            self._open, self._href = [], a.get("href") or ""

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            self.found.append((self._href, "".join(self._open)))
            self._open = None


def new_tab_links(html: str) -> list[tuple[str, str]]:
    parser = _Links()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize(
    "text",
    [
        "See the [glossary](https://example.org/glossary).",
        "See <https://example.org/glossary>.",
        'See <a href="https://example.org/glossary" target="_top">the glossary</a>.',
        'See <a href="https://example.org/glossary" target="_self" rel="opener">the glossary</a>.',
        "See the [glossary](https://example.org/glossary \"Terms > more\").",
    ],
)
def test_web_links_open_a_new_tab_and_say_so(text: str) -> None:
    for html in (str(markdown_html(text)), str(markdown_inline(text))):
        links = new_tab_links(html)
        assert len(links) == 1, html
        assert links[0][0] == "https://example.org/glossary"
        assert links[0][1].endswith(" (opens in a new tab)")
        assert "_top" not in html and "_self" not in html and '"opener"' not in html


@pytest.mark.parametrize("text", ["Back to [the top](#top).", "Write to <mailto:help@example.org>."])
def test_anchors_and_mail_stay_in_the_frame(text: str) -> None:
    html = str(markdown_html(text))
    assert "<a " in html and 'target="_blank"' not in html and NEW_TAB_NOTE not in html


def test_the_note_is_visually_hidden_by_the_player_css() -> None:
    css = (SCAFFOLD.parent / "runtime" / "player.css").read_text(encoding="utf-8")
    rule = re.search(r"\.cp-sr\s*\{([^}]*)\}", css)
    assert rule and "clip" in rule.group(1) and "1px" in rule.group(1)
    assert 'class="cp-sr"' in NEW_TAB_NOTE


def test_link_targets_are_what_learners_get() -> None:
    text = "[a](https://a.example) [b](#b) [c](handout.pdf) <a href=\"javascript:alert(1)\">d</a> [e](mailto:x@y.org)"
    assert link_targets(text) == ["https://a.example", "#b", "handout.pdf", "mailto:x@y.org"]


def test_every_authored_link_in_a_built_package_opens_a_new_tab(tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(SCAFFOLD, course)
    module = course / MODULE
    text = module.read_text()
    text = text.replace("Welcome! Each page holds", "Welcome! Read [the guide](https://example.org/guide). Each page holds")
    text = text.replace(
        "text: Use the Next button or the module menu to move around.",
        "text: Use the Next button, or see [help](https://example.org/help).\n"
        "      - type: link\n        url: https://example.org/more\n        title: More reading\n"
        "        description: A [summary](https://example.org/summary) to share.",
    )
    module.write_text(text)
    result = CliRunner().invoke(main, ["build", str(course), "--out", str(tmp_path / "out"), "--edition", "standard"])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "out" / "my-course-0.1.0-scorm12.zip") as archive:
        html = archive.read("index.html").decode()
    authored = [href for href in re.findall(r'<a href="(https://example\.org/[^"]*)"', html)]
    assert sorted(authored) == sorted(["https://example.org/guide", "https://example.org/help", "https://example.org/more", "https://example.org/summary"])
    opened = dict(new_tab_links(html))
    for href in authored:
        assert href in opened, href
        assert "(opens in a new tab)" in opened[href], href


def test_relative_link_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    course = tmp_path / "course"
    shutil.copytree(SCAFFOLD, course)
    module = course / MODULE
    module.write_text(module.read_text().replace("Welcome! Each page holds", "Welcome! Print [the handout](handout.pdf). Each page holds"))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", "course"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        f"course/{MODULE}:12:15: link to 'handout.pdf' is not a web address (expected https://..., mailto: or a #anchor: "
        "files beside the course are not packed, and learners would leave the course window)"
    )


# ---------------------------------------------------------------- the look that spares most texts the parser


def assert_held_to_the_parser(text: str) -> None:
    refused = [target for target in link_targets(text) if not ALLOWED_TARGET.match(target)]
    if only_allowed_links(text):
        assert refused == [], text
    assert disallowed_link_targets(text) == refused, text


ALLOWED_ONLY = ["No link here.", "See [the glossary](https://example.org/g).", "[a]( \n http://x.org) and [b](#b)",
                "Mail [us](MAILTO:help@example.org).", "[a](https://x.org/(b)) [c](#d \"title\")", "[not a link]"]
MAYBE_ELSEWHERE = ["[a](handout.pdf)", "[a]()", "[a](\\https://x.org)", "[a](&#104;ttp://x.org)", "[a](\u00a0https://x.org)",
                   "[a][r]\n\n[r]: handout.pdf", "[r]\n\n[r]: https://x.org", "<handout.pdf>", "<a href=\"x.pdf\">a</a>",
                   "![pic](x.png)", "> [a](\n> x.pdf)", "`[a](x)`"]


@pytest.mark.parametrize("text", ALLOWED_ONLY)
def test_texts_whose_links_all_lead_to_the_web_skip_the_parser(text: str) -> None:
    assert only_allowed_links(text)
    assert_held_to_the_parser(text)


@pytest.mark.parametrize("text", MAYBE_ELSEWHERE)
def test_texts_that_may_link_elsewhere_go_to_the_parser(text: str) -> None:
    assert not only_allowed_links(text)
    assert_held_to_the_parser(text)


# Links of every form to allowed and refused destinations (some hidden behind escapes, entities or odd
# spaces), among pieces of syntax that can break or fake them, so the generated texts sit on both sides
# of the line.
DESTINATIONS = ["https://x.org", "HTTP://x.org/(p)", "mailto:a@b.org", "#top", "x.pdf", "", "\nhttps://x.org", " \t#top",
                "\\https://x.org", "&#104;ttp://x.org", "\u00a0#top", "javascript:alert(1)", "<https://x.org>", "<x.pdf>",
                "https://x.org \"t\"", "x.pdf \"https://x.org\""]
FORMS = ["[a]({})", "![a]({})", "[a][r]\n\n[r]: {}", "[r]\n\n[r]:\n{}", "<{}>", '<a href="{}">a</a>', "[a]( {} )"]
NOISE = ["[", "]", "(", ")", "`", "\\", "&", "> ", "- ", "|", "\n", "\r", " ", "a", "!", "*", "https://x.org", "#"]
LINK = st.builds(str.format, st.sampled_from(FORMS), st.sampled_from(DESTINATIONS))


@settings(max_examples=500, deadline=None, derandomize=True, database=None)  # the same texts every run (1,500 took 10-20 s of CI)
@given(st.lists(st.one_of(LINK, st.sampled_from(NOISE)), min_size=1, max_size=8).map("".join))
def test_the_look_never_hides_a_link_the_parser_finds(text: str) -> None:
    assert_held_to_the_parser(text)
