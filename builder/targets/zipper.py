"""Deterministic zip: same files in → same bytes out, whatever the machine or clock."""

from __future__ import annotations

import os
import shutil
import zipfile
from collections.abc import Mapping
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

# What a package file holds: its bytes, or the file on disk to stream them from.
Content = bytes | Path


def compression_for(name: str) -> int:
    return zipfile.ZIP_STORED if PurePosixPath(name).suffix.lower() in STORED_SUFFIXES else zipfile.ZIP_DEFLATED


def write_zip(files: Mapping[str, Content], target: Path) -> None:
    """Write files (package path → bytes or file to stream) into target: entries sorted,
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
    with content.open("rb") as source:
        info.file_size = os.fstat(source.fileno()).st_size
        with archive.open(info, "w", force_zip64=info.file_size >= zipfile.ZIP64_LIMIT) as entry:
            shutil.copyfileobj(source, entry, CHUNK)
