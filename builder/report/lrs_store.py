"""What `report sync --lrs` keeps in the report store besides the evidence: the statements' facts
(one row per LRS + course + statement id, so a statement is stored once however often an LRS sends
it) and, per LRS + course, how far the syncs got.

  xapi_statement  the facts of every statement read (xapi_facts.py); never a response's text
  lrs_sync        per LRS + course: high_water (the latest `stored` time of a finished sync), and while
                  a sync is under way the `since` it started from, its next page (`more`) and the
                  latest `stored` time it has read, so an interrupted sync continues where it stopped

Each page is stored in one transaction with the sync's position, so a crash loses nothing fetched.
Plain SQL for both engines, as store.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from coursepack.report.store import Store
from coursepack.report.xapi_facts import StatementFacts
from coursepack.xapi.vocabulary import VOIDED

SCHEMA = """
CREATE TABLE IF NOT EXISTS xapi_statement (
  source VARCHAR NOT NULL, course_id VARCHAR NOT NULL, statement_id VARCHAR NOT NULL,
  learner_key VARCHAR, learner_name VARCHAR, email VARCHAR,
  verb VARCHAR NOT NULL, object_id VARCHAR NOT NULL, registration VARCHAR, session_key VARCHAR,
  happened_at TIMESTAMP, stored TIMESTAMP,
  scaled DOUBLE PRECISION, score_raw DOUBLE PRECISION, score_max DOUBLE PRECISION,
  success BOOLEAN, completion BOOLEAN, response_chars INTEGER, seconds DOUBLE PRECISION,
  problem VARCHAR, fetched_at TIMESTAMP NOT NULL,
  PRIMARY KEY (source, course_id, statement_id)
);
CREATE TABLE IF NOT EXISTS lrs_sync (
  source VARCHAR NOT NULL, course_id VARCHAR NOT NULL,
  high_water TIMESTAMP, synced_at TIMESTAMP,
  pending_since VARCHAR, pending_more VARCHAR, pending_high TIMESTAMP,
  PRIMARY KEY (source, course_id)
);
"""

COLUMNS = (
    "source", "course_id", "statement_id", "learner_key", "learner_name", "email", "verb", "object_id",
    "registration", "session_key", "happened_at", "stored", "scaled", "score_raw", "score_max", "success", "completion",
    "response_chars", "seconds", "problem", "fetched_at",
)


@dataclass(frozen=True)
class SyncState:
    high_water: datetime | None
    pending_since: str | None
    pending_more: str | None
    pending_high: datetime | None

    @property
    def interrupted(self) -> bool:
        return self.pending_more is not None


def install(store: Store) -> None:
    store.script(SCHEMA)


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def read_state(store: Store, source: str, course_id: str) -> SyncState:
    rows = store.execute(
        "SELECT high_water, pending_since, pending_more, pending_high FROM lrs_sync WHERE source = ? AND course_id = ?",
        [source, course_id],
    )
    return SyncState(*rows[0]) if rows else SyncState(None, None, None, None)


def _row(source: str, course_id: str, f: StatementFacts, now: datetime) -> tuple[Any, ...]:
    return (source, course_id, f.statement_id, f.learner_key, f.learner_name, f.email, f.verb, f.object_id,
            f.registration, f.session, f.at, f.stored, f.scaled, f.score_raw, f.score_max, f.success, f.completion,
            f.response_chars, f.seconds, f.problem, now)


def store_page(store: Store, source: str, course_id: str, facts: Iterable[StatementFacts], *, since: str | None,
               more: str | None, page_high: datetime | None, state: SyncState) -> tuple[list[StatementFacts], SyncState]:
    """Store a page's statements not stored before, and the sync's position, in one transaction.
    With `more` the sync goes on from there; without, it is finished and high_water moves up to the
    latest `stored` time it read. Returns the statements that were new, and the new position."""
    unique = list({f.statement_id: f for f in facts}.values())  # an LRS may repeat one in a page
    high = max((t for t in (state.pending_high, page_high) if t is not None), default=None)
    if more is None:
        finished = max((t for t in (state.high_water, high) if t is not None), default=None)
        after = SyncState(finished, None, None, None)
    else:
        after = SyncState(state.high_water, since, more, high)
    with store.transaction():
        now = _now()
        # the statements stored before conflict and are left as they are; RETURNING names the others
        # (one statement: looking the ids up first cost as much again)
        inserted = store.insert_rows("xapi_statement", COLUMNS, [_row(source, course_id, f, now) for f in unique],
                                     "ON CONFLICT (source, course_id, statement_id) DO NOTHING", "statement_id")
        fresh = {sid for (sid,) in inserted}
        new = [f for f in unique if f.statement_id in fresh]
        store.execute(
            "INSERT INTO lrs_sync (source, course_id, high_water, synced_at, pending_since, pending_more, pending_high) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, course_id) DO UPDATE SET high_water = EXCLUDED.high_water, "
            "synced_at = EXCLUDED.synced_at, pending_since = EXCLUDED.pending_since, "
            "pending_more = EXCLUDED.pending_more, pending_high = EXCLUDED.pending_high",
            [source, course_id, after.high_water, now, after.pending_since, after.pending_more, after.pending_high],
        )
    return new, after


def forget_pending(store: Store, source: str, course_id: str) -> None:
    """Start the next sync afresh (its `more` link was refused); what was stored stays."""
    store.execute(
        "UPDATE lrs_sync SET pending_since = NULL, pending_more = NULL WHERE source = ? AND course_id = ?",
        [source, course_id],
    )


EVIDENCE_COLUMNS = (
    "learner_key", "learner_name", "email", "verb", "object_id", "session_key", "happened_at", "stored",
    "scaled", "score_raw", "score_max", "success", "completion", "response_chars", "seconds", "statement_id",
)


def evidence_rows(store: Store, source: str, course_id: str) -> Iterator[tuple[Any, ...]]:
    """The valid statements of learners that no stored statement voids, and that void nothing
    themselves, per learner in time order (EVIDENCE_COLUMNS), streamed: read them all before using
    the store again."""
    columns = ", ".join(f"s.{c}" for c in EVIDENCE_COLUMNS)
    return store.stream(
        f"SELECT {columns} FROM xapi_statement s "
        "LEFT JOIN xapi_statement v ON v.source = s.source AND v.course_id = s.course_id "
        "  AND v.verb = ? AND v.problem IS NULL AND v.object_id = s.statement_id "
        "WHERE s.source = ? AND s.course_id = ? AND s.problem IS NULL AND s.learner_key IS NOT NULL "
        "  AND s.verb <> ? AND v.statement_id IS NULL "
        "ORDER BY s.learner_key, s.happened_at, s.stored, s.statement_id",
        [VOIDED, source, course_id, VOIDED],
    )


def counts(store: Store, source: str, course_id: str) -> tuple[int, int]:
    """Statements stored for this LRS and course, and how many of them are not valid xAPI."""
    ((total, bad),) = store.execute(
        "SELECT COUNT(*), COUNT(problem) FROM xapi_statement WHERE source = ? AND course_id = ?", [source, course_id]
    )
    return int(total), int(bad)
