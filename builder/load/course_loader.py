"""Load a course folder: course.yaml plus every module file, all problems gathered.

Every file that can be read is checked, and the cross-file checks run on whatever
loaded, so one run reports model errors and cross-file errors together.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from coursepack.load.checks import check_course
from coursepack.load.errors import AuthorWarning, CourseError, Problem, display_path
# the loaded course's types live in loaded.py (the checks use them); importers may take them from here
from coursepack.load.loaded import LoadedCourse, LoadedModule, PartialCourse, case_insensitive_match, exact_case, listings_kept
from coursepack.load.to_model import to_model
from coursepack.load.yaml_source import LoadedYaml, load_yaml
from coursepack.load.paths import outside_folder
from coursepack.model.content import Module
from coursepack.model.course import Course, ModuleFile

if TYPE_CHECKING:  # the preview's cache; build and validate do not import it
    from pydantic import TypeAdapter

    from coursepack.load.load_cache import LoadCache

COURSE_FILE = "course.yaml"
MODULES_DIR = "modules"


@lru_cache(maxsize=1)
def _module_file() -> TypeAdapter[str]:
    """A module file's path rule alone: asked only when course.yaml is invalid, so built then (and
    pydantic's TypeAdapter imported then: 1 ms of a valid course's check, issue 16)."""
    from pydantic import TypeAdapter

    return TypeAdapter(ModuleFile)


def load_course(root: Path, cache: LoadCache | None = None) -> LoadedCourse:
    """Read and check the course in root. Raises CourseError with every problem found.
    cache: files parsed and validated by earlier loads, reused when their bytes are the same
    (`coursepack preview`); the outcome is the same as without it."""
    with listings_kept(), _collector_paused():  # each folder listed once per load, not once per file checked in it
        try:
            return _load_course(root, cache if cache is not None else _NoCache())
        finally:
            if cache is not None:
                cache.forget_unused()


class _NoCache:
    """Every file read, parsed and validated afresh, every SVG checked afresh (build, validate)."""

    load_yaml = staticmethod(load_yaml)
    to_model = staticmethod(to_model)

    @staticmethod
    def svg_problem(path: Path, name: str) -> str | None:
        from coursepack.load.svg_check import svg_problem  # lxml: imported only for a course with SVGs

        return svg_problem(path, name)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Loading makes hundreds of thousands of objects and almost no garbage: the cyclic collector
    would walk them all again each time their number grows by a quarter (a third of the load time
    at 500 modules). Whatever garbage the load leaves is collected after it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _load_course(root: Path, cache: LoadCache | _NoCache) -> LoadedCourse:
    course_path = root / COURSE_FILE
    course_name = display_path(course_path)
    if root.is_file():
        raise CourseError([Problem(display_path(root), 1, 1, "is a file (expected the course folder holding course.yaml)")])
    if not root.is_dir():
        raise CourseError([Problem(display_path(root), 1, 1, "course folder not found (expected a folder holding course.yaml)")])
    if not course_path.exists():
        raise CourseError([Problem(course_name, 1, 1, "file not found (expected course.yaml at the root of the course folder; `coursepack new DIR` makes one)")])
    if outside_folder(root, COURSE_FILE) is not None:  # checked before reading: nothing outside is ever read
        raise CourseError([Problem(course_name, 1, 1, "links outside the course folder (expected course.yaml inside it; nothing outside the course folder is read)")])
    loaded = cache.load_yaml(course_path, course_name)  # unreadable: nothing else can be checked

    problems: list[Problem] = []
    course: Course | None = None
    try:
        course = cache.to_model(Course, loaded)
    except CourseError as exc:
        problems.extend(exc.problems)

    modules: list[LoadedModule] = []
    module_ids: set[str] | None = set()
    seen_files: dict[str, int] = {}
    files = _module_files(course, loaded)
    for index, rel in files:
        where = ("modules", index)
        if rel in seen_files:
            first_line = loaded.source.where(("modules", seen_files[rel]))[0]
            problems.append(loaded.source.problem(where, f"module file '{rel}' is listed twice (expected each module once; first at line {first_line})"))
            continue
        seen_files[rel] = index
        if not exact_case(root, rel):
            problems.append(loaded.source.problem(where, _missing_module_message(root, rel, [r for _, r in files])))
            module_ids = None
            continue
        escape = outside_folder(root, rel)
        if escape is not None:  # checked before reading: nothing outside the course folder is ever read
            kind = "file" if escape == rel else "folder"
            problems.append(loaded.source.problem(where, f"module file '{rel}': {kind} '{escape}' links outside the course folder (expected module files inside the course folder)"))
            module_ids = None
            continue
        path = root / rel
        name = display_path(path)
        try:
            module_yaml = cache.load_yaml(path, name)
        except CourseError as exc:
            problems.extend(exc.problems)
            module_ids = None
            continue
        raw_id = module_yaml.data.get("id") if isinstance(module_yaml.data, dict) else None
        if module_ids is not None:
            if isinstance(raw_id, str):
                module_ids.add(raw_id)
            else:
                module_ids = None
        try:
            modules.append(LoadedModule(rel, cache.to_model(Module, module_yaml), module_yaml.source))
        except CourseError as exc:
            problems.extend(exc.problems)

    partial = PartialCourse(root, course, loaded.source, tuple(modules), frozenset(module_ids) if module_ids is not None else None)
    problems += check_course(partial, cache.svg_problem)
    if problems:
        raise CourseError(problems)
    assert course is not None  # no problems means course.yaml validated
    warnings = tuple(
        AuthorWarning(display_path(root / rel), f"not listed in course.yaml modules (learners will not see it; list it there or move it out of {MODULES_DIR}/)")
        for rel in _unlisted_module_files(root, course.modules)
    )
    return LoadedCourse(root, course, loaded.source, tuple(modules), warnings)


def _module_files(course: Course | None, loaded: LoadedYaml) -> list[tuple[int, str]]:
    """(index, path) of every module file course.yaml lists validly, even when other fields are wrong."""
    if course is not None:
        return list(enumerate(course.modules))
    listed = loaded.data.get("modules") if isinstance(loaded.data, dict) else None
    if not isinstance(listed, list):
        return []
    files = []
    for index, rel in enumerate(listed):
        try:
            files.append((index, _module_file().validate_python(rel)))
        except ValidationError:
            pass  # already reported by the Course model
    return files


def _module_files_on_disk(root: Path) -> list[str]:
    """'modules/<name>' of every module-like file in modules/ (hidden files such as editor backups skipped)."""
    folder = root / MODULES_DIR
    try:
        names = sorted(p.name for p in folder.iterdir() if p.is_file())
    except OSError:
        return []
    return [f"{MODULES_DIR}/{n}" for n in names if n.endswith((".yaml", ".yml")) and not n.startswith(".")]


def _unlisted_module_files(root: Path, listed: list[str]) -> list[str]:
    wanted = set(listed)
    return [rel for rel in _module_files_on_disk(root) if rel not in wanted]


def _missing_module_message(root: Path, rel: str, course_list: list[str]) -> str:
    on_disk = case_insensitive_match(root, rel)
    if on_disk is not None:
        return f"module file '{rel}' differs in letter case from '{on_disk}' on disk (expected the exact spelling; LMSs are case-sensitive)"
    expected = f"expected a file at {display_path(root / rel)}"
    if not (root / MODULES_DIR).is_dir():
        return f"module file '{rel}' not found ({expected}; the course folder has no {MODULES_DIR}/ folder)"
    # The path always has the right form here (the model checks it): the file itself is
    # missing, so name the unlisted files whose names are close, comparing stems so that
    # '.yml' for '.yaml' and the shared 'modules/' prefix neither hide nor fake a match.
    import difflib  # only for this message: a valid course's check does without it (issue 16: start-up)

    unlisted = {Path(r).stem: r for r in _unlisted_module_files(root, course_list)}
    near = [unlisted[s] for s in difflib.get_close_matches(Path(rel).stem, list(unlisted), n=3, cutoff=0.6)]
    if near:
        return f"module file '{rel}' not found ({expected}; did you mean {_either(near)}?)"
    return f"module file '{rel}' not found ({expected}; no unlisted file in {MODULES_DIR}/ has a similar name)"


def _either(names: list[str]) -> str:
    quoted = [f"'{n}'" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
