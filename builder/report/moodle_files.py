"""Read one SCORM activity from the files a Moodle teacher downloads (no token needed).

Files, told apart by their header row (English Moodle):
  * the SCORM Interactions report (required), downloaded as "CSV" (which Moodle writes tab-separated,
    as .txt) with "Summary of question" and "Result" ticked in the report's settings, so each
    interaction's id ('<quiz>.<question>' or the reflection id) and result are in the file;
  * the SCORM Basic report (optional: the same attempts, statuses per SCO);
  * the gradebook export "Plain text file" or the Activity completion report (optional, either): the
    course's students; without one, everyone the SCORM report lists (teachers too) counts as a learner.
Encodings: UTF-8 with or without BOM, UTF-16 with BOM (the completion report's "Excel" CSV).
Dates in the SCORM reports are local times of the downloading user, with minutes only; they are read
in the time zone given (default UTC). The reports give no time spent and no saved state, so total time
is unknown and pages seen are unknown; quiz scores and reflections come from the interactions.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from coursepack.report.course_map import COURSE_SCO, CourseMap
from coursepack.report.evidence import ImportBatch, Learner, LearnerEvidence
from coursepack.report.sco_attempt import ScoAttempt, apply_attempt
from coursepack.report.scorm_data import Interaction, score_value

FIXED = ("Name", "Email address", "Attempt", "Started on", "Last accessed on", "Score")
_INTERACTION_COLUMN = re.compile(r"(Question|Response|Right answer|Result) (\d+)")
_SCO_SCORE = re.compile(r"\s*(-?\d+(?:\.\d+)?)\s*(?:/\s*\d+(?:\.\d+)?\s*)?")  # Basic: "66.66/100"; Interactions: "66.66"
_STATUSES = {"passed", "completed", "failed", "incomplete", "browsed", "not attempted"}


class FilesError(Exception):
    """A one-line message about a file that cannot be used."""


def read_table(path: Path) -> list[list[str]]:
    """Rows of a downloaded CSV, whatever Moodle chose: BOM or not, UTF-8 or UTF-16, tab or comma."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FilesError(f"{path}: cannot read ({error.strerror or error})") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data[:2] == b"PK" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FilesError(f"{path}: a spreadsheet (.xlsx/.ods); download the report as CSV (Moodle writes it tab-separated)")
    else:
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise FilesError(f"{path}: not UTF-8 or UTF-16 text") from None
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first else ","
    return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if any(cell.strip() for cell in row)]


# ---- the SCORM reports ---------------------------------------------------------------------------------


@dataclass
class ReportRow:
    name: str
    email: str
    attempt: int | None
    started_at: datetime | None
    last_at: datetime | None
    sco_cells: list[str]
    # the interactions of each SCO column, or None when the file does not say which SCO they belong to
    sco_interactions: list[dict[int, Interaction]] | None
    interactions: dict[int, Interaction] = field(default_factory=dict)


def _local_time(text: str, zone: ZoneInfo) -> datetime | None:
    """'Wednesday, 2 December 2026, 1:26 AM' (CSV) or '2 December 2026, 1:26 AM' (spreadsheets), in UTC."""
    text = text.strip()
    if not text or text == "-":
        return None
    if text.count(",") == 2:
        text = text.split(",", 1)[1].strip()  # the weekday
    try:
        local = datetime.strptime(text, "%d %B %Y, %I:%M %p")
    except ValueError:
        return None
    return local.replace(tzinfo=zone).astimezone(timezone.utc).replace(tzinfo=None)


def _read_interactions(cells: list[str], base: int, layout: dict[int, dict[str, int]]) -> dict[int, Interaction]:
    """The interactions in cells, each index's columns at base + their offset in layout."""
    out: dict[int, Interaction] = {}
    for n, where in layout.items():
        def cell(kind: str) -> str | None:
            at = base + where[kind] if kind in where else -1
            return cells[at] if 0 <= at < len(cells) else None

        qid = (cell("Question") or "").strip()
        if qid:
            result = (cell("Result") or "").strip()
            out[n] = Interaction(n, qid, None, result or None, cell("Response"), None)
    return out


