"""The runtime's scripts as packages ship them: minified (comments and whitespace removed, no renaming).

rjsmin is pure and deterministic, so every build gives the same bytes; each file is minified once per
process (the example build writes 8 packages from the same few files). The sources in builder/runtime/
stay the readable copy: tests and the build read them there (adapter_runtime's "coursepack-requires").
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import rjsmin


def _header(name: str) -> bytes:
    # a "/*!" comment, the kind minifiers keep, so the file still says what it is and where to read it
    return f"/*! coursepack runtime, minified; source: builder/runtime/{name} */\n".encode("ascii")


@lru_cache(maxsize=None)
def shipped_runtime_file(name: str) -> bytes:
    """The bytes a package carries for runtime/<name>: a script minified, any other file as it is."""
    source = resources.files("coursepack").joinpath("runtime").joinpath(name).read_bytes()
    if not name.endswith(".js"):
        return source  # player.css: a CSS minifier would be a dependency of its own for ~0.9 KB gzipped
    return _header(name) + rjsmin.jsmin(source, keep_bang_comments=True)


@lru_cache(maxsize=None)
def shipped_runtime_bundle(names: tuple[str, ...]) -> bytes:
    """The runtime scripts named (paths under runtime/, in load order) as the one script a package ships:
    each minified as shipped_runtime_file makes it, one after the other. One request instead of 4-7: the
    launch page's parse waits for its scripts, and a browser opens at most 6 connections to a host.
    Each file is its own function expression, so joined they run as they did apart."""
    return b"".join(shipped_runtime_file(name) + b"\n" for name in names)
