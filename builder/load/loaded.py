"""What loading a course folder yields: the validated course and its modules with their source
positions, or, for the cross-file checks, whatever did load. Kept apart from course_loader.py so the
checks can use these types while the loader calls the checks (no import cycle)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import NamedTuple

from coursepack.load.errors import AuthorWarning
from coursepack.load.yaml_source import SourceMap
from coursepack.model.content import Module
from coursepack.model.course import Course

# Records as named tuples rather than frozen dataclasses: the same fields, equality and hash, made at import
# in a quarter of the time (issue 16: start-up).


class LoadedModule(NamedTuple):
    """One module file as loaded: its validated model and where each of its values came from."""

    file: str  # as listed in course.yaml, e.g. 'modules/01-what-is-ai.yaml'
    module: Module
    source: SourceMap


class LoadedCourse(NamedTuple):
    """A course that loaded without problems: course.yaml's model and every module, in course order."""

    root: Path
    course: Course
    source: SourceMap
    modules: tuple[LoadedModule, ...]
    # Legal but probably unintended (an unlisted module file); commands print them.
    warnings: tuple[AuthorWarning, ...] = ()

    @property
    def assets_dir(self) -> Path:
        return self.root / "assets"


class PartialCourse(NamedTuple):
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


# Folder listings, kept for the length of one load (`listings_kept()`): a load checks every module file
# against the same `modules/` listing, and listing it once per file made loading quadratic in the number
# of modules. Not kept beyond a load: a folder's mtime can stay the same across two quick renames (its
# granularity is the kernel's clock tick), and `coursepack preview` must see every rename on its next rebuild.
_LISTINGS: ContextVar[dict[Path, tuple[tuple[str, ...], frozenset[str]]] | None] = ContextVar("_LISTINGS", default=None)


@contextmanager
def listings_kept() -> Iterator[None]:
    """Within this block, each folder is listed once."""
    token = _LISTINGS.set({})
    try:
        yield
    finally:
        _LISTINGS.reset(token)


def _listing(folder: Path) -> tuple[tuple[str, ...], frozenset[str]] | None:
    """folder's entry names in the order the disk lists them (the first case-insensitive match wins) and
    as a set, or None when it cannot be listed (missing, not a folder, no permission)."""
    kept = _LISTINGS.get()
    key = folder.absolute()
    if kept is not None and key in kept:
        return kept[key]
    try:
        names = tuple(p.name for p in folder.iterdir())
    except OSError:
        return None
    listing = (names, frozenset(names))
    if kept is not None:
        kept[key] = listing
    return listing


def case_insensitive_match(root: Path, rel: str) -> str | None:
    """rel as spelled on disk when it exists ignoring letter case, else None."""
    here = root
    parts = []
    for part in Path(rel).parts:
        listing = _listing(here)
        if listing is None:
            return None
        names, name_set = listing
        match = part if part in name_set else next((n for n in names if n.lower() == part.lower()), None)
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
        if listing is None or part not in listing[1]:
            return False
        here = here / part
    return True