def _scorm_report(path: Path, rows: list[list[str]], zone: ZoneInfo) -> tuple[list[str], list[ReportRow], bool]:
    """The attempts in a Basic or Interactions report.

    With one SCO a row follows the header. With several SCOs Moodle 4.3 writes each row as the fixed
    columns, then per SCO its status cell followed by that SCO's own block of interaction columns, so
    rows are longer than the header (cmid 5 of the fixtures: a 41-column header, 209-cell rows).
    """
    header = rows[0]
    col = {name: header.index(name) for name in FIXED}
    first_extra = col["Score"] + 1
    layout: dict[int, dict[str, int]] = {}  # index -> kind -> offset from the first interaction column
    sco_titles: list[str] = []
    first_interaction: int | None = None
    for i in range(first_extra, len(header)):
        match = _INTERACTION_COLUMN.fullmatch(header[i].strip())
        if match:
            first_interaction = i if first_interaction is None else first_interaction
            layout.setdefault(int(match.group(2)), {})[match.group(1)] = i - first_interaction
        elif first_interaction is None:
            sco_titles.append(header[i])
    if layout and not any("Question" in c and "Result" in c for c in layout.values()):
        raise FilesError(
            f"{path}: the Interactions report lacks 'Question N' and 'Result N' columns; in the report's settings tick "
            "'Summary of question' and 'Result', then download it again"
        )
    per_sco = 1 + (len(header) - first_interaction if first_interaction is not None else 0)
    out: list[ReportRow] = []
    for cells in rows[1:]:
        blocks = len(sco_titles) > 1 and len(cells) == first_extra + len(sco_titles) * per_sco
        if not blocks:
            cells = cells + [""] * (len(header) - len(cells))
        attempt_text = cells[col["Attempt"]].strip()
        row = ReportRow(
            name=cells[col["Name"]].strip(),
            email=cells[col["Email address"]].strip(),
            attempt=int(attempt_text) if attempt_text.isdigit() else None,
            started_at=_local_time(cells[col["Started on"]], zone),
            last_at=_local_time(cells[col["Last accessed on"]], zone),
            sco_cells=[cells[first_extra + i * (per_sco if blocks else 1)].strip() for i in range(len(sco_titles))],
            sco_interactions=None,
        )
        if blocks:
            row.sco_interactions = [
                _read_interactions(cells, first_extra + i * per_sco + 1, layout) for i in range(len(sco_titles))
            ]
        elif first_interaction is not None:
            row.interactions = _read_interactions(cells, first_interaction, layout)
            if len(sco_titles) == 1:
                row.sco_interactions = [row.interactions]
        out.append(row)
    return sco_titles, out, bool(layout)


def _sco_identifiers(path: Path, titles: list[str], course: CourseMap) -> list[str]:
    """Which SCO each status column is: one column = the whole course; one per module = in course order."""
    if len(titles) == 1:
        return [COURSE_SCO]
    if len(titles) == len(course.module_ids):
        return [f"item-{m}" for m in course.module_ids]
    raise FilesError(
        f"{path}: {len(titles)} SCO columns ({', '.join(titles)}); a package of this course has 1, or "
        f"{len(course.module_ids)} with --sco-per-module"
    )


def _status_and_score(cell: str) -> tuple[str | None, float | None, bool]:
    """A SCO cell: 'Incomplete', 'Not attempted', or the score when there is one ('raw/max' in Basic, 'raw' in
    Interactions); a score hides the status. (The fixed Score column, 0 when there is no score, is not read.)"""
    text = cell.strip()
    match = _SCO_SCORE.fullmatch(text)
    if match:
        return None, score_value(match.group(1)), True
    status = text.lower()
    if status not in _STATUSES or status == "not attempted":
        return None, None, False
    return status, None, True


# ---- rosters ----------------------------------------------------------------------------------------


def _roster(path: Path, rows: list[list[str]]) -> dict[str, str]:
    """Email (lower case) -> name from the gradebook export or the activity completion report."""
    header = [h.strip() for h in rows[0]]
    email_col = header.index("Email address")
    out: dict[str, str] = {}
    for cells in rows[1:]:
        cells = cells + [""] * (len(header) - len(cells))
        email = cells[email_col].strip().lower()
        if not email:
            continue
        if header[:2] == ["First name", "Last name"]:
            name = f"{cells[0].strip()} {cells[1].strip()}".strip()
        else:
            name = cells[0].strip()
        out[email] = name
    return out


