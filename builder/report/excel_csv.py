"""CSV that Excel opens cleanly: UTF-8 with a BOM (else Excel guesses a legacy code page), CRLF between
rows, and learner-supplied text that Excel would run as a formula prefixed with an apostrophe."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def excel_safe(text: str) -> str:
    """Text from an LMS, an LRS or a learner, never run as a formula by a spreadsheet."""
    return "'" + text if text.startswith(FORMULA_START) else text


def excel_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")
