"""Request path -> the name of a file the preview serves, or None for anything else.

The preview never opens a file named by a request: package files are looked up by exact name in the
in-memory build, static files in a fixed list. These checks refuse, before any look-up, every path
that is not a plain relative name, so the refusal does not depend on what the build holds: '..' and
'.' segments (also percent-encoded: the path is decoded once, then checked), empty segments (an
absolute path after the prefix), backslashes, NUL and other control characters.
"""

from __future__ import annotations

from urllib.parse import unquote


def split_request(raw: str) -> tuple[str, ...] | None:
    """The decoded path segments of a request target ('/a/b%20c?x' -> ('a', 'b c')), or None when any
    segment is unsafe. The root '/' gives ()."""
    path = raw.split("?", 1)[0].split("#", 1)[0]  # not urlsplit: it reads '//etc/passwd' as a host
    if not path.startswith("/"):
        return None
    try:
        decoded = unquote(path[1:], errors="strict")
    except UnicodeDecodeError:
        return None
    if decoded == "":
        return ()
    if "\\" in decoded or any(ord(c) < 0x20 or ord(c) == 0x7F for c in decoded):
        return None
    parts = tuple(decoded.split("/"))
    if any(part in ("", ".", "..") for part in parts):
        return None
    return parts
