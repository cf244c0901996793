"""Cross-file rules that no single model can check: ids, references, assets, answer keys."""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from coursepack.load.loaded import LoadedCourse, LoadedModule, PartialCourse, case_insensitive_match, exact_case
from coursepack.load.errors import Problem
from coursepack.load.links import disallowed_link_targets
from coursepack.load.paths import case_collisions, outside_folder, relative_path_problem
from coursepack.load.yaml_source import SourceMap
from coursepack.model.base import TITLE_MAX
from coursepack.model.content import AudioBlock, ImageBlock, ReflectionBlock, VideoBlock
from coursepack.model.quiz import Matching, MultipleResponse, QuizBlock, Sequencing, SingleChoice

_IMAGE_TYPES = frozenset({".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp"})
_VIDEO_TYPES = frozenset({".mp4", ".webm", ".ogv"})
_AUDIO_TYPES = frozenset({".mp3", ".ogg", ".oga", ".wav", ".m4a", ".webm"})
_TEXT_TYPES = frozenset({".md", ".txt"})
_CAPTION_TYPES = frozenset({".vtt"})
_CHUNK = 1024 * 1024

# Why an SVG file (path, name shown) may not go into a package, or None: svg_check.svg_problem, or the
# preview's LoadCache.svg_problem, which keeps the verdicts of pictures that did not change.
SvgCheck = Callable[[Path, str], str | None]


def check_course(loaded: LoadedCourse | PartialCourse, svg_problem: SvgCheck) -> list[Problem]:
    """Problems across files. Works on a partly loaded course too: it then checks what
    loaded and skips what would raise false alarms (references to modules whose id is
    unknown, limits set in an invalid course.yaml)."""
    problems: list[Problem] = []
    problems += _module_ids(loaded)
    problems += _module_references(loaded)
    for mod in loaded.modules:
        problems += _page_ids(mod)
        for path, block in _blocks(mod):
            problems += _block_problems(loaded, mod, path, block)
    problems += _asset_problems(loaded, svg_problem)
    problems += _manifest_titles(loaded)
    problems += _activity_ids(loaded)
    problems += _reflection_limits(loaded)
    problems += _string_overrides(loaded)
    return problems


def _string_overrides(loaded: LoadedCourse | PartialCourse) -> list[Problem]:
    """course.yaml `strings`: known player strings with the placeholders the player fills in."""
    course = loaded.course
    if course is None or not course.strings:
        return []
    from coursepack.render.strings import override_problem  # the player's word tables, read only when overridden

    problems = []
    for key, text in course.strings.items():
        message = override_problem(key, text)
        if message:
            problems.append(loaded.source.problem(("strings", key), message))
    return problems


def _blocks(mod: LoadedModule) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    for p, page in enumerate(mod.module.pages):
        for b, block in enumerate(page.blocks):
            yield ("pages", p, "blocks", b), block


def _module_ids(loaded: LoadedCourse | PartialCourse) -> list[Problem]:
    problems = []
    first: dict[str, LoadedModule] = {}
    for mod in loaded.modules:
        if mod.module.id in first:
            problems.append(mod.source.problem(("id",), f"module id '{mod.module.id}' is already used by {first[mod.module.id].file} (expected an id unique across the course)"))
        first.setdefault(mod.module.id, mod)
    return problems


def _module_references(loaded: LoadedCourse | PartialCourse) -> list[Problem]:
    course = loaded.course
    ids = getattr(loaded, "module_ids", frozenset(m.module.id for m in loaded.modules))
    if course is None or ids is None:
        return []
    known = set(ids)
    problems = []
    lists: list[tuple[tuple[str, ...], Any]] = [(("completion", "required_modules"), course.completion.required_modules)]
    if course.certificate:
        lists.append((("certificate", "requires", "modules"), course.certificate.requires.modules))
    for path, refs in lists:
        if refs == "all":
            continue
        for i, module_id in enumerate(refs):
            if module_id not in known:
                problems.append(loaded.source.problem(path + (i,), f"no module has id '{module_id}' (expected one of: {', '.join(sorted(known))})"))
    return problems


