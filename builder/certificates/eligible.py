"""Who gets a certificate: the learners the report's rules find eligible, with the dates to print.

Read through the report's own functions (refresh_course, read_report), so a certificate and
`coursepack report show` can never disagree about who is eligible. The completion time is the
learner's last recorded activity when the certificate is first issued. It is kept, with the id and
the first activity, in the store's certificate_issued table: a learner who comes back later to
review the course keeps the dates and id of the certificate already issued, so re-issuing is
idempotent. Times are kept in UTC and become days in the certificates' time zone only when printed,
so a corrected time zone re-dates every certificate alike. (Plain SQL, as the rest of the store, so
a PostgreSQL store can hold it too.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from coursepack.load.course_loader import LoadedCourse
from coursepack.report.rules import ReportRow, read_report, refresh_course
from coursepack.report.store import Store

CHUNK_ROWS = 500  # rows per INSERT: PostgreSQL takes at most 65,535 parameters in one statement
ISSUED_TABLE = """
CREATE TABLE IF NOT EXISTS certificate_issued (
  course_id VARCHAR NOT NULL, learner_key VARCHAR NOT NULL, certificate_id VARCHAR NOT NULL,
  started_at TIMESTAMP, completed_at TIMESTAMP NOT NULL, first_issued_at TIMESTAMP NOT NULL,
  PRIMARY KEY (course_id, learner_key)
)
"""


@dataclass(frozen=True)
class Recipient:
    learner_key: str
    name: str
    identifier: str  # the e-mail address (or LMS account): for the index, never printed on the certificate
    certificate_id: str
    started_on: date | None
    completed_on: date
    quiz_best: dict[str, float | None]  # quiz id -> best percent, in course order


@dataclass(frozen=True)
class Eligibility:
    recipients: list[Recipient]
    not_eligible: int  # learners in the store who are not (yet) eligible
    undated: list[str]  # eligible learners with no recorded activity time: no date to print, skipped
    first_issue: list[tuple[object, ...]]  # certificate_issued rows to record once the PDFs are written


def _day(moment: datetime | None, zone: ZoneInfo) -> date | None:
    """The store's times are naive UTC."""
    return None if moment is None else moment.replace(tzinfo=timezone.utc).astimezone(zone).date()


def eligible_learners(store: Store, loaded: LoadedCourse, zone: ZoneInfo, new_id: Callable[[str], str]) -> Eligibility:
    """Every eligible learner of the course, in the report's order (name, then key), with the id and
    dates of a certificate issued before, or new ones for a first issue (see record_issued)."""
    course_id = loaded.course.id
    refresh_course(store, loaded)
    rows = read_report(store, course_id).rows
    eligible = [row for row in rows if row.status == "eligible"]
    store.execute(ISSUED_TABLE)
    issued = {
        key: (cid, started, completed)
        for key, cid, started, completed in store.execute(
            "SELECT learner_key, certificate_id, started_at, completed_at FROM certificate_issued WHERE course_id = ?", [course_id]
        )
    }
    recipients: list[Recipient] = []
    undated: list[str] = []
    first_time: list[tuple[object, ...]] = []
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    for row in eligible:
        if row.learner_key in issued:
            cid, started, completed = issued[row.learner_key]
        else:
            completed = row.last_activity or row.first_activity
            if completed is None:
                undated.append(row.name)
                continue
            cid, started = new_id(row.learner_key), row.first_activity
            first_time.append((course_id, row.learner_key, cid, started, completed, now))
        completed_on = _day(completed, zone)
        assert completed_on is not None
        recipients.append(_recipient(row, cid, _day(started, zone), completed_on))
    return Eligibility(recipients, len(rows) - len(eligible), undated, first_time)


def record_issued(store: Store, eligibility: Eligibility) -> None:
    """Keep the id and dates of first issues, so that later re-issues print the same."""
    rows = eligibility.first_issue
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows[start : start + CHUNK_ROWS]
        marks = ", ".join(["(?, ?, ?, ?, ?, ?)"] * len(chunk))
        store.execute(
            "INSERT INTO certificate_issued (course_id, learner_key, certificate_id, started_at, completed_at, first_issued_at) "
            f"VALUES {marks} ON CONFLICT (course_id, learner_key) DO NOTHING",
            [value for row in chunk for value in row],
        )


def _recipient(row: ReportRow, certificate_id: str, started: date | None, completed: date) -> Recipient:
    return Recipient(row.learner_key, row.name, row.identifier, certificate_id, started, completed, dict(row.quiz_best))
