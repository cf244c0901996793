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


@dataclass(frozen=True)
class _Listing:
    mtime_ns: int
    names: tuple[str, ...]  # in the order the disk lists them (the first case-insensitive match wins)
    name_set: frozenset[str]


# Folder listings, reused while the folder's mtime is unchanged (adding, removing or renaming an entry
# changes it): one load checks every module file against the same `modules/` listing, so listing it once
# per file made loading quadratic in the number of modules. Keyed by mtime rather than cleared per load,
# so `coursepack preview` still sees a renamed file on its next rebuild.
_LISTINGS: dict[Path, _Listing] = {}
_MAX_LISTINGS = 1024


def _listing(folder: Path) -> _Listing | None:
    """folder's entry names, or None when it cannot be listed (missing, not a folder, no permission)."""
    try:
        mtime_ns = folder.stat().st_mtime_ns
        folder = folder.absolute()  # the same folder, whatever the current directory later
        cached = _LISTINGS.get(folder)
        if cached is not None and cached.mtime_ns == mtime_ns:
            return cached
        names = tuple(p.name for p in folder.iterdir())
    except OSError:
        return None
    if len(_LISTINGS) >= _MAX_LISTINGS:
        _LISTINGS.clear()
    listing = _LISTINGS[folder] = _Listing(mtime_ns, names, frozenset(names))
    return listing


def case_insensitive_match(root: Path, rel: str) -> str | None:
    """rel as spelled on disk when it exists ignoring letter case, else None."""
    here = root
    parts = []
    for part in Path(rel).parts:
        listing = _listing(here)
        if listing is None:
            return None
        names = listing.names
        match = part if part in listing.name_set else next((n for n in names if n.lower() == part.lower()), None)
        if match is None:
            return None
        parts.append(match)
        here = here / match
    return "/".join(parts)


def exact_case(root: Path, rel: str) -> bool:
    """True when every part of rel matches the disk's spelling exactly (matters on macOS/Windows)."""
    here = root
    for part in Path(rel).parts:
        listing = _listing(here)
        if listing is None or part not in listing.name_set:
            return False
        here = here / part
    return True
