"""What loading a course folder yields: the validated course and its modules with their source
positions, or, for the cross-file checks, whatever did load. Kept apart from course_loader.py so the
checks can use these types while the loader calls the checks (no import cycle)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coursepack.load.errors import AuthorWarning
from coursepack.load.yaml_source import SourceMap
from coursepack.model.content import Module
from coursepack.model.course import Course


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
    # Legal but probably unintended (an unlisted module file); commands print them.
    warnings: tuple[AuthorWarning, ...] = ()

    @property
    def assets_dir(self) -> Path:
        return self.root / "assets"


@dataclass(frozen=True)
class PartialCourse:
    """What did load, for the cross-file checks: course is None when course.yaml is invalid."""

    root: Path
    course: Course | None
    source: SourceMap
    modules: tuple[LoadedModule, ...]
    # Ids of every listed module, or None when some module's id could not be read
    # (then references to modules cannot be checked without false alarms).
    module_ids: frozenset[str] | None

    @property
    def assets_dir(self) -> Path:
        return self.root / "assets"


def case_insensitive_match(root: Path, rel: str) -> str | None:
    """rel as spelled on disk when it exists ignoring letter case, else None."""
    here = root
    parts = []
    for part in Path(rel).parts:
        try:
            names = [p.name for p in here.iterdir()]
        except OSError:
            return None
        match = part if part in names else next((n for n in names if n.lower() == part.lower()), None)
        if match is None:
            return None
        parts.append(match)
        here = here / match
    return "/".join(parts)


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