def _manifest_titles(loaded: LoadedCourse | PartialCourse) -> list[Problem]:
    """Titles the SCORM 1.2 manifest carries must fit its 200 characters, or the LMS rejects the package."""
    problems = []
    course = loaded.course
    if course is not None and course.certificate is not None:
        # The certificate edition's package title is "<course title> (<certificate title>)"
        # (scorm12.package_title), so the two edition titles differ in the LMS.
        length = len(course.title) + len(course.certificate.title) + 3
        if length > TITLE_MAX:
            problems.append(loaded.source.problem(("certificate", "title"), f"the certificate edition's title '<course title> (<certificate title>)' would be {length} characters (expected at most {TITLE_MAX}, the SCORM 1.2 limit: shorten this title or the course title)"))
    for mod in loaded.modules:
        if len(mod.module.title) > TITLE_MAX:
            problems.append(mod.source.problem(("title",), f"module title is {len(mod.module.title)} characters (expected at most {TITLE_MAX}: it is a SCORM 1.2 manifest title with --sco-per-module)"))
    return problems


def _page_ids(mod: LoadedModule) -> list[Problem]:
    problems = []
    seen: dict[str, int] = {}
    for p, page in enumerate(mod.module.pages):
        if page.id in seen:
            first = mod.source.where(("pages", seen[page.id], "id"))[0]
            problems.append(mod.source.problem(("pages", p, "id"), f"page id '{page.id}' is used twice in module '{mod.module.id}' (expected unique page ids; first at line {first})"))
        seen.setdefault(page.id, p)
    return problems


def _activity_ids(loaded: LoadedCourse | PartialCourse) -> list[Problem]:
    """Quizzes and reflections are tracked by id course-wide, so their ids share one namespace."""
    problems = []
    seen: dict[str, tuple[LoadedModule, tuple[str | int, ...]]] = {}
    for mod in loaded.modules:
        for path, block in _blocks(mod):
            if isinstance(block, (QuizBlock, ReflectionBlock)):
                if block.id in seen:
                    first, first_path = seen[block.id]
                    line = first.source.where(first_path + ("id",))[0]
                    problems.append(mod.source.problem(path + ("id",), f"id '{block.id}' is already used by a quiz or reflection at {first.file} line {line} (expected ids unique across the course)"))
                seen.setdefault(block.id, (mod, path))
    return problems


def _reflection_limits(loaded: LoadedCourse | PartialCourse) -> list[Problem]:
    cert = loaded.course.certificate if loaded.course else None
    needed = cert.requires.reflection_min_chars if cert else 0
    problems = []
    for mod in loaded.modules:
        for path, block in _blocks(mod):
            if not isinstance(block, ReflectionBlock) or block.max_chars is None:
                continue
            if block.max_chars < block.min_chars:
                problems.append(mod.source.problem(path + ("max_chars",), f"max_chars {block.max_chars} is below min_chars {block.min_chars} (expected max_chars >= min_chars)"))
            elif block.required and block.max_chars < needed:
                problems.append(mod.source.problem(path + ("max_chars",), f"max_chars {block.max_chars} is below the certificate's reflection_min_chars {needed} (expected at least {needed})"))
    return problems


_MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|<img\b", re.IGNORECASE)
_MARKDOWN_FIELDS = ("text", "caption", "prompt", "guidance", "explanation", "feedback", "description", "true_feedback", "false_feedback")


