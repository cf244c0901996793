"""Deterministic zip: same files in → same bytes out, whatever the machine or clock."""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path

from coursepack.load.paths import relative_path_problem

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


def write_zip(files: Mapping[str, bytes], target: Path) -> None:
    """Write files (package path → content) into target, entries sorted, times and modes fixed."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        # imsmanifest.xml first helps LMSs that peek at the start; the rest sorted.
        for name in sorted(files, key=lambda n: (n != "imsmanifest.xml", n)):
            info = zipfile.ZipInfo(safe_entry_name(name), date_time=FIXED_TIME)
            info.external_attr = FILE_MODE
            info.create_system = 3  # unix, so the mode bits mean the same everywhere
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name], compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
