"""Linux inotify through ctypes: the kernel says at once which file of a watched folder changed.

The watcher (watcher.py) uses it only to wake up; what changed it still learns from sizes and mtimes,
so a missed or merged event costs a wake-up, never a wrong rebuild. `open_inotify()` gives None where
inotify is missing (not Linux, no libc symbol, the per-user instance limit reached): the watcher polls.
"""

from __future__ import annotations

import ctypes
import os
import select
import struct
import sys
from dataclasses import dataclass

# <sys/inotify.h>
IN_ATTRIB = 0x00000004  # touch, chmod: the mtime may have changed without a write
IN_CLOSE_WRITE = 0x00000008  # a file opened for writing was closed: its content is complete
IN_MOVED_FROM = 0x00000040
IN_MOVED_TO = 0x00000080  # an editor's save-by-rename lands here
IN_CREATE = 0x00000100
IN_DELETE = 0x00000200
IN_DELETE_SELF = 0x00000400
IN_MOVE_SELF = 0x00000800
IN_Q_OVERFLOW = 0x00004000  # the kernel dropped events: anything may have changed
IN_IGNORED = 0x00008000  # the watch is gone (its folder was deleted)
IN_ONLYDIR = 0x01000000
IN_ISDIR = 0x40000000
# IN_MODIFY is left out on purpose: it fires on every write() of a file still being written, and a
# rebuild then would read half a file; IN_CLOSE_WRITE comes once the writer is done.
WATCH_MASK = (IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
              | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

_HEADER = struct.Struct("iIII")  # wd, mask, cookie, len (of the NUL-padded name that follows)
_READ_SIZE = 64 * 1024


@dataclass(frozen=True)
class Event:
    folder: str  # the watched folder the event is about
    name: str  # the entry in it ("" for the folder itself)
    mask: int


class Inotify:
    """One inotify instance: watch(folder) adds a folder (not its subfolders); wait(timeout) gives the
    events read within timeout seconds ([] when none); wake() makes a wait() return at once (stop())."""

    def __init__(self, libc: ctypes.CDLL, fd: int):
        self._libc = libc
        self._fd = fd
        self._folders: dict[int, str] = {}  # watch descriptor -> folder
        self._wake_r, self._wake_w = os.pipe()

    def watch(self, folder: str) -> bool:
        """Watch folder's entries. True when this is a new watch; False when the folder was watched
        already (the kernel gives its descriptor again) or cannot be watched (gone, watch limit)."""
        wd = self._libc.inotify_add_watch(self._fd, os.fsencode(folder), WATCH_MASK)
        if wd < 0 or wd in self._folders:
            return False
        self._folders[wd] = folder
        return True

    def wait(self, timeout: float | None) -> list[Event]:
        ready, _, _ = select.select([self._fd, self._wake_r], [], [], timeout)
        if self._wake_r in ready:
            os.read(self._wake_r, _READ_SIZE)
        if self._fd not in ready:
            return []
        try:
            data = os.read(self._fd, _READ_SIZE)
        except BlockingIOError:
            return []
        return self._parse(data)

    def _parse(self, data: bytes) -> list[Event]:
        events: list[Event] = []
        offset = 0
        while offset + _HEADER.size <= len(data):
            wd, mask, _cookie, length = _HEADER.unpack_from(data, offset)
            offset += _HEADER.size
            name = os.fsdecode(data[offset:offset + length].rstrip(b"\0"))
            offset += length
            folder = self._folders.get(wd, "")
            if mask & IN_IGNORED:
                self._folders.pop(wd, None)
            events.append(Event(folder, name, mask))
        return events

    def wake(self) -> None:
        os.write(self._wake_w, b"x")

    def close(self) -> None:
        for fd in (self._fd, self._wake_r, self._wake_w):
            try:
                os.close(fd)
            except OSError:
                pass


def open_inotify() -> Inotify | None:
    """An inotify instance, or None where there is none to be had (the caller polls instead)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        init = libc.inotify_init1
        libc.inotify_add_watch.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32)
    except (OSError, AttributeError):
        return None
    init.argtypes = (ctypes.c_int,)
    fd = init(os.O_NONBLOCK | os.O_CLOEXEC)  # IN_NONBLOCK and IN_CLOEXEC are these flags' values
    if fd < 0:  # EMFILE: the per-user instance limit (fs.inotify.max_user_instances); ENOSYS: no inotify
        return None
    return Inotify(libc, fd)
