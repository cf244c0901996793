"""What `report sync --lrs` keeps in the report store besides the evidence: the statements' facts
(one row per LRS + course + statement id, so a statement is stored once however often an LRS sends
it) and, per LRS + course, how far the syncs got.

  xapi_statement  the facts of every statement read (xapi_facts.py); never a response's text
  lrs_sync        per LRS + course: high_water (the latest `stored` time of a finished sync), and while
                  a sync is under way the `since` it started from, its next page (`more`) and the
                  latest `stored` time it has read, so an interrupted sync continues where it stopped
  lrs_stale       per LRS + course: the learners whose evidence no longer matches their statements
                  (a new statement of theirs, or a new voiding statement of one of theirs)
  lrs_evidence    per LRS + course: the fingerprint of the course (XapiCourse) the evidence was built
                  for; another fingerprint (course.yaml changed) or none makes every learner stale

Each page is stored in one transaction with the sync's position and the learners it makes stale, so a
crash loses nothing fetched and the next sync still rebuilds those learners.
Plain SQL for both engines, as store.py, but for one difference: on DuckDB, whose indexes stay in
memory, xapi_statement has no key, and a page's statements stored before are found by their `stored`
times (_stored_before); on PostgreSQL its key finds them (ON CONFLICT DO NOTHING).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from coursepack.report.engine import EngineError
from coursepack.report.store import Store, StoreError
from coursepack.report.xapi_facts import StatementFacts
from coursepack.xapi.vocabulary import VOIDED

VOIDED_PER_QUERY = 1_000  # voiding statements' targets looked up in one query

# The statements' table; {key} is its primary key where indexes live on disk (PostgreSQL), nothing on
# DuckDB, whose ART indexes stay in memory: the key's grew ~85 MB a million statements with an LRS's
# random ids, pinned while rows go in (bench/README.md, "Round 5" and "Round 6"). store_page finds the
# statements stored before by their `stored` times there instead (_stored_before).
STATEMENT_TABLE = """
CREATE TABLE {if_not_exists}{name} (
  source VARCHAR NOT NULL, course_id VARCHAR NOT NULL, statement_id VARCHAR NOT NULL,
  learner_key VARCHAR, learner_name VARCHAR, email VARCHAR,
  verb VARCHAR NOT NULL, object_id VARCHAR NOT NULL, registration VARCHAR, session_key VARCHAR,
  happened_at TIMESTAMP, stored TIMESTAMP,
  scaled DOUBLE PRECISION, score_raw DOUBLE PRECISION, score_max DOUBLE PRECISION,
  success BOOLEAN, completion BOOLEAN, response_chars INTEGER, seconds DOUBLE PRECISION,
  problem VARCHAR, fetched_at TIMESTAMP NOT NULL{key}
);
"""
STATEMENT_KEY = ",\n  PRIMARY KEY (source, course_id, statement_id)"
# PostgreSQL only: a stale learner's rebuild reads their statements (evidence_rows, by learner key) and
# asks of each whether a voiding statement names it (by object id); without these both are scans of
# every statement (3 M statements: one learner's rebuild 171 CPU-s of the server, 1.4 ms with them;
# bench/README.md, "PostgreSQL at scale"). DuckDB scans one column of each: 0.1 CPU-s at 1 M with or
# without them (its plan does not use them), and they would be more index in memory ("Round 6").
STATEMENT_INDEXES = """
CREATE INDEX IF NOT EXISTS xapi_statement_learner ON xapi_statement (source, course_id, learner_key);
CREATE INDEX IF NOT EXISTS xapi_statement_object ON xapi_statement (source, course_id, object_id);
"""
SCHEMA = """
CREATE TABLE IF NOT EXISTS lrs_sync (
  source VARCHAR NOT NULL, course_id VARCHAR NOT NULL,
  high_water TIMESTAMP, synced_at TIMESTAMP,
  pending_since VARCHAR, pending_more VARCHAR, pending_high TIMESTAMP,
  PRIMARY KEY (source, course_id)
);
CREATE TABLE IF NOT EXISTS lrs_stale (
  source VARCHAR NOT NULL, course_id VARCHAR NOT NULL, learner_key VARCHAR NOT NULL,
  PRIMARY KEY (source, course_id, learner_key)
);
CREATE TABLE IF NOT EXISTS lrs_evidence (
  source VARCHAR NOT NULL, course_id VARCHAR NOT NULL, course_hash VARCHAR NOT NULL,
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
    """The sync's tables. On DuckDB the statements' table has no key (a store made with one is copied
    into one without, once); on PostgreSQL it has its key and the rebuild's two lookup indexes."""
    if store.connection.indexes_in_memory:
        keyed = _has_statement_key(store)
        store.script(SCHEMA + STATEMENT_TABLE.format(if_not_exists="IF NOT EXISTS ", name="xapi_statement", key=""))
        if keyed:
            _drop_statement_key(store)
    else:
        store.script(SCHEMA + STATEMENT_TABLE.format(if_not_exists="IF NOT EXISTS ", name="xapi_statement",
                                                     key=STATEMENT_KEY) + STATEMENT_INDEXES)


def _has_statement_key(store: Store) -> bool:
    """A DuckDB store made before the statements' table lost its key (bench/README.md, "Round 6")."""
    ((count,),) = store.execute(
        "SELECT COUNT(*) FROM duckdb_constraints() WHERE database_name = current_database() "
        "AND schema_name = current_schema() AND table_name = 'xapi_statement' AND constraint_type = 'PRIMARY KEY'")
    return count > 0


def _drop_statement_key(store: Store) -> None:
    """Copy the statements into a table without the key, in their order (which keeps `stored` times
    together for _stored_before), and put it in the old one's place, all in one transaction: an
    interruption leaves the old table as it was. Under the rebuild's memory bound: the copy streams."""
    columns = ", ".join(COLUMNS)
    with bounded_memory(store), store.transaction():
        store.execute(STATEMENT_TABLE.format(if_not_exists="", name="xapi_statement_unkeyed", key=""))
        store.execute(f"INSERT INTO xapi_statement_unkeyed ({columns}) SELECT {columns} FROM xapi_statement")
        store.execute("DROP TABLE xapi_statement")
        store.execute("ALTER TABLE xapi_statement_unkeyed RENAME TO xapi_statement")


@contextmanager
def bounded_memory(store: Store) -> Iterator[None]:
    """A DuckDB store's memory_limit meanwhile (engine.py: a sync's, storing its pages and rebuilding the
    evidence; not `report show`'s); $COURSEPACK_REBUILD_MEMORY_LIMIT overrides it."""
    try:
        with store.connection.bounded_memory():
            yield
    except EngineError as error:
        raise StoreError(f"{store.location}: {error}") from None


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
        new = _store_new(store, source, course_id, unique, now)
        _mark_stale(store, source, course_id, new)
        store.execute(
            "INSERT INTO lrs_sync (source, course_id, high_water, synced_at, pending_since, pending_more, pending_high) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, course_id) DO UPDATE SET high_water = EXCLUDED.high_water, "
            "synced_at = EXCLUDED.synced_at, pending_since = EXCLUDED.pending_since, "
            "pending_more = EXCLUDED.pending_more, pending_high = EXCLUDED.pending_high",
            [source, course_id, after.high_water, now, after.pending_since, after.pending_more, after.pending_high],
        )
    return new, after


def _store_new(store: Store, source: str, course_id: str, unique: list[StatementFacts],
               now: datetime) -> list[StatementFacts]:
    """Store the statements not stored before (ids distinct); returns them."""
    if store.connection.indexes_in_memory:
        before = _stored_before(store, source, course_id, unique)
        new = [f for f in unique if f.statement_id not in before]
        store.insert_rows("xapi_statement", COLUMNS, [_row(source, course_id, f, now) for f in new])
        return new
    # the statements stored before conflict with the key and are left as they are; RETURNING names the
    # others (one statement: looking the ids up first cost as much again)
    inserted = store.insert_rows("xapi_statement", COLUMNS, [_row(source, course_id, f, now) for f in unique],
                                 "ON CONFLICT (source, course_id, statement_id) DO NOTHING", "statement_id")
    fresh = {sid for (sid,) in inserted}
    return [f for f in unique if f.statement_id in fresh]


def _stored_before(store: Store, source: str, course_id: str, facts: list[StatementFacts]) -> set[str]:
    """The ids of the statements stored already, found without an index (DuckDB). An LRS sets a
    statement's `stored` once (xAPI: immutable), so a statement sent again carries the time it was
    stored with: only the rows in the page's range of `stored` times are compared, and DuckDB skips every
    row group whose min/max of `stored` lies outside it. An LRS answers in `stored` order (newest first
    unless asked otherwise), so the rows go in grouped by time and the range is a row group or two however
    large the table; an unordered page costs a wider scan, never a wrong answer. Statements with no `stored` time are
    compared with the stored ones that have none."""
    timed = {f.statement_id: f.stored for f in facts if f.stored is not None}
    untimed = [f.statement_id for f in facts if f.stored is None]
    found: set[str] = set()
    # the ids as one list parameter (500 parameters would cost DuckDB more than the lookup)
    lookup = ("SELECT statement_id FROM xapi_statement WHERE source = ? AND course_id = ? AND {when} "
              "AND statement_id IN (SELECT UNNEST(?::VARCHAR[]))")
    if timed:
        low, high = min(timed.values()), max(timed.values())
        found.update(sid for (sid,) in store.execute(lookup.format(when="stored BETWEEN ? AND ?"),
                                                     [source, course_id, low, high, list(timed)]))
    if untimed:
        found.update(sid for (sid,) in store.execute(lookup.format(when="stored IS NULL"), [source, course_id, untimed]))
    return found


def _mark_stale(store: Store, source: str, course_id: str, new: list[StatementFacts]) -> None:
    """The learners whose evidence the new statements change: the learners of new valid statements
    (evidence_rows leaves the others, and every voiding statement, out), and the learners of the stored
    statements a new valid voiding statement names (a target stored later is new itself then)."""
    keys = {f.learner_key for f in new if f.learner_key is not None and f.problem is None and f.verb != VOIDED}
    targets = sorted({f.object_id for f in new if f.verb == VOIDED and f.problem is None})
    for start in range(0, len(targets), VOIDED_PER_QUERY):
        chunk = targets[start : start + VOIDED_PER_QUERY]
        keys.update(key for (key,) in store.execute(
            "SELECT DISTINCT learner_key FROM xapi_statement WHERE source = ? AND course_id = ? AND learner_key IS NOT NULL "
            f"AND statement_id IN ({', '.join('?' for _ in chunk)})", [source, course_id, *chunk]))
    if keys:
        store.insert_rows("lrs_stale", ("source", "course_id", "learner_key"),
                          [(source, course_id, key) for key in sorted(keys)],
                          "ON CONFLICT (source, course_id, learner_key) DO NOTHING")


def mark_all_stale(store: Store, source: str, course_id: str) -> None:
    """Every learner of the LRS + course: those with statements, and those with evidence stored
    (whose statements may all be voided now)."""
    store.execute(
        "INSERT INTO lrs_stale (source, course_id, learner_key) SELECT ?, ?, k.learner_key FROM ("
        "  SELECT learner_key FROM xapi_statement WHERE source = ? AND course_id = ? AND learner_key IS NOT NULL"
        "  UNION SELECT learner_key FROM enrolment WHERE source = ? AND course_id = ?"
        ") k ON CONFLICT (source, course_id, learner_key) DO NOTHING",
        [source, course_id, source, course_id, source, course_id],
    )


def stale_learners(store: Store, source: str, course_id: str) -> list[str]:
    """The stale learners' keys in the database's own order of learner_key (which evidence_rows'
    key ranges follow)."""
    return [key for (key,) in store.execute(
        "SELECT learner_key FROM lrs_stale WHERE source = ? AND course_id = ? ORDER BY learner_key", [source, course_id])]


def evidence_basis(store: Store, source: str, course_id: str) -> str | None:
    rows = store.execute("SELECT course_hash FROM lrs_evidence WHERE source = ? AND course_id = ?", [source, course_id])
    return rows[0][0] if rows else None


def evidence_rebuilt(store: Store, source: str, course_id: str, course_hash: str) -> None:
    """Every stale learner's evidence is stored again, for the course with this fingerprint."""
    with store.transaction():
        store.execute("DELETE FROM lrs_stale WHERE source = ? AND course_id = ?", [source, course_id])
        store.execute(
            "INSERT INTO lrs_evidence (source, course_id, course_hash) VALUES (?, ?, ?) "
            "ON CONFLICT (source, course_id) DO UPDATE SET course_hash = EXCLUDED.course_hash",
            [source, course_id, course_hash],
        )


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


def evidence_rows(store: Store, source: str, course_id: str, first: str, last: str) -> Iterator[tuple[Any, ...]]:
    """The valid statements that no stored statement voids, and that void nothing themselves, of the
    stale learners from key `first` to `last`, per learner in time order (EVIDENCE_COLUMNS), streamed:
    read them all before using the store again."""
    columns = ", ".join(f"s.{c}" for c in EVIDENCE_COLUMNS)
    return store.stream(
        f"SELECT {columns} FROM xapi_statement s "
        "JOIN lrs_stale k ON k.source = s.source AND k.course_id = s.course_id AND k.learner_key = s.learner_key "
        "LEFT JOIN xapi_statement v ON v.source = s.source AND v.course_id = s.course_id "
        "  AND v.verb = ? AND v.problem IS NULL AND v.object_id = s.statement_id "
        "WHERE s.source = ? AND s.course_id = ? AND s.problem IS NULL AND s.learner_key >= ? AND s.learner_key <= ? "
        "  AND s.verb <> ? AND v.statement_id IS NULL "
        "ORDER BY s.learner_key, s.happened_at, s.stored, s.statement_id",
        [VOIDED, source, course_id, first, last, VOIDED],
    )


def learners(store: Store, source: str, course_id: str) -> int:
    """Learners with evidence from this LRS and course."""
    ((count,),) = store.execute("SELECT COUNT(*) FROM enrolment WHERE source = ? AND course_id = ?", [source, course_id])
    return int(count)


def counts(store: Store, source: str, course_id: str) -> tuple[int, int]:
    """Statements stored for this LRS and course, and how many of them are not valid xAPI."""
    ((total, bad),) = store.execute(
        "SELECT COUNT(*), COUNT(problem) FROM xapi_statement WHERE source = ? AND course_id = ?", [source, course_id]
    )
    return int(total), int(bad)