def _kind(header: list[str]) -> str:
    cells = [h.strip() for h in header]
    if cells[: len(FIXED)] == list(FIXED):
        return "scorm"
    if cells[:2] == ["First name", "Last name"] and "Email address" in cells:
        return "gradebook"
    if len(cells) > 2 and cells[0] == "" and cells[1] == "Email address":
        return "completion"
    return "unknown"


def read_files(paths: list[Path], course: CourseMap, *, zone: str = "UTC", source: str = "moodle-files") -> ImportBatch:
    try:
        tz = ZoneInfo(zone)
    except (KeyError, ValueError):
        raise FilesError(f"unknown time zone '{zone}' (expected a name such as Europe/London or UTC)") from None
    roster: dict[str, str] | None = None
    attempts: dict[tuple[str, int], tuple[list[str], ReportRow]] = {}
    people: dict[str, str] = {}
    sco_ids: list[str] | None = None
    any_interactions = False
    for path in paths:
        rows = read_table(path)
        if not rows:
            raise FilesError(f"{path}: empty file")
        kind = _kind(rows[0])
        if kind == "unknown":
            raise FilesError(
                f"{path}: not a Moodle download this import reads (expected a SCORM Basic or Interactions report, "
                "the gradebook's plain text export or the activity completion report, in English)"
            )
        if kind in ("gradebook", "completion"):
            roster = {**(roster or {}), **_roster(path, rows)}
            continue
        titles, report_rows, has_interactions = _scorm_report(path, rows, tz)
        ids = _sco_identifiers(path, titles, course)
        if sco_ids is not None and ids != sco_ids:
            raise FilesError(f"{path}: a report of another activity than the other SCORM reports given")
        sco_ids = ids
        any_interactions = any_interactions or has_interactions
        for row in report_rows:
            email = row.email.lower()
            people.setdefault(email, row.name)
            if row.attempt is None:
                continue
            key = (email, row.attempt)
            if key in attempts:  # the same attempt in the Basic and the Interactions report: merge
                _, known = attempts[key]
                if row.sco_interactions is not None and any(row.sco_interactions):
                    known.sco_interactions = row.sco_interactions
                    known.interactions = row.interactions
            else:
                attempts[key] = (ids, row)
    if sco_ids is None or (attempts and not any_interactions):
        # a report with attempts but no interaction columns would show quizzes and reflections as never done
        raise FilesError("no SCORM Interactions report among the files (download it as CSV with 'Summary of question' and 'Result')")

    warnings: set[str] = set()
    learners = roster if roster is not None else people
    skipped = sorted(set(people) - set(learners))
    if skipped:
        who = "person in the SCORM report is" if len(skipped) == 1 else "people in the SCORM report are"
        warnings.add(f"{len(skipped)} {who} not in the student list given (teachers?): left out")
    found: dict[str, LearnerEvidence] = {}
    for email, name in learners.items():
        if not email:
            continue
        found[email] = LearnerEvidence(Learner(f"mailto:{email}", people.get(email) or name, email, None))
    for (email, number), (ids, row) in sorted(attempts.items()):
        evidence = found.get(email)
        if evidence is None:
            continue
        for position, (sco, cell) in enumerate(zip(ids, row.sco_cells)):
            status, score, attempted = _status_and_score(cell)
            if row.sco_interactions is not None:
                mine = list(row.sco_interactions[position].values())
            else:  # several SCOs in the header's layout: place each interaction by the module its id names
                module = sco.removeprefix("item-")
                mine = [ix for ix in row.interactions.values() if course.module_of(ix.id) == module]
            if not attempted and not mine:
                continue
            apply_attempt(
                evidence,
                ScoAttempt(sco, number, status, score, row.started_at, row.last_at, None, interactions=mine),
                course,
                warnings,
            )
    return ImportBatch(source, course.course_id, list(found.values()), sorted(warnings))
