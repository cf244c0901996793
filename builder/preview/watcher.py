"""Watch what a build reads (course.yaml, modules/, assets/) and say which files changed.

What changed is always decided the same way: a snapshot of every watched file's mtime, size and inode,
compared with the last one (a few dozen stat() calls: microseconds). When to look is the part that
costs time between a save and the rebuild:
- on Linux, inotify (inotify.py) wakes the watcher as soon as a file is written; the snapshot is also
  taken every SAFETY_POLL_SECONDS, for changes inotify does not report (network filesystems, some
  container mounts);
- elsewhere, or when no inotify instance is left, the snapshot is taken every POLL_SECONDS.

An editor's save is a burst: vim creates and deletes a test file, renames the original to a backup,
writes the new file and deletes the backup; other editors write a temporary file and rename it over
the original. After the first event the watcher waits until the watched folders have been quiet for
DEBOUNCE_SECONDS, no file it had is missing and no file created is still open for writing (at most
MAX_SETTLE_SECONDS), so one save is one rebuild, of the finished file.

Only those three places are watched: nothing else in the course folder can change a package (a course
at a repository's root would otherwise have the whole repository scanned). Names starting with a dot
(editors' swap and backup files, which change on every keystroke) are ignored.
"""

from __future__ import annotations

import os
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from coursepack.preview.inotify import IN_CREATE, IN_ISDIR, IN_Q_OVERFLOW, Event, Inotify, open_inotify

WATCHED = ("course.yaml", "modules", "assets")
POLL_SECONDS = 0.05  # without inotify: stat()ing a course's few dozen files 20 times a second costs well under 1% of a core
SAFETY_POLL_SECONDS = 1.0  # with inotify: the snapshot taken anyway, for changes inotify cannot see
DEBOUNCE_SECONDS = 0.01  # an editor's save burst takes a few milliseconds; this quiet time ends it
MAX_SETTLE_SECONDS = 0.3  # files changing without pause (a checkout, a script) still rebuild this often

Snapshot = dict[str, tuple[int, int, int]]  # path relative to the course folder -> (mtime_ns, size, inode)


def read_by_build(rel: str) -> bool:
    """Whether a build can read the file at rel (relative to the course folder, with '/'): course.yaml,
    a module file (.yaml or .yml: editors' backups and temporary files beside it are not), any asset."""
    parts = rel.split("/")
    if any(part.startswith(".") for part in parts):  # editors' swap files change on every keystroke
        return False
    if parts[0] == "modules":
        return rel.lower().endswith((".yaml", ".yml"))
    return rel == "course.yaml" or (parts[0] == "assets" and len(parts) > 1)


def _scan(course_dir: Path) -> tuple[Snapshot, list[str]]:
    """The snapshot, and every folder that may hold watched files (the course folder first)."""
    found: Snapshot = {}
    root = str(course_dir)
    folders = [root]
    pending = [os.path.join(root, name) for name in WATCHED]
    while pending:
        path = pending.pop()
        try:
            entries = list(os.scandir(path))
        except NotADirectoryError:
            entries = None
        except OSError:  # missing: nothing to watch there
            continue
        if entries is None:  # a file: course.yaml (or a file where a folder belongs: the build says so)
            _add(found, root, path)
            continue
        folders.append(path)
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                pending.append(entry.path)
            else:
                _add(found, root, entry.path)
    return found, folders


def _add(found: Snapshot, root: str, path: str) -> None:
    rel = Path(os.path.relpath(path, root)).as_posix()
    if not read_by_build(rel):
        return
    try:
        stat = os.stat(path)
    except OSError:  # deleted while we looked: the next look sees it gone
        return
    found[rel] = (stat.st_mtime_ns, stat.st_size, stat.st_ino)


def snapshot(course_dir: Path) -> Snapshot:
    """Every watched file with its mtime, size and inode (an editor's save-by-rename changes the inode)."""
    return _scan(course_dir)[0]


def changed_files(before: Snapshot, after: Snapshot) -> set[str]:
    return {rel for rel in before.keys() | after.keys() if before.get(rel) != after.get(rel)}


