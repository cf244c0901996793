"""What coursepack's records of a course share (load/validate_cache.py, render/kept_markdown.py): where they
live, whole-file writes, and the stamps of the code that made a record.

Records live in the user's cache folder (COURSEPACK_CACHE, else $XDG_CACHE_HOME/coursepack, else
~/.cache/coursepack), under courses/<a hash of the course folder's real path>/, never in the course folder:
a course's repository cannot ship one, `coursepack new` cannot copy one out of its scaffold, and a copied
course starts afresh. (The compiled templates, shared by every course, are in jinja/ there:
render/template_cache.py.)

A record is given again only while the code that made it is unchanged: the interpreter and every module
file the making process had imported, each by size, mtime, ctime and inode. That is stricter than Python's
own bytecode cache (a source file's mtime in seconds and its size), and an editor's save by rename changes
the inode."""

from __future__ import annotations

import hashlib
import os
import sys

# The report store's folder in a course: never part of what a record's key hashes
COURSE_STORE_DIR = ".coursepack"


def cache_root() -> str:
    """The user's cache folder for coursepack: COURSEPACK_CACHE, else $XDG_CACHE_HOME/coursepack, else
    ~/.cache/coursepack."""
    return os.environ.get("COURSEPACK_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "coursepack")


def record_path(course_dir: str, name: str) -> str:
    """Where the record `name` of the course in course_dir is kept."""
    course = hashlib.blake2b(os.path.realpath(course_dir).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    return os.path.join(cache_root(), "courses", course, name)


def code_stamps() -> list[list[object]]:
    """[file, size, mtime, ctime, inode] of the interpreter and of every module file imported so far."""
    files = {os.path.realpath(sys.executable)}
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if isinstance(file, str):
            files.add(file)
    stamps = []
    for file in sorted(files):
        try:
            stamps.append([file, *_stamp(file)])
        except OSError:  # not a file: a script read from stdin ("<stdin>"), a frozen module
            continue
    return stamps


def _stamp(file: str) -> list[int]:
    info = os.stat(file)
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


def same_code(stamps: object) -> bool:
    """Whether every file of code_stamps() (as read back from JSON) is still as it was; False for no stamps."""
    if not isinstance(stamps, list) or not stamps:
        return False
    for entry in stamps:
        if not isinstance(entry, list) or not entry:
            return False
        file, *stamp = entry
        try:
            if _stamp(str(file)) != stamp:
                return False
        except OSError:
            return False
    return True


def write_record(course_dir: str, name: str, text: str) -> None:
    """text as the course's record `name`, whole or not at all (two processes may write at once).
    Raises OSError (no cache folder can be made): callers keep nothing then."""
    path = record_path(course_dir, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    _write_whole(path, text)


def _write_whole(path: str, text: str) -> None:
    partial = f"{path}.{os.getpid()}.partial"
    try:
        with open(partial, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
