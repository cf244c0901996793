"""`coursepack validate`'s memory of a course it found valid, in the user's cache folder (issue 16: start-up;
load/cache_files.py says where).

Checking a course takes about half a second, nearly all of it importing PyYAML, pydantic and the models;
checking it again unchanged needs none of them. A valid outcome (the lines it printed) is kept with a key
made of everything the outcome depends on, and given again only when every part of the key is the same:

- the course's inputs: the names in the course folder (the module list and the case checks look at them)
  and everything in course.yaml, modules/ and assets/, recursively: each entry's name and kind, and each
  file's size and bytes (hashed). Loading reads nothing else: module files must lie in modules/ and
  assets in assets/, and no symbolic link is followed (a course with one there is never kept: its target
  lies outside what is hashed). A course with more than MAX_HASHED_BYTES to hash is never kept either;
- how it is shown: the current folder and the COURSE_DIR as given (problems and warnings are printed
  relative to it), each resolved too, and the command's options;
- the code that decided it: coursepack's version, the interpreter, and every module file the deciding
  run had imported (load/cache_files.py's stamps).

Only valid outcomes are kept (a course with problems is checked afresh). The inputs are hashed before the
load and again after it, and kept only when both agree, so a file saved during the load is not mistaken
for the one that was checked. A missing, unreadable or corrupt record is a miss; a folder that cannot be
written is not an error (nothing is kept)."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from typing import NamedTuple

from coursepack import __version__
from coursepack.load.cache_files import COURSE_STORE_DIR, code_stamps, record_path, same_code, write_record

CACHE_FILE = "validate.json"
FORMAT = 1
MAX_HASHED_BYTES = 16 * 1024 * 1024  # a course with big media files is checked afresh rather than read twice
MAX_ENTRIES = 20_000
# What loading reads in the course folder, besides the listing of the folder itself
INPUTS = ("course.yaml", "modules", "assets")


class _Uncacheable(Exception):
    """The course holds something whose effect on loading is not captured by hashing it."""


class Outcome(NamedTuple):
    """What a valid check printed, kept to be printed again. (A named tuple: made at import in a quarter of a
    frozen dataclass's time, and imported by every check, the unchanged course's too.)"""

    stderr: tuple[str, ...]  # the warnings, as printed
    stdout: tuple[str, ...]


class ValidateCache:
    """One course folder's record, for one way of asking (folder as given, current folder, options)."""

    def __init__(self, course_dir: str, options: str) -> None:
        self._dir = course_dir
        self._file = record_path(course_dir, CACHE_FILE)
        self._asked = [FORMAT, __version__, sys.version, _cwd(), course_dir, os.path.realpath(course_dir), options]
        self._key_before = self._key()

    def _key(self) -> str | None:
        inputs = inputs_digest(self._dir)
        if inputs is None:
            return None
        return hashlib.blake2b(json.dumps([*self._asked, inputs]).encode(), digest_size=32).hexdigest()

    def outcome(self) -> Outcome | None:
        """What the same check printed before, or None if anything it depends on may have changed."""
        if self._key_before is None:
            return None
        try:
            with open(self._file, encoding="utf-8") as handle:
                record = json.loads(handle.read())
            if record["key"] != self._key_before or not same_code(record["code"]):
                return None
            stderr, stdout = record["stderr"], record["stdout"]
            if not all(isinstance(line, str) for line in [*stderr, *stdout]):
                return None
            return Outcome(tuple(stderr), tuple(stdout))
        except (OSError, ValueError, KeyError, TypeError):  # missing, unreadable or corrupt: a miss
            return None

    def keep(self, outcome: Outcome) -> None:
        """Record a valid outcome, if the inputs are still those hashed before the check began."""
        if self._key_before is None or self._key() != self._key_before:
            return
        try:
            record = {"key": self._key_before, "code": code_stamps(), "stderr": list(outcome.stderr), "stdout": list(outcome.stdout)}
            write_record(self._dir, CACHE_FILE, json.dumps(record))
        except OSError:  # no cache folder can be written: nothing kept, nothing wrong
            pass


def _cwd() -> str:
    try:
        cwd = os.getcwd()
    except OSError:  # the current folder was deleted: shown paths cannot be told apart, so never match
        return "\0"
    return cwd + "\0" + os.path.realpath(cwd)


def inputs_digest(course_dir: str) -> str | None:
    """A digest of everything loading the course in course_dir reads, or None when that cannot be
    captured (a symbolic link or special file among the inputs, too many bytes, an unreadable file)."""
    hasher = hashlib.blake2b(digest_size=32)
    try:
        names = sorted(name for name in os.listdir(course_dir) if name != COURSE_STORE_DIR)
        hasher.update(json.dumps(names).encode())
        budget = [MAX_HASHED_BYTES, MAX_ENTRIES]
        for name in INPUTS:
            _hash_entry(hasher, os.path.join(course_dir, name), name, budget)
    except (OSError, _Uncacheable):
        return None
    return hasher.hexdigest()


def _hash_entry(hasher: hashlib._Hash, path: str, rel: str, budget: list[int]) -> None:
    budget[1] -= 1
    if budget[1] < 0:
        raise _Uncacheable(rel)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        hasher.update(f"missing\0{rel}\0".encode())
        return
    if stat.S_ISDIR(info.st_mode):
        hasher.update(f"folder\0{rel}\0".encode())
        for name in sorted(os.listdir(path)):
            _hash_entry(hasher, os.path.join(path, name), f"{rel}/{name}", budget)
    elif stat.S_ISREG(info.st_mode):
        budget[0] -= info.st_size
        if budget[0] < 0:
            raise _Uncacheable(rel)
        with open(path, "rb") as handle:
            data = handle.read(info.st_size + 1)
        hasher.update(f"file\0{rel}\0{len(data)}\0".encode())
        hasher.update(hashlib.blake2b(data, digest_size=32).digest())
    else:  # a symbolic link (its target is not hashed), a FIFO, a device ...
        raise _Uncacheable(rel)