@lru_cache(maxsize=None)
def _fields_of(model: type) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The Markdown fields and the child lists (choices, questions) a model has: asking a model for a
    field it lacks costs a raised and caught AttributeError, for each of thousands of blocks."""
    fields = getattr(model, "model_fields", {})
    return tuple(f for f in _MARKDOWN_FIELDS if f in fields), tuple(k for k in ("choices", "questions") if k in fields)


def _markdown_texts(path: tuple[str | int, ...], node: Any, texts: list[tuple[tuple[str | int, ...], str]] | None = None,
                    ) -> list[tuple[tuple[str | int, ...], str]]:
    """(YAML path, text) of every Markdown field of a block, its questions and their choices, in that order.
    (One list filled in, rather than nested generators passing each text up through every level.)"""
    if texts is None:
        texts = []
    markdown_fields, child_lists = _fields_of(type(node))
    for field in markdown_fields:
        value = getattr(node, field)
        if isinstance(value, str):
            texts.append((path + (field,), value))
    for key in child_lists:
        for i, child in enumerate(getattr(node, key) or ()):
            _markdown_texts(path + (key, i), child, texts)
    return texts


def _markdown_problems(mod: LoadedModule, path: tuple[str | int, ...], node: Any) -> list[Problem]:
    problems = []
    for where, text in _markdown_texts(path, node):
        if "]" not in text and "<" not in text:
            # Neither an image ('![..](..)', '<img') nor a link ('](', ']:', '<': links.py) can be written
            # without one of them: most texts are passed over without a regular expression (issue 16).
            continue
        if _MARKDOWN_IMAGE.search(text):
            # Images written in Markdown would be stripped by the sanitizer, alt text and all.
            problems.append(mod.source.problem(where, "image written in Markdown (expected an 'image' block with src and alt text)"))
        for target in disallowed_link_targets(text):
            problems.append(mod.source.problem(where, f"link to '{target}' is not a web address (expected https://..., mailto: or a #anchor: files beside the course are not packed, and learners would leave the course window)"))
    return problems


def _block_problems(loaded: LoadedCourse | PartialCourse, mod: LoadedModule, path: tuple[str | int, ...], block: Any) -> list[Problem]:
    problems: list[Problem] = _markdown_problems(mod, path, block)
    if isinstance(block, ImageBlock):
        alt = block.alt.strip()
        src = PurePosixPath(block.src)
        if alt.lower() in {src.name.lower(), src.stem.lower(), "image", "picture", "photo", "diagram", "img"}:
            problems.append(mod.source.problem(path + ("alt",), f"alt text '{alt}' does not describe the image (expected what it shows and why it matters)"))
    elif isinstance(block, VideoBlock):
        if block.captions is None and block.transcript is None:
            problems.append(mod.source.problem(path, "video has neither 'captions' nor 'transcript' (expected at least one: deaf and hard-of-hearing learners need it)"))
    elif isinstance(block, QuizBlock):
        problems += _quiz_problems(mod, path, block)
    return problems


# ---------------------------------------------------------------- assets

# Every block field that names a file in assets/: (field, allowed suffixes, what the file must be).
_ASSET_FIELDS: dict[type, tuple[tuple[str, frozenset[str], str], ...]] = {
    ImageBlock: (("src", _IMAGE_TYPES, "an image"),),
    VideoBlock: (
        ("src", _VIDEO_TYPES, "a video"),
        ("captions", _CAPTION_TYPES, "a WebVTT captions file"),
        ("transcript", _TEXT_TYPES, "a transcript"),
        ("poster", _IMAGE_TYPES, "an image"),
    ),
    AudioBlock: (("src", _AUDIO_TYPES, "an audio file"), ("transcript", _TEXT_TYPES, "a transcript")),
}
# The certificate's signature image (course.yaml): printed, so a format every browser prints.
_SIGNATURE_TYPES = frozenset({".png", ".jpg", ".jpeg", ".svg"})


# Named tuples rather than frozen dataclasses: made at import in a quarter of the time (issue 16: start-up).
class _CourseFile(NamedTuple):
    """course.yaml as the place an asset is named (the certificate's signature)."""

    file: str
    source: SourceMap


class AssetReference(NamedTuple):
    """One place a module names an asset: where the author can fix it, and what it must be."""

    module: LoadedModule | _CourseFile
    where: tuple[str | int, ...]  # YAML path of the field, e.g. ('pages', 0, 'blocks', 2, 'src')
    rel: str  # as written, relative to assets/
    kinds: frozenset[str]
    what: str

    def problem(self, message: str) -> Problem:
        return self.module.source.problem(self.where, message)


def asset_references(modules: Iterable[LoadedModule]) -> Iterator[AssetReference]:
    """Every asset reference of the modules, in course order."""
    for mod in modules:
        for path, block in _blocks(mod):
            for field, kinds, what in _ASSET_FIELDS.get(type(block), ()):
                rel = getattr(block, field)
                if rel is not None:
                    yield AssetReference(mod, path + (field,), rel, kinds, what)


def signature_reference(loaded: LoadedCourse | PartialCourse) -> AssetReference | None:
    """The certificate's signature image named in course.yaml, if any: checked like a module's images."""
    certificate = loaded.course.certificate if loaded.course else None
    rel = certificate.signatory.signature if certificate else None
    if rel is None:
        return None
    where = ("certificate", "signatory", "signature")
    return AssetReference(_CourseFile("course.yaml", loaded.source), where, rel, _SIGNATURE_TYPES, "a PNG, JPEG or SVG image")


def _asset_problems(loaded: LoadedCourse | PartialCourse, svg_problem: SvgCheck) -> list[Problem]:
    signature = signature_reference(loaded)
    refs = list(asset_references(loaded.modules)) + ([signature] if signature else [])
    problems = []
    for ref in refs:
        message = _asset_problem(loaded, ref, svg_problem)
        if message:
            problems.append(ref.problem(message))
    problems += _asset_case_collisions(refs)
    return problems


def _asset_problem(loaded: LoadedCourse | PartialCourse, ref: AssetReference, svg_problem: SvgCheck) -> str | None:
    rel = ref.rel
    form = relative_path_problem(rel)
    if form:
        return f"asset path '{rel}' {form} (expected a plain path inside assets/, like 'diagrams/ai-family.svg')"
    suffix = PurePosixPath(rel).suffix.lower()
    if suffix not in ref.kinds:
        return f"'{rel}' is not {ref.what} (expected a file ending in {', '.join(sorted(ref.kinds))})"
    escape = outside_folder(loaded.root, f"assets/{rel}")
    if escape is not None:
        kind = "file" if escape == f"assets/{rel}" else "folder"
        return f"asset '{rel}': {kind} '{escape}' links outside the course folder (expected files inside the course folder only; nothing outside it is read or packed)"
    path = loaded.assets_dir / rel
    if exact_case(loaded.assets_dir, rel) and path.exists():
        if not path.is_file():
            return f"asset '{rel}' is {'a folder' if path.is_dir() else 'not a regular file'} (expected a file)"
        if suffix == ".svg":
            return svg_problem(path, rel)
        if suffix in _TEXT_TYPES | _CAPTION_TYPES:
            return _utf8_problem(path, rel)
        return None
    on_disk = case_insensitive_match(loaded.assets_dir, rel)
    if on_disk is not None and on_disk != rel and (loaded.assets_dir / on_disk).is_file():
        return f"asset '{rel}' differs in letter case from '{on_disk}' on disk (expected the exact spelling; LMSs are case-sensitive)"
    if rel.startswith("assets/") and (loaded.assets_dir / rel[len("assets/"):]).is_file():
        return f"asset '{rel}' not found in assets/ (did you mean '{rel[len('assets/'):]}'? paths are relative to assets/)"
    return f"asset '{rel}' not found in assets/ (expected a file at assets/{rel})"


def _utf8_problem(path: Path, rel: str) -> str | None:
    """Transcripts are inlined and captions read as UTF-8: any other encoding would be garbled or dropped.
    Read in chunks: a captions file may be big, and memory must not grow with it."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line, col = 1, 1  # where the next character sits, counted in characters as editors do
    with path.open("rb") as source:
        while True:
            chunk = source.read(_CHUNK)
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                line, col = _advance(line, col, exc.object[: exc.start].decode("utf-8"))
                return f"'{rel}' line {line} column {col}: byte 0x{exc.object[exc.start]:02x} is not valid UTF-8 (expected a text file saved as UTF-8)"
            line, col = _advance(line, col, text)
            if not chunk:
                return None


def _advance(line: int, col: int, text: str) -> tuple[int, int]:
    newlines = text.count("\n")
    if newlines:
        return line + newlines, len(text) - text.rfind("\n")
    return line, col + len(text)


def _asset_case_collisions(refs: list[AssetReference]) -> list[Problem]:
    """Two spellings of one file on a case-insensitive server: both would be packed, one would win."""
    problems = []
    for first, later, first_name, later_name in case_collisions([r.rel for r in refs]):
        ref = refs[first]
        line = ref.module.source.where(ref.where)[0]
        what = "asset" if later_name == refs[later].rel else "folder"
        problems.append(refs[later].problem(
            f"{what} '{later_name}' differs only in letter case from '{first_name}' at {ref.module.file} line {line} "
            "(expected one spelling: on case-insensitive disks and LMS servers they are the same file)"
        ))
    return problems


def _quiz_problems(mod: LoadedModule, path: tuple[str | int, ...], quiz: QuizBlock) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    for q, question in enumerate(quiz.questions):
        qpath = path + ("questions", q)
        if question.id in seen:
            problems.append(mod.source.problem(qpath + ("id",), f"question id '{question.id}' is used twice in quiz '{quiz.id}' (expected unique question ids)"))
        seen.add(question.id)
        if isinstance(question, (SingleChoice, MultipleResponse)):
            problems += _unique(mod, qpath, "choices", [c.id for c in question.choices], "choice")
            problems += _unique(mod, qpath, "choices", [c.text for c in question.choices], "choice", field="text")
            ids = {c.id for c in question.choices}
            if isinstance(question, SingleChoice) and question.answer not in ids:
                problems.append(mod.source.problem(qpath + ("answer",), f"answer '{question.answer}' is not a choice id (expected one of: {', '.join(c.id for c in question.choices)})"))
            if isinstance(question, MultipleResponse):
                for a, answer in enumerate(question.answers):
                    if answer not in ids:
                        problems.append(mod.source.problem(qpath + ("answers", a), f"answer '{answer}' is not a choice id (expected one of: {', '.join(c.id for c in question.choices)})"))
                if len(set(question.answers)) != len(question.answers):
                    problems.append(mod.source.problem(qpath + ("answers",), "the same answer is listed twice (expected each choice id once)"))
        elif isinstance(question, Matching):
            problems += _unique(mod, qpath, "pairs", [p.id for p in question.pairs], "pair")
            problems += _unique(mod, qpath, "pairs", [p.prompt for p in question.pairs], "prompt", field="prompt")
            problems += _unique(mod, qpath, "pairs", [p.match for p in question.pairs], "match", field="match")
        elif isinstance(question, Sequencing):
            problems += _unique(mod, qpath, "items", [i.id for i in question.items], "item")
            problems += _unique(mod, qpath, "items", [i.text for i in question.items], "item", field="text")
    return problems


def _unique(mod: LoadedModule, qpath: tuple[str | int, ...], key: str, values: list[str], what: str, field: str = "id") -> list[Problem]:
    problems = []
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            label = what if what == field else f"{what} {field}"
            problems.append(mod.source.problem(qpath + (key, i, field), f"{label} '{value}' is used twice in this question (expected each {field} once)"))
        seen.add(value)
    return problems
