"""`coursepack build` keeps each Markdown text's HTML in the user's cache folder (markdown.json)
(render/kept_markdown.py): the next build of unchanged texts parses none and packs the same bytes; a
changed text is parsed again; a record that another build of other code made is not used."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SCAFFOLD
from coursepack.cli import main
from coursepack.load.cache_files import record_path
from coursepack.render import kept_markdown, markdown
from coursepack.render.kept_markdown import KeptMarkdown
from coursepack.render.render_cache import RenderCache



@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSEPACK_CACHE", str(tmp_path / "cache"))


def kept_record(course: Path) -> Path:
    return Path(record_path(str(course), kept_markdown.CACHE_FILE))


TEXTS = ["Some *emphasis* and a [link](https://example.org).", "- one\n- two\n\n**Heading**\n\nMore."]
INLINE = "An `inline` text"


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts markdown-it parsed (block or inline)."""
    parsed: list[str] = []
    block, inline = markdown._parser().render, markdown._parser().renderInline

    def count_block(text: str, env: object = None) -> str:
        parsed.append(text)
        return block(text, env)

    def count_inline(text: str, env: object = None) -> str:
        parsed.append(text)
        return inline(text, env)

    monkeypatch.setattr(markdown._parser(), "render", count_block)
    monkeypatch.setattr(markdown._parser(), "renderInline", count_inline)
    return parsed


def render_all(course: Path, texts: list[str]) -> list[str]:
    kept = KeptMarkdown(course)
    renders = RenderCache(kept)
    html = [str(renders.block(text, level)) for text in texts for level in (3, 4)] + [str(renders.inline(INLINE))]
    kept.save()
    return html


def test_kept_html_is_the_html_a_render_gives(tmp_path: Path, parses: list[str]) -> None:
    first = render_all(tmp_path, TEXTS)
    assert first == [str(RenderCache().block(text, level)) for text in TEXTS for level in (3, 4)] + [str(RenderCache().inline(INLINE))]
    parses.clear()
    assert render_all(tmp_path, TEXTS) == first and parses == []
    # a changed text is parsed; the record then holds only what the last build used
    changed = [TEXTS[0], TEXTS[1] + " Changed."]
    render_all(tmp_path, changed)
    assert parses == [changed[1]]
    record = json.loads(kept_record(tmp_path).read_text(encoding="utf-8"))
    assert len(record["html"]) == 2 * 2 + 1


def test_a_record_of_other_code_or_a_tampered_one_is_not_used(tmp_path: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    first = render_all(tmp_path, TEXTS)
    path = kept_record(tmp_path)
    record = json.loads(path.read_text(encoding="utf-8"))
    record["html"] = {key: "<script>alert(1)</script>" for key in record["html"]}
    for spoil in ({"code": [[stamp[0], stamp[1] + 1, *stamp[2:]] for stamp in record["code"]]}, {"code": []},
                  {"version": "0.0.0-other"}, {"html": {key: 7 for key in record["html"]}}):
        path.write_text(json.dumps({**record, **spoil}), encoding="utf-8")
        parses.clear()
        assert render_all(tmp_path, TEXTS) == first and len(parses) == 3
    monkeypatch.setattr(kept_markdown, "__version__", "0.0.0-next")
    parses.clear()
    render_all(tmp_path, TEXTS)
    assert len(parses) == 3


def test_a_second_build_parses_no_markdown_and_packs_the_same_bytes(tmp_path: Path, parses: list[str]) -> None:
    course = tmp_path / "course"
    shutil.copytree(SCAFFOLD, course, ignore=shutil.ignore_patterns("templates", "AUTHORING.md"))
    first = CliRunner().invoke(main, ["build", str(course), "--target", "xapi", "--edition", "standard", "--out", str(tmp_path / "first")])
    assert first.exit_code == 0, first.output
    block_texts = [text for text in parses if "\n" in text]  # the scaffold's multi-line texts need the parser
    assert block_texts and kept_record(course).is_file() and not (course / ".coursepack").exists()
    parses.clear()
    again = CliRunner().invoke(main, ["build", str(course), "--target", "xapi", "--edition", "standard", "--out", str(tmp_path / "again")])
    assert again.exit_code == 0, again.output
    assert not set(parses) & set(block_texts)
    (package,) = (tmp_path / "first").iterdir()
    assert package.read_bytes() == (tmp_path / "again" / package.name).read_bytes()



def test_html_carried_over_keeps_the_stamps_of_the_code_that_made_it(tmp_path: Path, parses: list[str]) -> None:
    """A build that parses nothing need not import markdown-it, so its own code stamps may lack the
    parser's files: a record it writes (here, once a text is dropped) must still name them, or a new
    markdown-it would not void HTML the old one made."""
    render_all(tmp_path, TEXTS)
    path = kept_record(tmp_path)
    record = json.loads(path.read_text(encoding="utf-8"))
    parser_file = tmp_path / "parser.py"  # stands for a module the parsing build had imported, this one not
    parser_file.write_text("", encoding="utf-8")
    info = parser_file.stat()
    stamp = [str(parser_file), info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
    path.write_text(json.dumps({**record, "code": [*record["code"], stamp]}), encoding="utf-8")
    parses.clear()
    render_all(tmp_path, TEXTS[:1])
    assert parses == []  # carried over, not parsed
    assert stamp in json.loads(path.read_text(encoding="utf-8"))["code"]
