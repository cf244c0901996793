"""The one rule for paths authors write and packages carry, and the one containment check.

`validate` (builder/load/checks.py) and `build` (builder/targets/package.py, zipper.py)
both call these, so a path that passes one can never crash the other.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path, PurePosixPath


def relative_path_problem(rel: str) -> str | None:
    """Why rel is not a plain relative POSIX path ('a/b.svg'), or None when it is.

    Refused: empty, absolute, backslashes, '.', '..' or empty segments ('./a', 'a//b'),
    a trailing '/'. Such paths name the same file in several spellings, and zip entries
    with them can escape the folder they are unzipped into.
    """
    if not rel:
        return "is empty"
    if "\\" in rel:
        return "contains a backslash"
    if rel.startswith("/") or PurePosixPath(rel).is_absolute():
        return "starts with '/'"
    if rel.endswith("/"):
        return "ends with '/'"
    segments = rel.split("/")
    if ".." in segments:
        return "has a '..' segment"
    if "." in segments:
        return "has a '.' segment"
    if "" in segments:
        return "has an empty segment ('//')"
    return None


def outside_folder(root: Path, rel: str) -> str | None:
    """The first prefix of rel (root-relative) that resolves outside root, or None.

    Each prefix is resolved, so a folder linked to '/' is caught at the folder, and a
    link to a missing target is caught too. Symbolic links whose target stays inside
    root are allowed; a link that cannot be resolved (a loop) counts as leading out.
    """
    if _no_link_on_the_way(root, rel):
        return None
    return _resolved_outside(root, rel)


def _no_link_on_the_way(root: Path, rel: str) -> bool:
    """True when rel is a plain path (no '.', '..' or empty segment) and none of its prefixes under root is
    a symbolic link: then each prefix resolves to itself under root's real path, inside root, and nothing
    needs resolving: one lstat a prefix, where resolving each prefix walks every folder from '/' again
    (2-3 ms of the example's first `validate`, issue 16). False sends the path to the full check, and
    so does anything unexpected (a name the system refuses, no permission to look)."""
    segments = rel.split("/")
    if not rel or rel.startswith("/") or "." in segments or ".." in segments or "" in segments:
        return False
    here = os.path.join(os.fspath(root), "")
    for end in range(1, len(segments) + 1):
        try:
            mode = os.lstat(here + "/".join(segments[:end])).st_mode
        except (FileNotFoundError, NotADirectoryError):
            return True  # nothing further exists, so nothing further is a link
        except (OSError, ValueError):
            return False
        if stat.S_ISLNK(mode):
            return False
    return True


def _resolved_outside(root: Path, rel: str) -> str | None:
    """outside_folder by resolving every prefix of rel."""
    top = root.resolve()
    here = root
    done: list[str] = []
    for segment in rel.split("/"):
        here = here / segment
        done.append(segment)
        try:
            resolved = here.resolve()
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop, before Python 3.13
            return "/".join(done)
        if not _inside(resolved, top):
            return "/".join(done)
    return None


def _inside(path: Path, top: Path) -> bool:
    return path == top or top in path.parents


def case_collisions(paths: Sequence[str]) -> list[tuple[int, int, str, str]]:
    """Paths, or folders on their way, that differ from an earlier one only in letter case.

    Each entry is (index of the earlier path, index of the later path, the earlier
    spelling, the later spelling). On a case-insensitive disk or server 'Welcome.svg'
    and 'welcome.svg' are one file, and 'Diagrams/' and 'diagrams/' one folder:
    whichever unzips last wins.
    """
    seen: dict[str, tuple[str, int]] = {}
    found: list[tuple[int, int, str, str]] = []
    for index, path in enumerate(paths):
        segments = path.split("/")
        for end in range(1, len(segments) + 1):
            prefix = "/".join(segments[:end])
            first, first_index = seen.setdefault(prefix.lower(), (prefix, index))
            if first != prefix:
                found.append((first_index, index, first, prefix))
                break  # one report per path: its shortest clashing prefix
    return found
