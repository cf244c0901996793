"""Read Canvas's gradebook export (Grades -> Export -> "Export Entire Gradebook", CSV), without a token.

The columns relied on (Canvas's documented export; no Canvas export was at hand while writing this):
  "Student"        the student's sortable name ("Last, First")
  "ID"             Canvas's user id
  "SIS User ID", "SIS Login ID"   (empty without SIS rights)
  "Section"
  then one column per assignment, headed "<Name> (<assignment id>)", then totals ("Current Score", ...).
The row after the header holds "Points Possible" in the Student column and each assignment's points.
Rows without a numeric ID (a "Manual Posting" row in newer exports) are not students. A score cell is
a number, empty (nothing submitted) or "EX" (excused: read as no score).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from coursepack.report.canvas_evidence import CanvasRecord

IDENTITY_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
ASSIGNMENT_COLUMN = re.compile(r"^(?P<name>.*\S)\s*\((?P<id>\d+)\)$")
POINTS_ROW = "Points Possible"


class CanvasFilesError(Exception):
    """A one-line message about a file that is not a Canvas gradebook export."""


def _read_rows(path: Path) -> list[list[str]]:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CanvasFilesError(f"{path}: cannot read ({error.strerror or error})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CanvasFilesError(f"{path}: not UTF-8 text (download the gradebook as CSV from Canvas)") from None
    return [row for row in csv.reader(io.StringIO(text, newline="")) if any(cell.strip() for cell in row)]


def _number(cell: str) -> float | None:
    try:
        return float(cell.strip())
    except ValueError:
        return None  # empty, "EX" (excused) or any other mark: no score


def assignment_columns(header: list[str]) -> dict[int, tuple[int, str]]:
    """Assignment id -> (column index, name)."""
    found: dict[int, tuple[int, str]] = {}
    for index, title in enumerate(header):
        match = ASSIGNMENT_COLUMN.match(title.strip())
        if match and title.strip() not in IDENTITY_COLUMNS:
            found[int(match.group("id"))] = (index, match.group("name"))
    return found


def read_gradebook(path: Path, assignment_id: int | None) -> tuple[str, int, list[CanvasRecord]]:
    """The assignment's name and id, and a record per student row."""
    rows = _read_rows(path)
    if not rows:
        raise CanvasFilesError(f"{path}: empty file")
    header = [cell.strip() for cell in rows[0]]
    missing = [c for c in ("Student", "ID") if c not in header]
    if missing:
        raise CanvasFilesError(f"{path}: not a Canvas gradebook export (no column {', '.join(repr(c) for c in missing)})")
    columns = assignment_columns(header)
    if assignment_id is None:
        if len(columns) != 1:
            listed = "; ".join(f"--assignment-id {aid} ({name})" for aid, (_, name) in columns.items()) or "none"
            raise CanvasFilesError(f"{path}: choose the SCORM assignment with --assignment-id ({listed})")
        assignment_id = next(iter(columns))
    if assignment_id not in columns:
        listed = ", ".join(f"{aid} ({name})" for aid, (_, name) in columns.items()) or "none"
        raise CanvasFilesError(f"{path}: no column for assignment {assignment_id} (found: {listed})")
    column, name = columns[assignment_id]
    at = {title: index for index, title in enumerate(header)}

    def cell(row: list[str], title: str) -> str | None:
        index = at.get(title)
        return row[index].strip() or None if index is not None and index < len(row) else None

    points: float | None = None
    records = []
    for row in rows[1:]:
        if (cell(row, "Student") or "") == POINTS_ROW:
            points = _number(row[column]) if column < len(row) else None
            continue
        uid = cell(row, "ID") or ""
        if not uid.isdigit():
            continue  # "Manual Posting", or any other row that is not a student
        score = _number(row[column]) if column < len(row) else None
        records.append(CanvasRecord(
            user_id=uid, name=cell(row, "Student") or uid, login_id=cell(row, "SIS Login ID"), email=None,
            sis_user_id=cell(row, "SIS User ID"), score=score, points_possible=points, workflow_state=None,
            submitted_at=None,
        ))
    if points is None:
        raise CanvasFilesError(f"{path}: no '{POINTS_ROW}' row: the scores cannot be read as percentages")
    # the points row comes first in Canvas's export; fill it in should it come later
    return name, assignment_id, [r if r.points_possible is not None else _with_points(r, points) for r in records]


def _with_points(record: CanvasRecord, points: float) -> CanvasRecord:
    return CanvasRecord(record.user_id, record.name, record.login_id, record.email, record.sis_user_id, record.score,
                        points, record.workflow_state, record.submitted_at)
