"""The course built in memory, every edition, again on each change; the last good build stays.

Nothing is written to disk. A rebuild that fails (a YAML error, a course that no longer fits the
target) keeps the packages of the last good one and reports the problems with their file:line:col.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from coursepack.load.course_loader import LoadedCourse, load_course
from coursepack.load.errors import CourseError, Problem
from coursepack.preview.lms_runtimes import LmsRuntime
from coursepack.preview.scorm_launch import Launch
from coursepack.render.render_cache import RenderCache
from coursepack.targets.package import package_files

# A long session keeps every edited text's render: start a fresh cache now and then.
_RENDERS_KEPT_FOR = 200


@dataclass(frozen=True)
class Package:
    """One edition's package, every file in memory."""

    edition: str
    files: Mapping[str, bytes]
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
    editions: tuple[str, ...] = ()  # of the packages served
    took_ms: float = 0.0

    def as_json(self) -> dict[str, object]:
        return {
            "generation": self.generation, "goodGeneration": self.good_generation, "ok": self.ok,
            "problems": list(self.problems), "warnings": list(self.warnings), "title": self.title,
            "slug": self.slug, "editions": list(self.editions), "tookMs": round(self.took_ms, 1),
        }


def _problem_json(problem: Problem) -> dict[str, object]:
    return {"file": problem.file, "line": problem.line, "col": problem.col, "message": problem.message, "text": str(problem)}


@dataclass
class _AssetCache:
    """Asset bytes by path, read again only when the file's size or mtime changed."""

    entries: dict[Path, tuple[int, int, bytes]] = field(default_factory=dict)

    def read(self, path: Path) -> bytes:
        stat = path.stat()
        cached = self.entries.get(path)
        if cached is not None and cached[:2] == (stat.st_mtime_ns, stat.st_size):
            return cached[2]
        data = path.read_bytes()
        self.entries[path] = (stat.st_mtime_ns, stat.st_size, data)
        return data


class LiveBuild:
    """Rebuilds on request (the watcher asks); pages read `report` and `package()` from other threads."""

    def __init__(self, course_dir: Path, runtime: LmsRuntime, log: Callable[[str], None] = print):
        self.course_dir = course_dir
        self.runtime = runtime
        self._log = log
        self._lock = threading.Lock()  # one rebuild at a time
        self._packages: Mapping[str, Package] = MappingProxyType({})
        self._report = BuildReport(generation=0, good_generation=0, ok=False)
        self._assets = _AssetCache()
        self._renders = RenderCache()
        self._renders_used = 0

    @property
    def report(self) -> BuildReport:
        return self._report

    def package(self, edition: str) -> Package | None:
        return self._packages.get(edition)

    def rebuild(self, *, assets_changed: bool = True) -> BuildReport:
        """Load the course and build every edition. assets_changed False (only YAML changed) lets the
        Markdown renders of the last build be reused: a render depends on its text alone, but a
        transcript's is kept by path, so any other change starts a fresh cache."""
        with self._lock:
            started = time.perf_counter()
            generation = self._report.generation + 1
            if assets_changed or self._renders_used >= _RENDERS_KEPT_FOR:
                self._renders, self._renders_used = RenderCache(), 0
            self._renders_used += 1
            try:
                loaded = load_course(self.course_dir)
                packages = {edition: self._build(loaded, edition) for edition in loaded.course.editions()}
            except CourseError as error:
                return self._failed(generation, started, tuple(_problem_json(p) for p in error.problems))
            except OSError as error:  # a file vanished or turned unreadable between the load and the read
                text = f"{error.filename}: cannot be read ({error.strerror}); the next save tries again"
                return self._failed(generation, started, ({"file": str(error.filename), "line": 0, "col": 0, "message": text, "text": text},))
            except Exception as error:  # a bug, not the author's: say so, keep serving the last good build
                self._log(traceback.format_exc())
                text = f"coursepack could not build this course ({type(error).__name__}: {error}); this is a bug in coursepack"
                return self._failed(generation, started, ({"file": "", "line": 0, "col": 0, "message": text, "text": text},))
            self._packages = MappingProxyType(packages)
            self._report = BuildReport(
                generation=generation, good_generation=generation, ok=True,
                warnings=tuple(str(w) for w in loaded.warnings), title=loaded.course.title, slug=loaded.course.slug,
                editions=tuple(packages), took_ms=(time.perf_counter() - started) * 1000,
            )
            return self._report

    def _failed(self, generation: int, started: float, problems: tuple[dict[str, object], ...]) -> BuildReport:
        last = self._report
        self._report = BuildReport(
            generation=generation, good_generation=last.good_generation, ok=False, problems=problems,
            title=last.title, slug=last.slug, editions=last.editions, took_ms=(time.perf_counter() - started) * 1000,
        )
        return self._report

    def _build(self, loaded: LoadedCourse, edition: str) -> Package:
        files = {
            path: content if isinstance(content, bytes) else self._assets.read(content)
            for path, content in package_files(loaded, self.runtime.target, edition, renders=self._renders).items()
        }
        return Package(edition, MappingProxyType(files), self.runtime.read_launch(files))
