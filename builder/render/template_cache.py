"""Where the build's templates' compiled code comes from, before Jinja compiles one: the code shipped in
coursepack while it is current (shipped_templates.py), else Jinja's bytecode cache in the user's cache
folder, so that a template is compiled once per coursepack version and machine (issue 16: compiling the
three templates was about 13 % of a build of the example).

The cache holds code that Jinja runs (a pickled checksum and marshalled code objects), so it lives only
where no one but the user writes: <cache root>/jinja/ (load/cache_files.py's root), made with mode 0700,
and used only while it is a folder of this user that no one else can write. Never in a course folder,
`dist/` or a package: a course's repository could ship a crafted one.

A compiled template is given again only for the same template: Jinja's bucket holds a checksum of the
source and a magic header of Jinja's bytecode format and the Python version; the key adds coursepack's
and Jinja's versions, the template's name and file, and the environment's settings that decide the code
(delimiters, whitespace control, autoescaping, filters and tests). Anything else in a cache file, garbage
or a stale format, is compiled afresh. A cache that cannot be read or written (read-only home, full disk)
never fails a build: it is as if there were none.

Every new coursepack version (and every copy of coursepack at another path) compiles its own files, so
the old ones are pruned: a file read is marked used (its time set, at most once a day), and whenever
templates are compiled and written, which is rare, files unused for KEEP_DAYS are removed."""

from __future__ import annotations

import hashlib
import os
import stat
import time

import jinja2
from jinja2 import Environment, FileSystemBytecodeCache
from jinja2.bccache import Bucket

from coursepack import __version__
from coursepack.load.cache_files import cache_root
from coursepack.render.shipped_templates import autoescapes, compile_settings, shipped_code

FOLDER = "jinja"
KEEP_DAYS = 30  # a file no build has read for this long belongs to a coursepack no longer in use
_DAY = 86400.0


class _TemplateCode(FileSystemBytecodeCache):
    """FileSystemBytecodeCache for one environment that never raises, and takes a template's shipped code
    first. folder: False when the user's folder cannot be had (its files are then neither read nor written)."""

    def __init__(self, directory: str, env: Environment, folder: bool) -> None:
        super().__init__(directory, pattern="%s.cache")
        self._settings = compile_settings(env)
        self._env = env
        self._folder = folder

    def get_bucket(self, environment: Environment, name: str, filename: str | None, source: str) -> Bucket:
        code = shipped_code(environment, name, source, filename)
        if code is None:
            return super().get_bucket(environment, name, filename, source)
        bucket = Bucket(environment, "", "")  # given with its code, so Jinja neither compiles nor stores it
        bucket.code = code
        return bucket

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        described = repr((__version__, jinja2.__version__, self._settings, autoescapes(self._env, name), name, filename))
        return hashlib.sha256(described.encode("utf-8", "surrogatepass")).hexdigest()

    def load_bytecode(self, bucket: Bucket) -> None:
        if not self._folder:
            return
        try:
            super().load_bytecode(bucket)
        except Exception:  # unreadable, or past the magic header not what Jinja writes (pickle can raise anything)
            bucket.reset()
        if bucket.code is not None:
            _mark_used(self._get_cache_filename(bucket))

    def dump_bytecode(self, bucket: Bucket) -> None:
        if not self._folder:
            return
        try:
            super().dump_bytecode(bucket)  # a temporary file renamed into place: readers see all or nothing
        except OSError:  # full disk, read-only folder: compiled again next time
            return
        _prune_unused(self.directory)


def _mark_used(path: str) -> None:
    """Sets the file's time to now if it is more than a day old (a write a day at most, not one a build)."""
    try:
        if os.stat(path).st_mtime < time.time() - _DAY:
            os.utime(path)
    except OSError:
        pass


def _prune_unused(directory: str) -> None:
    """Removes the compiled templates no build has read for KEEP_DAYS."""
    oldest = time.time() - KEEP_DAYS * _DAY
    try:
        entries = [entry for entry in os.scandir(directory) if entry.name.endswith(".cache")]
    except OSError:
        return
    for entry in entries:
        try:
            if entry.stat(follow_symlinks=False).st_mtime < oldest:
                os.unlink(entry.path)
        except OSError:  # gone already (another build pruned it), or not ours to remove
            continue


def template_code(env: Environment) -> FileSystemBytecodeCache:
    """env's bytecode cache: the shipped code, then the user's cache folder when a private one can be had."""
    directory = os.path.join(cache_root(), FOLDER)
    return _TemplateCode(directory, env, _private_folder(directory))


def _private_folder(path: str) -> bool:
    """Made if missing; True when it is a real folder (not a link) of this user that no one else can write."""
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        info = os.lstat(path)
    except OSError:
        return False
    own = info.st_uid == os.geteuid() if hasattr(os, "geteuid") else True  # Windows: the folder's ACL decides
    return stat.S_ISDIR(info.st_mode) and own and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
