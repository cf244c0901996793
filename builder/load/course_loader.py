"""Load a course folder: course.yaml plus every module file, all problems gathered."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from builder.load.errors import CourseError, Problem, display_path
from builder.load.to_model import to_model
from builder.load.yaml_source import SourceMap, load_yaml
from builder.model.content import Module
from builder.model.course import Course

COURSE_FILE = "course.yaml"


@dataclass(frozen=True)
class LoadedModule:
    file: str  # as listed in course.yaml, e.g. 'modules/01-what-is-ai.yaml'
    module: Module
    source: SourceMap


@dataclass(frozen=True)
class LoadedCourse:
    root: Path
    course: Course
    source: SourceMap
    modules: tuple[LoadedModule, ...]

    @property
    def assets_dir(self) -> Path:
        return self.root / "assets"


def load_course(root: Path) -> LoadedCourse:
    """Read and check the course in root. Raises CourseError with every problem found."""
    from builder.load.checks import check_course  # late: checks import this module's types

    course_path = root / COURSE_FILE
    course_name = display_path(course_path, root)
    if not root.is_dir():
        raise CourseError([Problem(display_path(root, root), 1, 1, "course folder not found (expected a folder holding course.yaml)")])
    if not course_path.exists():
        raise CourseError([Problem(course_name, 1, 1, "file not found (expected course.yaml at the root of the course folder; `coursepack new DIR` makes one)")])
    loaded = load_yaml(course_path, course_name)
    course = to_model(Course, loaded)

    problems: list[Problem] = []
    modules: list[LoadedModule] = []
    seen_files: dict[str, int] = {}
    for index, rel in enumerate(course.modules):
        where = ("modules", index)
        if rel in seen_files:
            problems.append(loaded.source.problem(where, f"module file '{rel}' is listed twice (first as item {seen_files[rel] + 1})"))
            continue
        seen_files[rel] = index
        path = root / rel
        if not path.exists():
            problems.append(loaded.source.problem(where, f"module file '{rel}' not found"))
            continue
        if not exact_case(root, rel):
            problems.append(loaded.source.problem(where, f"module file '{rel}' differs in letter case from the file on disk (LMSs are case-sensitive)"))
            continue
        try:
            module_yaml = load_yaml(path, display_path(path, root))
            modules.append(LoadedModule(rel, to_model(Module, module_yaml), module_yaml.source))
        except CourseError as exc:
            problems.extend(exc.problems)
    if problems:
        raise CourseError(problems)
    result = LoadedCourse(root, course, loaded.source, tuple(modules))
    problems = check_course(result)
    if problems:
        raise CourseError(problems)
    return result


def exact_case(root: Path, rel: str) -> bool:
    """True when every part of rel matches the disk's spelling exactly (matters on macOS/Windows)."""
    here = root
    for part in Path(rel).parts:
        try:
            names = {p.name for p in here.iterdir()}
        except OSError:
            return False
        if part not in names:
            return False
        here = here / part
    return True
