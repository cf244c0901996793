"""Model → the launch page of one launch unit: every page pre-rendered, the player's data, the runtime files.

Each page's content ships inert, parsed in by the player when first shown. A small unit keeps it in the
launch page; a large one in page files beside it ("pages/<folder>/<n>.js", each registering the markup of
a run of pages and the questions of their quizzes), so the launch page, and the player's start, stay small
whatever the page count.

The launch page references the runtime as relative "runtime/..." paths and media as "assets/<src>";
nothing is fetched from outside the package. Output is deterministic: the same course gives the same
bytes (no dates, no random ids; "shuffled" orders are derived from ids).

Render once, write many: a unit's page differs between targets only in the course data and the
adapter's script, so one build renders it once per edition with placeholders for those two and each
target writes its own in (RenderCache keeps the shared page).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, overload

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from coursepack.model.content import AudioBlock, ImageBlock, VideoBlock
from coursepack.model.quiz import FillIn, Matching, Sequencing
from coursepack.render.course_data import course_data_json, fill_in_maxlength, quiz_block_questions
from coursepack.render.markdown import NEW_TAB_NOTE
from coursepack.render.render_cache import RenderCache
from coursepack.render.runtime_min import shipped_runtime_bundle, shipped_runtime_file
from coursepack.render.storage_limits import StorageLimits
from coursepack.render.strings import format_string, strings_for
from coursepack.render.template_cache import template_code
from coursepack.render.unit_contents import UnitContents, module_ids_of, page_folder, page_key, reflection_min

if TYPE_CHECKING:
    from coursepack.targets.zipper import Spilled

# The runtime a package carries: the player's style, and its scripts joined in one file (RUNTIME_SCRIPT), in
# load order: tracking.js, the target's adapter after the files it requires, the standalone adapter, the
# player.
RUNTIME_STYLE = "runtime/player.css"
RUNTIME_SCRIPT = "runtime/coursepack.js"


# What a shared page holds where the target's own value goes (its course data): plain ASCII that no
# escaping changes. A page is shared only when it stands in it exactly once (an author's text could hold
# one). The runtime's script is the same file for every target (RUNTIME_SCRIPT), so it needs no slot.
_DATA_SLOT = "coursepack-target-slot:data_json"


# Up to this many bytes of page markup stay in the launch page: one file, so a page turn never waits for a
# request (in an LMS that serves the package over a slow network, each page file costs a round trip), and
# the launch page still reads in a few milliseconds. Above it, the markup goes to page files of about
# PAGE_FILE_BYTES each: small enough to parse at a click, large enough that a course has few of them.
INLINE_PAGES_MAX = 256 * 1024
PAGE_FILE_BYTES = 48 * 1024
# A large unit's launch page holds the contents' entries of its first modules only, what a first view of
# the contents shows on a tall screen; the player builds the others from the course data after the first
# view (at 2,500 pages, their 833 entries were three quarters of the launch page's elements).
MENU_MODULES_SHIPPED = 8


class UnknownAdapter(ValueError):
    pass


@dataclass(frozen=True)
class PageFiles:
    """Where a unit's page markup went: its folder in the package and the first page of each file."""

    folder: str  # "pages/course/"; file n is folder + f"{n}.js"
    starts: list[int]


@dataclass(frozen=True)
class UnitFiles:
    """What one launch unit adds to a package: its launch page and its page files (path -> bytes, or where
    the build's RenderCache spilled them)."""

    launch: bytes
    pages: dict[str, bytes | Spilled]


@dataclass(frozen=True)
class _Layout:
    """The target-independent part of a unit's render: the template's values, each page's content and
    where it goes."""

    unit: UnitContents
    view: dict[str, Any]
    contents: list[Markup]  # each page's content when the launch page holds it, else empty
    page_files: PageFiles | None
    files: dict[str, bytes | Spilled]  # the page files, as the RenderCache holds them


@dataclass(frozen=True)
class _Shared:
    """What every target of an edition reuses of a unit's render, as the RenderCache holds it (in a build:
    spilled to disk). Not the layout (the template's values, each page's markup: about as big again as the
    page) once the page is made; only when the page cannot be shared, for each target to render its own."""

    page: bytes | Spilled | None  # the launch page with the course data's placeholder, None when it is not found exactly once
    paged: bool  # the unit's page markup is in page files
    files: dict[str, bytes | Spilled]  # those page files
    layout: _Layout | None  # only when page is None