def _relevant(event: Event, root: str) -> str | None:
    """The path (relative to the course folder) an inotify event is about when it may be a change to
    what a build reads ("" for lost events or a watched folder itself), else None."""
    if event.mask & IN_Q_OVERFLOW or not event.name:
        return ""
    rel = Path(os.path.relpath(os.path.join(event.folder, event.name), root)).as_posix()
    if event.mask & IN_ISDIR:  # a folder came or went: what it holds did too
        parts = rel.split("/")
        return rel if parts[0] in WATCHED[1:] and not any(part.startswith(".") for part in parts) else None
    return rel if read_by_build(rel) else None


class CourseWatcher:
    """Calls on_change(changed paths) from its own thread whenever a watched file is added, changed or
    removed. stop() ends the thread. poll_interval None: the interval of the mode (inotify or polling)."""

    def __init__(self, course_dir: Path, on_change: Callable[[set[str]], None], poll_interval: float | None = None,
                 *, use_inotify: bool = True, debounce: float = DEBOUNCE_SECONDS, max_settle: float = MAX_SETTLE_SECONDS):
        self.course_dir = course_dir
        self._root = str(course_dir)
        self._on_change = on_change
        self._notify: Inotify | None = open_inotify() if use_inotify else None
        self._interval = poll_interval or (SAFETY_POLL_SECONDS if self._notify else POLL_SECONDS)
        self._debounce = debounce
        self._max_settle = max_settle
        self._stop = threading.Event()
        self._writing: set[str] = set()  # files created and not closed yet: their content is still coming
        self._last = self._look()
        self._thread = threading.Thread(target=self._run, name="coursepack-preview-watcher", daemon=True)

    @property
    def mode(self) -> str:
        return "inotify" if self._notify else "polling"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._notify:
            self._notify.wake()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        if self._notify and not self._thread.is_alive():  # a thread stuck in a rebuild keeps its descriptors
            self._notify.close()
            self._notify = None

    def _look(self) -> Snapshot:
        """The snapshot, with every folder found watched. Watching a folder already watched costs one
        system call and changes nothing; a folder newly watched (created, or re-created) is scanned
        again, so a file written into it before its watch began is in the snapshot all the same."""
        found, folders = _scan(self.course_dir)
        if self._notify is None:
            return found
        new = [folder for folder in folders if self._notify.watch(folder)]
        return _scan(self.course_dir)[0] if new else found

    def _run(self) -> None:
        next_look = time.monotonic() + self._interval  # the poll, or with inotify the safety poll
        while not self._stop.is_set():
            if self._notify is None:
                if self._stop.wait(self._interval):
                    break
            else:
                left = next_look - time.monotonic()
                if left > 0:
                    if not self._woken(left):  # events about nothing a build reads, or stop(): wait on
                        continue
                    self._settle()
            if self._stop.is_set():
                break
            next_look = time.monotonic() + self._interval
            self._writing.clear()  # written by now, or held open past the settle time: look anyway
            now = self._look()
            changed = changed_files(self._last, now)
            self._last = now
            if changed:
                try:
                    self._on_change(changed)
                except Exception:  # a bug in a rebuild must not stop the watching
                    traceback.print_exc()

    def _woken(self, timeout: float) -> bool:
        """Whether an event about what a build reads came within timeout seconds."""
        assert self._notify is not None
        woken = False
        for event in self._notify.wait(timeout):
            rel = _relevant(event, self._root)
            if rel is None:
                continue
            woken = True
            if event.mask & IN_CREATE and not event.mask & IN_ISDIR:
                self._writing.add(rel)  # empty until its writer closes it (IN_CLOSE_WRITE)
            else:
                self._writing.discard(rel)
        return woken

    def _settle(self) -> None:
        """Wait until no relevant event came for the debounce time, no file of the last snapshot is
        missing (an editor that renamed the old file away has not written the new one yet) and no new
        file is still being written, or until the settle time is over (a file deleted for good)."""
        last = time.monotonic()
        deadline = last + self._max_settle
        while not self._stop.is_set():
            now = time.monotonic()
            if now >= deadline:
                return
            if now >= last + self._debounce:
                if not self._mid_save():
                    return
                last = now
            if self._woken(min(last + self._debounce, deadline) - now):
                last = time.monotonic()

    def _mid_save(self) -> bool:
        return bool(self._writing) or any(not os.path.exists(os.path.join(self._root, rel)) for rel in self._last)
