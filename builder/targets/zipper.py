"""Deterministic zip: same files in → same bytes out, whatever the machine or clock."""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from coursepack.load.paths import case_collisions, relative_path_problem

# 1980-01-01 00:00:00 is the earliest time a zip entry can carry.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644 << 16  # regular file, rw-r--r--


class UnsafeEntryName(ValueError):
    """A package path that could escape the folder it is unzipped into."""


def safe_entry_name(name: str) -> str:
    """Reject absolute, backslashed, empty-part and '..' names: no zip slip from our packages.
    The rule is validate's own (relative_path_problem), so a path it accepts is packable."""
    why = relative_path_problem(name)
    if why:
        raise UnsafeEntryName(f"unsafe path in package: {name!r} {why}")
    return name


# Formats that are already compressed: deflating them again costs time and saves nothing.
STORED_SUFFIXES = frozenset({
    ".mp4", ".m4a", ".m4v", ".mp3", ".webm", ".ogg", ".oga", ".ogv", ".png", ".jpg", ".jpeg",
    ".gif", ".webp", ".woff", ".woff2", ".zip", ".pdf",
})
CHUNK = 1024 * 1024  # files are copied in pieces this big, so memory does not grow with them


class SpillFile:
    """An unnamed temporary file that a build appends the files it renders to as it makes them, so that a
    package's pages are not all held in memory until its zip is written (at 1,000 modules a package's
    launch pages are 28 MB). clear() starts it again empty: what was put before can no longer be read."""

    def __init__(self, folder: Path | None = None) -> None:
        self._file = tempfile.TemporaryFile(dir=folder)  # removed by the system when closed, even on a crash
        self._end = 0
        self._generation = 0

    def put(self, data: bytes) -> Spilled:
        self._file.seek(self._end)  # after a read
        self._file.write(data)
        spilled = Spilled(self, self._end, len(data), self._generation)
        self._end += len(data)
        return spilled

    def read(self, spilled: Spilled, offset: int = 0, size: int | None = None) -> bytes:
        """size bytes (all the rest: None) of what was put, from offset within it."""
        if spilled.generation != self._generation:
            raise ValueError("spilled bytes read after their spill file was cleared")
        size = spilled.size - offset if size is None else min(size, spilled.size - offset)
        self._file.seek(spilled.offset + offset)  # the file object writes out what it buffered first
        data = self._file.read(size)
        if len(data) != size:
            raise OSError("spill file shorter than what was put in it")
        return data

    def clear(self) -> None:
        self._file.seek(0)
        self._file.truncate()
        self._end = 0
        self._generation += 1

    def close(self) -> None:
        self._file.close()


@dataclass(frozen=True)
class Spilled:
    """Bytes put into a SpillFile: where they are, to be read back or streamed into a zip."""

    spill: SpillFile
    offset: int
    size: int
    generation: int

    def __len__(self) -> int:
        return self.size

    def read(self) -> bytes:
        return self.spill.read(self)


# What a package file holds: its bytes, the file on disk to stream them from, or bytes spilled to a SpillFile.
Content = bytes | Path | Spilled


def compression_for(name: str) -> int:
    return zipfile.ZIP_STORED if PurePosixPath(name).suffix.lower() in STORED_SUFFIXES else zipfile.ZIP_DEFLATED


def write_zip(files: Mapping[str, Content], target: Path) -> None:
    """Write files (package path → bytes, a file to stream or spilled bytes) into target: entries sorted,
    times and modes fixed, so the same files give the same bytes on any machine."""
    names = [safe_entry_name(name) for name in files]
    clash = case_collisions(sorted(names))
    if clash:
        _, _, first, later = clash[0]
        raise UnsafeEntryName(f"package paths {first!r} and {later!r} differ only in letter case")
    with zipfile.ZipFile(target, "w") as archive:
        # imsmanifest.xml first helps LMSs that peek at the start; the rest sorted.
        for name in sorted(names, key=lambda n: (n != "imsmanifest.xml", n)):
            _write_entry(archive, name, files[name])


def _write_entry(archive: zipfile.ZipFile, name: str, content: Content) -> None:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.external_attr = FILE_MODE
    info.create_system = 3  # unix, so the mode bits mean the same everywhere
    info.compress_type = compression_for(name)
    # Deflate at zlib's default level (6): within a percent or two of 9 on text, far faster on big files.
    if isinstance(content, bytes):
        info.file_size = len(content)
        with archive.open(info, "w") as entry:
            entry.write(content)
        return
    if isinstance(content, Spilled):
        info.file_size = content.size  # the entry bytes' branch would give: never zip64, whatever is read back
        with archive.open(info, "w") as entry:
            for offset in range(0, content.size, CHUNK):
                entry.write(content.spill.read(content, offset, CHUNK))
        return
    with content.open("rb") as source:
        info.file_size = os.fstat(source.fileno()).st_size
        with archive.open(info, "w", force_zip64=info.file_size >= zipfile.ZIP64_LIMIT) as entry:
            shutil.copyfileobj(source, entry, CHUNK)
