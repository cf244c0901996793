"""Render once, write many: each Markdown text and transcript of a build is rendered once and the HTML
shared by every target and edition; each unit's page is rendered once per edition and shared by
every target.

`coursepack build` makes one RenderCache for the whole build and drops it with the build; the Markdown's
HTML it also keeps for the next build, in the user's cache folder (kept_markdown.py). Markdown
rendering is a pure function of the text (and the heading level): what differs by edition or target
(the certificate view, scored quizzes, when answers show, the adapter, the limits) is decided in the
template and the course data, never in the Markdown, so a shared render is the same HTML a fresh one
would give. Pages differ by edition, so the cache keeps one edition's pages at a time (about one
package's worth): a build that makes every target of an edition before the next edition renders each
page once. A build gives the cache a spill file for those pages, so that they wait on disk rather than
in memory (hold). Transcript files are read once per cache: whoever keeps a cache across builds (a
preview server) starts a fresh one when asset files change.

A page's content (its part of a unit's page: crumb, title, blocks) differs by edition only in a few values
(page.py's _edition_values), so the cache also keeps the page contents of each unit small enough to hold
them in its launch page for the next edition's unit of the same modules, up to CONTENTS_KEPT_MAX characters
in all (a bound, not a share of the course: memory does not grow with it); the template then runs again
only for the pages whose contents differ. A build whose run makes one edition keeps none (editions=1).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from markupsafe import Markup, escape

from coursepack.load.course_loader import LoadedCourse
from coursepack.render.image_size import height_for
from coursepack.render.kept_markdown import KeptMarkdown
from coursepack.render.markdown import finish_block_html, parsed_inline_html, plain_block_html, plain_text, render_block_source
from coursepack.render.unit_contents import UnitContents

if TYPE_CHECKING:  # only a build hands over a spill file: the zipper's module is not imported for it
    from coursepack.targets.zipper import SpillFile, Spilled

T = TypeVar("T")

# Page contents kept for the next edition, in characters: all of the example course's units (0.5 M characters
# for its first edition: the whole course and each module), a large course's first units only.
CONTENTS_KEPT_MAX = 1 << 20


class RenderCache:
    """Rendered HTML of a build's Markdown texts (by text and heading level), transcripts (by path) and
    launch pages (by edition and modules, with placeholders for each target's own values). editions: how
    many editions it renders for (page contents are kept for a second one)."""

    def __init__(self, kept: KeptMarkdown | None = None, spill: SpillFile | None = None, editions: int = 2) -> None:
        self._kept = kept  # HTML kept from earlier builds (`coursepack build`), and where this one's is kept
        self._spill = spill  # where the edition's pages wait (a build's), else in memory
        self._heights: dict[tuple[Path, int], int | None] = {}
        self._sources: dict[str, str] = {}  # the Markdown render, shared by every heading level
        self._blocks: dict[tuple[str, int], Markup] = {}
        self._inlines: dict[str, Markup] = {}
        self._words: dict[str, str] = {}
        self._transcripts: dict[Path, Markup | None] = {}
        self._pages_of: tuple[LoadedCourse, str] | None = None  # (course, edition) of the pages kept
        self._pages: dict[tuple[str, ...], object] = {}
        self._contents_of: LoadedCourse | None = None  # the course of the page contents kept
        self._contents: dict[tuple[str, ...], dict[tuple[object, ...], Markup]] = {}  # by the unit's module ids
        self._keep_contents = editions > 1  # a page's content is asked for again only by another edition
        self._contents_size = 0  # characters kept in _contents
        self._contents_unit: tuple[UnitContents, dict[tuple[object, ...], Markup]] | None = None  # the unit asked last

    def block(self, text: str | None, heading_level: int = 3) -> Markup:
        """markdown_html: the Markdown rendered once per text, finished once per heading level."""
        if not text:
            return Markup("")
        key = (text, heading_level)
        html = self._blocks.get(key)
        if html is None:
            if plain_text(text):  # the same at every level, without parsing; not kept (see inline)
                return plain_block_html(text)
            html = self._blocks[key] = self._rendered(f"block{heading_level}", text, lambda: self._block_html(text, heading_level))
        return html

    def _block_html(self, text: str, heading_level: int) -> Markup:
        source = self._sources.get(text)
        if source is None:
            source = self._sources[text] = render_block_source(text)
        return finish_block_html(source, heading_level)

    def _rendered(self, kind: str, text: str, render: Callable[[], Markup]) -> Markup:
        """render(), or the same HTML as kept by an earlier build."""
        html = self._kept_text(kind, text, render)  # kept as render() made it: one copy held for both, not two
        return html if isinstance(html, Markup) else Markup(html)

    def _kept_text(self, kind: str, text: str, make: Callable[[], str]) -> str:
        """make(), or what an earlier build kept for the same kind of output of the same text."""
        if self._kept is None:
            return make()
        key = self._kept.key(kind, text)
        kept = self._kept.get(key)
        if kept is None:
            kept = make()
            self._kept.put(key, kept)
        return kept

    def inline(self, text: str | None) -> Markup:
        """markdown_inline, rendered once per text."""
        if not text:
            return Markup("")
        html = self._inlines.get(text)
        if html is None:
            if plain_text(text):
                # markdown_inline's own fast path, the text as it is, made again when asked again: kept, a
                # copy of every plain text (each choice, prompt and title) grew a build by 2 MB per 500 modules
                return Markup(text)
            html = self._inlines[text] = self._rendered("inline", text, lambda: parsed_inline_html(text))
        return html

    def words(self, text: str, plain_words: Callable[[str], str]) -> str:
        """plain_words(text), a manifest's description (targets/xapi_activities.py), once per build and kept
        with the HTML: with it, a build whose texts are all kept parses no Markdown (and imports no parser)."""
        words = self._words.get(text)
        if words is None:
            words = self._words[text] = self._kept_text("words", text, lambda: plain_words(text))
        return words

    def legend(self, text: str) -> Markup | None:
        """The text as inline HTML when it is one paragraph (so it can sit in a <legend>), else None."""
        html = str(self.block(text)).strip()
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            return Markup(html[3:-4])
        return None

    def image_height(self, path: Path, width: int) -> int | None:
        """The height that keeps the image at path in proportion at `width` px (image_size.py), once a build."""
        key = (path, width)
        if key not in self._heights:
            self._heights[key] = height_for(path, width)
        return self._heights[key]

    def transcript(self, path: Path) -> Markup | None:
        """A transcript file as HTML: Markdown (.md) rendered, plain text as paragraphs; None when unreadable."""
        if path not in self._transcripts:
            self._transcripts[path] = self._read_transcript(path)
        return self._transcripts[path]

    def _read_transcript(self, path: Path) -> Markup | None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        if path.suffix.lower() == ".md":
            return self.block(text)
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
        return Markup("".join(f"<p>{escape(p)}</p>".replace("\n", "<br>\n") for p in paragraphs))

    def shared_page(self, unit: UnitContents, render: Callable[[], T]) -> T:
        """The unit's page as every target shares it (render makes it, holding its bytes with hold).
        Kept until a page of another edition or course is asked for: then the spill file is cleared too."""
        if self._pages_of is None or self._pages_of[0] is not unit.loaded or self._pages_of[1] != unit.edition:
            self._pages_of, self._pages = (unit.loaded, unit.edition), {}
            if self._spill is not None:
                self._spill.clear()
        key = tuple(m.module.id for m in unit.modules)
        if key not in self._pages:
            self._pages[key] = render()
        return self._pages[key]  # type: ignore[return-value]  # what render() gave for this key

    def page_content(self, unit: UnitContents, key: tuple[object, ...], render: Callable[[], Markup]) -> Markup:
        """A page's content as render() makes it, or as it was made for a unit of the same modules in another
        edition. key: the page's place in the unit and every value of it that differs by edition (page.py)."""
        if self._contents_unit is None or self._contents_unit[0] is not unit:  # the unit's store found once per unit, not per page
            if self._contents_of is not unit.loaded:
                self._contents_of, self._contents, self._contents_size = unit.loaded, {}, 0
            self._contents_unit = (unit, self._contents.setdefault(tuple(m.module.id for m in unit.modules), {}))
        kept = self._contents_unit[1]
        html = kept.get(key)
        if html is None:
            html = render()
            if self._keep_contents and self._contents_size + len(html) <= CONTENTS_KEPT_MAX:
                kept[key] = html
                self._contents_size += len(html)
        return html

    def hold(self, data: bytes) -> bytes | Spilled:
        """data as a shared page keeps it: spilled to disk in a build, else as it is (read it with held_bytes)."""
        return data if self._spill is None else self._spill.put(data)

    @staticmethod
    def held_bytes(held: bytes | Spilled) -> bytes:
        return held if isinstance(held, bytes) else held.read()
