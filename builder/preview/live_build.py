"""The course built in memory, again on each change; the last good build stays.

Nothing is written to disk. A rebuild that fails (a YAML error, a course that no longer fits the
target) keeps the packages of the last good one and reports the problems with their file:line:col.

A rebuild builds first the edition the page shows (the one it last asked for), so the page can reload
at once; the other editions of that load are built when asked for (`package()`, `complete()`): the
server asks once the page has reloaded, or when the page switches edition. Until then they are
"pending", and never served from an older load. Markdown renders are kept from one rebuild to the
next (a render depends on its text alone), except when a file that may be a transcript changed, and
so are each course file's parse and validation while its bytes stay the same (load/load_cache.py).
"""

from __future__ import annotations

import hashlib
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from coursepack.load.course_loader import LoadedCourse, load_course
from coursepack.load.errors import CourseError, Problem
from coursepack.load.load_cache import LoadCache
from coursepack.preview.lms_runtimes import LmsRuntime
from coursepack.preview.scorm_launch import Launch
from coursepack.render.render_cache import RenderCache
from coursepack.targets.package import package_files

# A long session keeps every edited text's render: start a fresh cache now and then.
_RENDERS_KEPT_FOR = 200
# Transcripts are read by the render cache, once per cache (load/checks.py's transcript types).
_TRANSCRIPT_SUFFIXES = (".md", ".txt")


def etag(data: bytes) -> str:
    """An HTTP entity tag for a file's content: the page's next load asks "still this?" and gets 304."""
    return '"' + hashlib.blake2b(data, digest_size=12).hexdigest() + '"'


@dataclass(frozen=True)
class Package:
    """One edition's package, every file in memory, with each file's entity tag."""

    edition: str
    files: Mapping[str, bytes]
    etags: Mapping[str, str]
    launch: Launch


@dataclass(frozen=True)
class BuildReport:
    """What the last rebuild gave; `ok` False keeps the packages of the last good one."""

    generation: int  # counts rebuilds, good or not
    good_generation: int  # the rebuild whose packages are served (0: none yet)
    ok: bool
    problems: tuple[dict[str, object], ...] = ()  # {file, line, col, message, text}
    warnings: tuple[str, ...] = ()
    title: str = ""
    slug: str = ""
    editions: tuple[str, ...] = ()  # of the last good build, pending ones included
    took_ms: float = 0.0  # the load and the first edition

    def as_json(self) -> dict[str, object]:
        return {
            "generation": self.generation, "goodGeneration": self.good_generation, "ok": self.ok,
            "problems": list(self.problems), "warnings": list(self.warnings), "title": self.title,
            "slug": self.slug, "editions": list(self.editions), "tookMs": round(self.took_ms, 1),
        }


def _problem_json(problem: Problem) -> dict[str, object]:
    return {"file": problem.file, "line": problem.line, "col": problem.col, "message": problem.message, "text": str(problem)}


def _problems_of(error: Exception, log: Callable[[str], None]) -> tuple[dict[str, object], ...]:
    """A failed build's problems as the page and the terminal show them."""
    if isinstance(error, CourseError):
        return tuple(_problem_json(p) for p in error.problems)
    if isinstance(error, OSError):  # a file vanished or turned unreadable between the load and the read
        text = f"{error.filename}: cannot be read ({error.strerror}); the next save tries again"
        return ({"file": str(error.filename), "line": 0, "col": 0, "message": text, "text": text},)
    log(traceback.format_exc())  # a bug, not the author's: say so, keep serving the last good build
    text = f"coursepack could not build this course ({type(error).__name__}: {error}); this is a bug in coursepack"
    return ({"file": "", "line": 0, "col": 0, "message": text, "text": text},)


def _may_be_transcript(rel: str) -> bool:
    return rel.startswith("assets/") and rel.lower().endswith(_TRANSCRIPT_SUFFIXES)


@dataclass
class _AssetCache:
    """Asset bytes and entity tag by path, read again only when the file's size or mtime changed."""

    entries: dict[Path, tuple[int, int, bytes, str]] = field(default_factory=dict)

    def read(self, path: Path) -> tuple[bytes, str]:
        stat = path.stat()
        cached = self.entries.get(path)
        if cached is not None and cached[:2] == (stat.st_mtime_ns, stat.st_size):
            return cached[2], cached[3]
        data = path.read_bytes()
        self.entries[path] = (stat.st_mtime_ns, stat.st_size, data, etag(data))
        return data, self.entries[path][3]


