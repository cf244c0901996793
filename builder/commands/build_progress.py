"""The progress line of a long `coursepack build` on standard error: "building 3/8 packages…".

Shown only on a terminal, and only once the build has taken over a second (a quick build prints its
package lines and nothing else); rewritten in place, and erased when the build ends, so what remains
on screen is the build's own output. Into a file or a pipe nothing is written: standard output stays
exactly what scripts parse, and a log gains no half-lines.
(`report sync` has its own rate line, coursepack.report.progress: a count and a rate, also for logs.)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

SHOW_AFTER_S = 1.0
CLEAR_LINE = "\r\x1b[K"


class BuildProgress:
    def __init__(self, total: int, stream: TextIO, *, terminal: bool | None = None,
                 clock: Callable[[], float] = time.monotonic, started: float | None = None) -> None:
        self._total = total
        self._stream = stream
        self._terminal = stream.isatty() if terminal is None else terminal
        self._clock = clock
        self._start = clock() if started is None else started  # `started`: on the same clock
        self.shown = False

    def building(self, number: int) -> None:
        """Package `number` (1-based) of the total is being made."""
        if not self._terminal or self._clock() - self._start < SHOW_AFTER_S:
            return
        self._stream.write(f"{CLEAR_LINE}building {number}/{self._total} packages…")
        self._stream.flush()
        self.shown = True

    def finish(self) -> None:
        """Erase the line (before the package lines are printed, or the problems)."""
        if self.shown:
            self._stream.write(CLEAR_LINE)
            self._stream.flush()
            self.shown = False
