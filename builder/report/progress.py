"""The progress line of a long sync on standard error: "12,500 statements, 3,400/s".

Shown only once the sync has taken over a second (a quick sync prints nothing but its summary).
On a terminal the line is rewritten in place a few times a second; into a file or a pipe (a cron
job's log) a line is written every LOG_EVERY_S seconds instead, so a log does not fill with them.
"""

from __future__ import annotations

import time
from collections.abc import Callable

SHOW_AFTER_S = 1.0
TERMINAL_EVERY_S = 0.25
LOG_EVERY_S = 10.0
CLEAR_TO_END = "\x1b[K"  # a shorter line leaves nothing of the longer one before it


class RateLine:
    def __init__(self, write: Callable[[str], None], *, terminal: bool, unit: str = "statements",
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._write = write
        self._terminal = terminal
        self._unit = unit
        self._clock = clock
        self._start = clock()
        self._shown_at: float | None = None
        self.count = 0

    def text(self) -> str:
        elapsed = max(self._clock() - self._start, 1e-9)
        return f"{self.count:,} {self._unit}, {self.count / elapsed:,.0f}/s"

    def add(self, n: int) -> None:
        self.count += n
        now = self._clock()
        if now - self._start < SHOW_AFTER_S:
            return
        every = TERMINAL_EVERY_S if self._terminal else LOG_EVERY_S
        if self._shown_at is not None and now - self._shown_at < every:
            return
        self._shown_at = now
        self._write(f"\r{self.text()}{CLEAR_TO_END}" if self._terminal else f"{self.text()}\n")

    def finish(self) -> None:
        """The final figures, when a line was shown at all."""
        if self._shown_at is None:
            return
        self._write(f"\r{self.text()}{CLEAR_TO_END}\n" if self._terminal else f"{self.text()}\n")