class LiveBuild:
    """Rebuilds on request (the watcher asks); pages read `report` and `package()` from other threads."""

    def __init__(self, course_dir: Path, runtime: LmsRuntime, log: Callable[[str], None] = print):
        self.course_dir = course_dir
        self.runtime = runtime
        self._log = log
        self._lock = threading.Lock()  # one build at a time
        self._packages: Mapping[str, Package] = MappingProxyType({})  # each edition's last good package
        self._loaded: LoadedCourse | None = None  # the last good load
        self._pending: frozenset[str] = frozenset()  # editions of that load not built yet
        self._report = BuildReport(generation=0, good_generation=0, ok=False)
        self._assets = _AssetCache()
        self._renders = RenderCache()
        self._renders_used = 0
        self._files = LoadCache()  # each course file's parse and model, reused while its bytes stay the same

    @property
    def report(self) -> BuildReport:
        return self._report

    @property
    def pending(self) -> frozenset[str]:
        """Editions of the last good load not built yet (package() builds one when asked)."""
        return self._pending

    def package(self, edition: str) -> Package | None:
        """The edition's package of the last good build, built now if it was pending."""
        if edition in self._pending:
            self.complete(edition)
        return self._packages.get(edition)

    def rebuild(self, *, changed: Iterable[str] | None = None, first: str = "standard") -> BuildReport:
        """Load the course and build the edition `first` (or the course's first edition when it has no
        such edition); the others are pending. changed: the course files that changed since the last
        rebuild (None: unknown), which decides whether the Markdown renders can be kept."""
        with self._lock:
            started = time.perf_counter()
            generation = self._report.generation + 1
            if changed is None or any(_may_be_transcript(rel) for rel in changed) or self._renders_used >= _RENDERS_KEPT_FOR:
                self._renders, self._renders_used = RenderCache(), 0
            self._renders_used += 1
            try:
                loaded = load_course(self.course_dir, self._files)
                editions = loaded.course.editions()
                first = first if first in editions else editions[0]
                built = self._build(loaded, first)
            except Exception as error:
                return self._failed(generation, started, _problems_of(error, self._log))
            # pending before packages: a reader (no lock) never takes the older load's package for this one's
            self._loaded, self._pending = loaded, frozenset(editions) - {first}
            kept = {edition: package for edition, package in self._packages.items() if edition in editions}
            self._packages = MappingProxyType({**kept, first: built})
            self._report = BuildReport(
                generation=generation, good_generation=generation, ok=True,
                warnings=tuple(str(w) for w in loaded.warnings), title=loaded.course.title, slug=loaded.course.slug,
                editions=tuple(editions), took_ms=(time.perf_counter() - started) * 1000,
            )
            return self._report

    def complete(self, edition: str | None = None) -> bool:
        """Build the pending editions (or only `edition`). True when one failed and the report changed to
        say why (a report already failed keeps its problems); that edition keeps its last good package."""
        if not self._pending:
            return False
        with self._lock:
            loaded = self._loaded
            if loaded is None:  # pending is set with the load it belongs to: never here
                return False
            for name in [e for e in self._report.editions if e in self._pending and edition in (None, e)]:
                started = time.perf_counter()
                try:
                    built = self._build(loaded, name)
                except Exception as error:
                    self._pending -= {name}
                    if not self._report.ok:
                        return False
                    self._failed(self._report.generation, started, _problems_of(error, self._log))
                    return True
                # the package first: a reader (no lock) sees the edition pending or built, never missing
                self._packages = MappingProxyType({**self._packages, name: built})
                self._pending -= {name}
            return False

    def _failed(self, generation: int, started: float, problems: tuple[dict[str, object], ...]) -> BuildReport:
        last = self._report
        self._report = BuildReport(
            generation=generation, good_generation=last.good_generation, ok=False, problems=problems,
            title=last.title, slug=last.slug, editions=last.editions, took_ms=(time.perf_counter() - started) * 1000,
        )
        return self._report

    def _build(self, loaded: LoadedCourse, edition: str) -> Package:
        files: dict[str, bytes] = {}
        etags: dict[str, str] = {}
        for path, content in package_files(loaded, self.runtime.target, edition, renders=self._renders).items():
            if isinstance(content, bytes):
                files[path], etags[path] = content, etag(content)
            else:
                files[path], etags[path] = self._assets.read(content)
        return Package(edition, MappingProxyType(files), MappingProxyType(etags), self.runtime.read_launch(files))