@lru_cache(maxsize=1)
def _env() -> Environment:
    return template_environment()


def template_environment() -> Environment:
    """A new environment of the templates (tools/compile_templates.py compiles them in one)."""
    # md, mdi and md_legend come with each render, from the build's RenderCache
    env = Environment(
        loader=PackageLoader("coursepack.render", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.bytecode_cache = template_code(env)  # each template's shipped code, else compiled once, not once per build
    return env


def _scramble(key: str, ids: list[str]) -> list[int]:
    """A fixed, id-derived order of positions that differs from the authored one (when it can)."""
    order = sorted(range(len(ids)), key=lambda i: hashlib.sha256(f"{key}/{ids[i]}".encode()).hexdigest())
    if order == list(range(len(ids))) and len(ids) > 1:
        order = order[1:] + order[:1]
    return order


# The target's value as the templates may use it in a shared page: printed as it is.
_TARGET_VALUE = re.compile(r"\bdata_json\b")
_TARGET_VALUE_PRINTED = re.compile(r"\{\{-?\s*data_json\s*-?\}\}")


@lru_cache(maxsize=1)
def _targets_only_printed() -> bool:
    """True when every use of data_json in the templates is printing it as it is ({{ data_json }}), never a
    test, filter or assignment: then a page rendered with a placeholder for it, the value written in
    afterwards, is exactly the page each target's own render would give.
    (Any other mention, a comment's included, answers False: every target then renders its own.)"""
    env = _env()
    for name in env.list_templates():
        source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
        if len(_TARGET_VALUE.findall(source)) != len(_TARGET_VALUE_PRINTED.findall(source)):
            return False
    return True


class _ModuleViews(Sequence[dict[str, Any]]):
    """The template's values of each module of a unit (its pages, blocks and questions, with their DOM
    ids), made when the template or the page files ask for a module and not kept: made for the whole
    unit at once, they were held while its launch page and page files rendered, about 6 MB per 500
    modules (issue 16: build memory). The launch page reads a few modules (a large unit's menu ships the first
    MENU_MODULES_SHIPPED), the page contents each module once, in order. The module made last is kept: a
    one-module unit's is asked for four times; another module asked for again is made again, the same."""

    def __init__(self, unit: UnitContents, renders: RenderCache) -> None:
        self._unit = unit
        self._renders = renders
        self._quiz_index = {id(q.block): i for i, q in enumerate(unit.quizzes)}
        self._first_page = list(itertools.accumulate((len(m.module.pages) for m in unit.modules), initial=0))
        self._last: tuple[int, dict[str, Any]] | None = None  # (index, values) of the module made last

    @property
    def page_count(self) -> int:
        return self._first_page[-1]

    def __len__(self) -> int:
        return len(self._unit.modules)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self._module(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._module(index)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (self._module(i) for i in range(len(self)))

    def _module(self, m_index: int) -> dict[str, Any]:
        if self._last is None or self._last[0] != m_index:
            self._last = (m_index, self._made(m_index))
        return self._last[1]

    def _made(self, m_index: int) -> dict[str, Any]:
        unit, renders, loaded = self._unit, self._renders, self._unit.loaded
        mod = unit.modules[m_index]
        pages = []
        page_no = self._first_page[m_index]
        for p_index, page in enumerate(mod.module.pages):
            blocks = []
            for b_index, block in enumerate(page.blocks):
                item: dict[str, Any] = {"b": block, "type": block.type, "dom": f"cp-b-{page_no}-{b_index}"}
                if block.type == "image" and block.width:
                    # the height too, so the browser keeps the figure's place before the file arrives
                    item["height"] = renders.image_height(loaded.assets_dir / block.src, block.width)
                elif isinstance(block, (VideoBlock, AudioBlock)):
                    item["transcript"] = None if block.transcript is None else renders.transcript(loaded.assets_dir / block.transcript)
                elif block.type == "reflection":
                    item["min"] = reflection_min(unit, block)
                elif block.type == "quiz":
                    qi = self._quiz_index[id(block)]
                    item["index"] = qi
                    item["dom"] = f"cp-quiz-{qi}"
                    questions = []
                    for n, q in enumerate(block.questions):
                        qv: dict[str, Any] = {"q": q, "dom": f"cp-quiz-{qi}-{n}", "number": n + 1}
                        if isinstance(q, Matching):
                            qv["options"] = [(i, q.pairs[i].match) for i in _scramble(f"{block.id}/{q.id}", [p.id for p in q.pairs])]
                        elif isinstance(q, Sequencing):
                            qv["order"] = _scramble(f"{block.id}/{q.id}", [i.id for i in q.items])
                        elif isinstance(q, FillIn):
                            qv["maxlength"] = fill_in_maxlength(q)
                        questions.append(qv)
                    item["questions"] = questions
                blocks.append(item)
            pages.append(
                {
                    "page": page,
                    "index": page_no,
                    "key": page_key(mod, p_index),
                    "first": p_index == 0,
                    "number": p_index + 1,
                    "blocks": blocks,
                }
            )
            page_no += 1
        return {"m": mod.module, "index": m_index, "number": m_index + 1, "pages": pages}


def _edition_values(page_view: dict[str, Any]) -> tuple[object, ...]:
    """The values of a page's view (_ModuleViews._made) that differ by edition: its reflections' minimums
    (reflection_min). A value added there that depends on the edition must be added here: a page's content
    is reused for another edition's unit of the same modules when these are equal (RenderCache.page_content)."""
    return tuple(item["min"] for item in page_view["blocks"] if item["type"] == "reflection")


# The view's values that differ by edition besides _edition_values' (the edition's name, the certificate
# page): the launch page's own, not given to the page contents' template (_layout), so a page's content
# depends on the edition only through _edition_values (a template asking for one fails: StrictUndefined).
_EDITION_KEYS = ("edition", "certificate")


def _view(unit: UnitContents, renders: RenderCache) -> dict[str, Any]:
    """Everything the template needs but the target's own value (data_json), in order, with
    DOM ids decided here (not in the template); each module's values made when asked for (_ModuleViews)."""
    course = unit.loaded.course
    modules = _ModuleViews(unit, renders)
    whole = unit.whole_course
    single = unit.modules[0].module if not whole and len(unit.modules) == 1 else None
    strings = strings_for(course.language, course.strings)
    return {
        "t": lambda key, **values: format_string(strings, key, **values),  # the player's words (strings.py)
        "course": course,
        "lang": course.language,
        "edition": unit.edition,
        "h1": course.title if single is None else single.title,
        "subtitle": None if single is None else course.title,
        "title": course.title if single is None else f"{single.title} – {course.title}",
        "modules": modules,
        "page_count": modules.page_count,
        "certificate": course.certificate if unit.edition == "certificate" and whole else None,
        # authored Markdown, each text rendered once per build
        "md": renders.block,
        "mdi": renders.inline,
        "md_legend": renders.legend,
    }


def render_unit(unit: UnitContents, adapter: str, limits: StorageLimits | None,
                renders: RenderCache | None = None) -> UnitFiles:
    """The unit's launch page (UTF-8 HTML) for a target's runtime adapter and storage limits, and its page
    files. renders: the build's RenderCache, which every target and edition of the build shares (a fresh
    one when rendering a single unit)."""
    renders = renders if renders is not None else RenderCache()
    adapter_runtime(adapter)  # an unknown adapter is refused before anything is rendered
    if not _targets_only_printed():
        layout = _layout(unit, renders)
        data_json = course_data_json(unit, adapter, limits, paged=layout.page_files is not None)
        return UnitFiles(_render(layout, Markup(data_json)).encode("utf-8"), layout.files)
    shared = renders.shared_page(unit, lambda: _shared_page(unit, renders))
    # a large unit's quizzes' questions are in its page files, its contents' entries partly in the player
    data_json = course_data_json(unit, adapter, limits, paged=shared.paged)
    if shared.page is None:
        assert shared.layout is not None  # kept for exactly this
        return UnitFiles(_render(shared.layout, Markup(data_json)).encode("utf-8"), shared.files)
    page = renders.held_bytes(shared.page)
    return UnitFiles(page.replace(_DATA_SLOT.encode("ascii"), data_json.encode("ascii")), shared.files)


def render_launch_page(unit: UnitContents, adapter: str, limits: StorageLimits | None,
                       renders: RenderCache | None = None) -> bytes:
    """The unit's launch page alone (render_unit gives its page files too)."""
    return render_unit(unit, adapter, limits, renders).launch


def _shared_page(unit: UnitContents, renders: RenderCache) -> _Shared:
    """The unit's render with a placeholder for the target's course data (the page None when it is not
    found exactly once: then every target renders its own page from the shared layout)."""
    layout = _layout(unit, renders)
    html = _render(layout, Markup(_DATA_SLOT))
    paged = layout.page_files is not None
    if html.count(_DATA_SLOT) != 1:
        return _Shared(None, paged, layout.files, layout)
    return _Shared(renders.hold(html.encode("utf-8")), paged, layout.files, None)  # the page files held as made


def _layout(unit: UnitContents, renders: RenderCache) -> _Layout:
    view = _view(unit, renders)
    page_view = {key: value for key, value in view.items() if key not in _EDITION_KEYS}
    page_content = _env().get_template("page_content.html").make_module(page_view).page_content  # blocks.html imported once
    note = _new_tab_note(unit)

    keep = True  # each page rendered once for the editions that show it alike (until the unit is known to be large)

    def rendered(mod: dict[str, Any], pg: dict[str, Any]) -> Markup:
        if keep:
            return renders.page_content(unit, (pg["index"], _edition_values(pg)), lambda: rendered_now(mod, pg))
        return rendered_now(mod, pg)

    def rendered_now(mod: dict[str, Any], pg: dict[str, Any]) -> Markup:
        return Markup(str(page_content(mod, pg)).replace(NEW_TAB_NOTE, note))

    contents = (rendered(mod, pg) for mod in view["modules"] for pg in mod["pages"])
    first: list[Markup] = []  # rendered until they are known to fit inline, or not
    size = 0
    for content in contents:
        first.append(content)
        size += len(content)
        if size > INLINE_PAGES_MAX:
            break
    else:
        return _Layout(unit, view, first, None, {})
    keep = False  # a large unit's pages go to its files as they are made, none held for another edition
    # a large unit's pages go into their files as they are rendered, each file held as it is made (in a build:
    # spilled): the whole course's markup is never in memory at once (at 1,000 modules, 14 MB and its files 16 MB)
    page_files, files = _page_files(page_folder(unit.loaded, module_ids_of(unit)), itertools.chain(first, contents),
                                    _questions_of_page(unit), renders.hold)
    return _Layout(unit, view, [], page_files, files)  # the contents live on in the files only (kept per build)


def _questions_of_page(unit: UnitContents) -> Callable[[int], dict[str, list[dict[str, Any]]]]:
    """A page's quizzes' questions and keys, by quiz index (a JSON object's keys are text), made when its
    page file is: made for the whole unit at once, a 1,000-module course's were 3 MB held while its page
    files rendered (issue 16: build memory)."""
    on_page: dict[int, list[int]] = {}
    for qi, ref in enumerate(unit.quizzes):
        on_page.setdefault(ref.page_index, []).append(qi)

    def questions_of(page_index: int) -> dict[str, list[dict[str, Any]]]:
        return {str(qi): quiz_block_questions(unit.quizzes[qi].block) for qi in on_page.get(page_index, [])}

    return questions_of


def _page_files(folder: str, contents: Iterable[Markup], questions_of: Callable[[int], dict[str, list[dict[str, Any]]]],
                hold: Callable[[bytes], bytes | Spilled]) -> tuple[PageFiles, dict[str, bytes | Spilled]]:
    """Consecutive pages in files of about PAGE_FILE_BYTES (at least one page each), each file given to hold
    as soon as it is made. Each file is a script calling Coursepack.pageMarkup(first page index, [each page's
    HTML as a JSON string], {quiz index: its questions, for the quizzes on those pages}): a script loads from
    file://, in an LMS's frame and offline alike, where fetch would not."""
    starts: list[int] = []
    files: dict[str, bytes | Spilled] = {}
    pending: list[Markup] = []  # the pages of the file being filled
    first, size = 0, 0

    def write_file() -> None:
        markup = json.dumps([str(c) for c in pending], ensure_ascii=True, separators=(",", ":"))
        quizzes = {qi: qs for p in range(first, first + len(pending)) for qi, qs in questions_of(p).items()}
        keys = json.dumps(quizzes, ensure_ascii=True, separators=(",", ":"))
        files[f"{folder}{len(starts)}.js"] = hold(f"Coursepack.pageMarkup({first},{markup},{keys});\n".encode("ascii"))
        starts.append(first)

    for content in contents:
        pending.append(content)
        size += len(content)
        if size >= PAGE_FILE_BYTES:
            write_file()
            first, size, pending = first + len(pending), 0, []
    if pending:  # the last pages, short of a full file
        write_file()
    return PageFiles(folder, starts), files


def _render(layout: _Layout, data_json: Markup) -> str:
    modules = len(layout.view["modules"])
    shipped = modules if layout.page_files is None else min(modules, MENU_MODULES_SHIPPED)
    html = _env().get_template("launch.html").render(**layout.view, contents=layout.contents, page_files=layout.page_files,
                                                     menu_modules=shipped, data_json=data_json, runtime_script=RUNTIME_SCRIPT)
    return html.replace(NEW_TAB_NOTE, _new_tab_note(layout.unit))


def _new_tab_note(unit: UnitContents) -> str:
    """Authored Markdown is rendered without the course at hand: its links' note takes the course's
    language where it is placed (markdown.NEW_TAB_NOTE stands in for it)."""
    course = unit.loaded.course
    return f'<span class="cp-sr"> {escape(strings_for(course.language, course.strings)["new_tab"])}</span>'


# An adapter names the runtime files it builds on in a comment: "coursepack-requires: lrs.js statements.js"
_REQUIRES = re.compile(rb"coursepack-requires:([ \w./-]*)")


@lru_cache(maxsize=None)
def adapter_runtime(adapter: str) -> tuple[str, ...]:
    """The runtime files (paths under runtime/) an adapter needs, in load order, ending with the adapter.
    Read once per process, as the shipped bundle is (runtime_min): every unit of a build asks."""
    root = resources.files("coursepack").joinpath("runtime")
    script = root.joinpath("adapters", f"{adapter}.js")
    if not script.is_file():
        raise UnknownAdapter(f"unknown adapter '{adapter}' (expected a file runtime/adapters/{adapter}.js)")
    found = _REQUIRES.search(script.read_bytes())
    required = found.group(1).decode("ascii").split() if found else []
    for name in required:
        if not root.joinpath(name).is_file() or name.startswith(("/", ".")):
            raise UnknownAdapter(f"adapter '{adapter}' requires runtime/{name}, which does not exist")
    return (*required, f"adapters/{adapter}.js")


def runtime_scripts(adapter: str) -> tuple[str, ...]:
    """The runtime's scripts (paths under runtime/) for an adapter, in the order they run."""
    return ("tracking.js", *adapter_runtime(adapter), "adapters/standalone.js", "player.js")


def runtime_files(adapter: str) -> dict[str, bytes]:
    """The player's files for a package, by path inside the package ("runtime/..."), scripts minified and
    joined in one."""
    return {RUNTIME_SCRIPT: shipped_runtime_bundle(runtime_scripts(adapter)),
            RUNTIME_STYLE: shipped_runtime_file("player.css")}


def referenced_assets(unit: UnitContents) -> list[str]:
    """Asset paths (relative to assets/) the unit's launch page links to; transcripts are inlined, not
    linked. The same for every target and edition: a whole-course unit carries the certificate's
    signature whenever the course has one."""
    found: set[str] = set()
    for mod, p in unit.pages:
        for block in mod.module.pages[p].blocks:
            if isinstance(block, ImageBlock):
                found.add(block.src)
            elif isinstance(block, VideoBlock):
                found.update(x for x in (block.src, block.captions, block.poster) if x)
            elif isinstance(block, AudioBlock):
                found.add(block.src)
    certificate = unit.loaded.course.certificate
    if unit.whole_course and certificate and certificate.signatory.signature:
        found.add(certificate.signatory.signature)  # only a whole-course unit has the certificate page
    return sorted(found)
