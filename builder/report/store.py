"""The report store: an embedded DuckDB file by default (<course>/.coursepack/report.duckdb), or a
PostgreSQL database (`--db postgresql://user@host/db`).

Why DuckDB: it needs no server, and the eligibility rules are joins and aggregates over many rows,
which its columnar engine runs fastest (issue 13 measured 0.7 CPU-s for 2.29 M statements against 3 s
in SQLite). The SQL here and in rules.py is plain SQL that PostgreSQL runs as it is (types VARCHAR,
INTEGER, NUMERIC, DOUBLE PRECISION, BOOLEAN, TIMESTAMP; INSERT ... ON CONFLICT DO UPDATE): one text
for both engines; the few ways they differ (connecting, parameter markers, errors, writing many rows
at once) are in engine.py. Times are UTC.

Tables:
  learner            one row per person, keyed by the identity used across sources ('mailto:…')
  enrolment          who a source lists as a learner of the course
  session            one SCO attempt (later: one xAPI registration) with its times and status
  progress           per learner + course + module + source: pages seen, the source's own 'completed'
  quiz_result        per learner + course + quiz + source: best percent, attempts
  reflection_result  per learner + course + reflection + source: characters answered (never the text)
  import_run         one row per import: source, when, how many learners
  import_scope       while a partial import is stored: the learners it replaces (empty otherwise)
  course_module, course_quiz, course_reflection, course_rule: the course's rules, refreshed from
                     course.yaml before every report, so the rules run in SQL where the data lives.

An import is a snapshot of its source: its rows are upserted with the run's id and the source's rows
that the run did not see are deleted, in one transaction (a failed import changes nothing). A partial
import (write_import with `learners`) is a snapshot of those learners only: the source's rows of the
other learners stay as they are (an LRS sync rebuilds only the learners with new statements).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from coursepack.report.engine import Database, EngineError, connect, is_postgres_url, without_password
from coursepack.report.evidence import ImportBatch

DEFAULT_DB = Path(".coursepack") / "report.duckdb"

SCHEMA = """
CREATE TABLE IF NOT EXISTS learner (
  learner_key VARCHAR PRIMARY KEY,
  name VARCHAR NOT NULL,
  email VARCHAR,
  updated_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS enrolment (
  course_id VARCHAR NOT NULL, learner_key VARCHAR NOT NULL, source VARCHAR NOT NULL,
  lms_user VARCHAR, run_id VARCHAR NOT NULL,
  PRIMARY KEY (course_id, learner_key, source)
);
CREATE TABLE IF NOT EXISTS session (
  course_id VARCHAR NOT NULL, learner_key VARCHAR NOT NULL, source VARCHAR NOT NULL, session_id VARCHAR NOT NULL,
  started_at TIMESTAMP, last_at TIMESTAMP, seconds DOUBLE PRECISION, status VARCHAR, score NUMERIC(7,2),
  run_id VARCHAR NOT NULL,
  PRIMARY KEY (course_id, learner_key, source, session_id)
);
CREATE TABLE IF NOT EXISTS progress (
  course_id VARCHAR NOT NULL, learner_key VARCHAR NOT NULL, module_id VARCHAR NOT NULL, source VARCHAR NOT NULL,
  completed BOOLEAN, pages_seen INTEGER, pages_total INTEGER,
  run_id VARCHAR NOT NULL,
  PRIMARY KEY (course_id, learner_key, module_id, source)
);
CREATE TABLE IF NOT EXISTS quiz_result (
  course_id VARCHAR NOT NULL, learner_key VARCHAR NOT NULL, quiz_id VARCHAR NOT NULL, source VARCHAR NOT NULL,
  module_id VARCHAR NOT NULL, best_percent NUMERIC(7,2) NOT NULL, attempts INTEGER NOT NULL, evidence VARCHAR NOT NULL,
  run_id VARCHAR NOT NULL,
  PRIMARY KEY (course_id, learner_key, quiz_id, source)
);
CREATE TABLE IF NOT EXISTS reflection_result (
  course_id VARCHAR NOT NULL, learner_key VARCHAR NOT NULL, reflection_id VARCHAR NOT NULL, source VARCHAR NOT NULL,
  module_id VARCHAR NOT NULL, chars INTEGER NOT NULL, evidence VARCHAR NOT NULL,
  run_id VARCHAR NOT NULL,
  PRIMARY KEY (course_id, learner_key, reflection_id, source)
);
CREATE TABLE IF NOT EXISTS import_run (
  run_id VARCHAR PRIMARY KEY, course_id VARCHAR NOT NULL, source VARCHAR NOT NULL,
  imported_at TIMESTAMP NOT NULL, learners INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS import_scope (
  run_id VARCHAR NOT NULL, learner_key VARCHAR NOT NULL,
  PRIMARY KEY (run_id, learner_key)
);
CREATE TABLE IF NOT EXISTS course_rule (
  course_id VARCHAR PRIMARY KEY, title VARCHAR NOT NULL, has_certificate BOOLEAN NOT NULL, run_id VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS course_module (
  course_id VARCHAR NOT NULL, module_id VARCHAR NOT NULL, position INTEGER NOT NULL, title VARCHAR NOT NULL,
  required_completion BOOLEAN NOT NULL, required_certificate BOOLEAN NOT NULL, run_id VARCHAR NOT NULL,
  PRIMARY KEY (course_id, module_id)
);
CREATE TABLE IF NOT EXISTS course_quiz (
  course_id VARCHAR NOT NULL, quiz_id VARCHAR NOT NULL, module_id VARCHAR NOT NULL, position INTEGER NOT NULL,
  pass_mark_completion NUMERIC(7,2), pass_mark_certificate NUMERIC(7,2), run_id VARCHAR NOT NULL,
  PRIMARY KEY (course_id, quiz_id)
);
CREATE TABLE IF NOT EXISTS course_reflection (
  course_id VARCHAR NOT NULL, reflection_id VARCHAR NOT NULL, module_id VARCHAR NOT NULL, position INTEGER NOT NULL,
  min_chars_completion INTEGER NOT NULL, min_chars_certificate INTEGER NOT NULL, run_id VARCHAR NOT NULL,
  PRIMARY KEY (course_id, reflection_id)
);
"""


class StoreError(Exception):
    """A one-line message about the store (cannot open, not a store, unsupported URL)."""


@dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...]
    columns: tuple[str, ...]  # every column but run_id, key first


LEARNER = Table("learner", ("learner_key",), ("learner_key", "name", "email", "updated_at"))
ENROLMENT = Table("enrolment", ("course_id", "learner_key", "source"), ("course_id", "learner_key", "source", "lms_user"))
SESSION = Table(
    "session",
    ("course_id", "learner_key", "source", "session_id"),
    ("course_id", "learner_key", "source", "session_id", "started_at", "last_at", "seconds", "status", "score"),
)
PROGRESS = Table(
    "progress",
    ("course_id", "learner_key", "module_id", "source"),
    ("course_id", "learner_key", "module_id", "source", "completed", "pages_seen", "pages_total"),
)
QUIZ = Table(
    "quiz_result",
    ("course_id", "learner_key", "quiz_id", "source"),
    ("course_id", "learner_key", "quiz_id", "source", "module_id", "best_percent", "attempts", "evidence"),
)
REFLECTION = Table(
    "reflection_result",
    ("course_id", "learner_key", "reflection_id", "source"),
    ("course_id", "learner_key", "reflection_id", "source", "module_id", "chars", "evidence"),
)
COURSE_RULE = Table("course_rule", ("course_id",), ("course_id", "title", "has_certificate"))
COURSE_MODULE = Table(
    "course_module",
    ("course_id", "module_id"),
    ("course_id", "module_id", "position", "title", "required_completion", "required_certificate"),
)
COURSE_QUIZ = Table(
    "course_quiz",
    ("course_id", "quiz_id"),
    ("course_id", "quiz_id", "module_id", "position", "pass_mark_completion", "pass_mark_certificate"),
)
COURSE_REFLECTION = Table(
    "course_reflection",
    ("course_id", "reflection_id"),
    ("course_id", "reflection_id", "module_id", "position", "min_chars_completion", "min_chars_certificate"),
)
SOURCE_TABLES = (ENROLMENT, SESSION, PROGRESS, QUIZ, REFLECTION)
COURSE_TABLES = (COURSE_RULE, COURSE_MODULE, COURSE_QUIZ, COURSE_REFLECTION)


def _upsert_columns(table: Table) -> tuple[str, ...]:
    return (*table.columns, "run_id") if table is not LEARNER else table.columns


def _on_conflict(table: Table) -> str:
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in _upsert_columns(table) if c not in table.key)
    return f"ON CONFLICT ({', '.join(table.key)}) DO UPDATE SET {updates}"


def default_db(course_dir: Path) -> Path:
    return course_dir / DEFAULT_DB


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Store:
    def __init__(self, connection: Database, location: str) -> None:
        self.connection = connection  # either engine; execute() takes '?' markers on both
        self.location = location  # a path, or a URL without its password

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self.connection.execute(sql, list(params))
        except EngineError as error:
            raise StoreError(f"{self.location}: {error}") from None

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        """A query's rows, fetched a chunk at a time (for results too large to hold at once)."""
        try:
            yield from self.connection.stream(sql, list(params))
        except EngineError as error:
            raise StoreError(f"{self.location}: {error}") from None

    def script(self, sql: str) -> None:
        """Several statements (tables, views) at once, without parameters."""
        try:
            self.connection.script(sql)
        except EngineError as error:
            raise StoreError(f"{self.location}: {error}") from None

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], conflict: str = "",
                    returning: str = "") -> list[tuple[Any, ...]]:
        """INSERT INTO table (columns) <rows> <conflict> [RETURNING returning], many rows at once, each
        engine its fastest way (engine.py); keys must be distinct within rows. Returns what RETURNING
        gives (with ON CONFLICT DO NOTHING, the rows that were new)."""
        try:
            return self.connection.insert_rows(table, columns, rows, conflict, returning)
        except EngineError as error:
            raise StoreError(f"{self.location}: {error}") from None

    def _write(self, table: Table, rows: list[tuple[Any, ...]], run_id: str | None) -> None:
        """Upsert rows (each stamped with run_id, except learner rows), many per statement. A key
        twice in one statement is an error in DuckDB and PostgreSQL: the last row of a key wins."""
        width = len(table.key)
        rows = list({row[:width]: row for row in rows}.values())
        stamped = [(*row, run_id) for row in rows] if run_id is not None else rows
        self.connection.insert_rows(table.name, _upsert_columns(table), stamped, _on_conflict(table))

    def write_import(self, batch: ImportBatch, learners: Collection[str] | None = None) -> str:
        """Store one import as the source's new snapshot; returns the run id. With `learners` (learner
        keys), as the new snapshot of those learners only: their rows the batch does not hold are
        deleted, every other learner's rows of the source stay untouched. The batch must hold no
        learner outside `learners`."""
        if learners is not None:
            outside = {item.learner.key for item in batch.learners} - set(learners)
            if outside:
                raise ValueError(f"a partial import holds learners it does not replace: {sorted(outside)[:3]}")
        run_id = uuid.uuid4().hex
        now = _now()
        course, source = batch.course_id, batch.source
        rows: dict[str, list[tuple[Any, ...]]] = {t.name: [] for t in SOURCE_TABLES}
        people = []
        for item in batch.learners:
            who = item.learner
            key = who.key
            people.append((key, who.name, who.email, now))
            rows["enrolment"].append((course, key, source, who.lms_user))
            for s in item.sessions:
                rows["session"].append((course, key, source, s.session_id, s.started_at, s.last_at, s.seconds, s.status, s.score))
            for m in item.modules.values():
                rows["progress"].append((course, key, m.module_id, source, m.completed, m.pages_seen, m.pages_total))
            for q in item.quizzes.values():
                rows["quiz_result"].append((course, key, q.quiz_id, source, q.module_id, q.best_percent, q.attempts, q.evidence))
            for r in item.reflections.values():
                rows["reflection_result"].append((course, key, r.reflection_id, source, r.module_id, r.chars, r.evidence))
        try:
            self._store_rows(run_id, now, course, source, people, rows, len(batch.learners), learners)
        except EngineError as error:
            raise StoreError(f"{self.location}: the import was not stored ({error})") from None
        return run_id

    def _store_rows(self, run_id: str, now: datetime, course: str, source: str, people: list[tuple[Any, ...]],
                    rows: dict[str, list[tuple[Any, ...]]], learners: int, scope: Collection[str] | None) -> None:
        stale = "DELETE FROM {table} WHERE course_id = ? AND source = ? AND run_id <> ?"
        if scope is not None:
            # the learners replaced, as rows for the DELETE to join (a list of 100,000 keys as
            # parameters would be one statement too large for either engine)
            stale += " AND learner_key IN (SELECT learner_key FROM import_scope WHERE run_id = ?)"
        params = [course, source, run_id] + ([run_id] if scope is not None else [])
        with self.transaction():
            if scope is not None:
                self.connection.insert_rows("import_scope", ("run_id", "learner_key"), [(run_id, key) for key in sorted(set(scope))])
            self._write(LEARNER, people, None)
            for table in SOURCE_TABLES:
                self._write(table, rows[table.name], run_id)
                self.connection.execute(stale.format(table=table.name), params)
            if scope is not None:
                self.connection.execute("DELETE FROM import_scope WHERE run_id = ?", [run_id])
            self.connection.execute(
                "INSERT INTO import_run (run_id, course_id, source, imported_at, learners) VALUES (?, ?, ?, ?, ?)",
                [run_id, course, source, now, learners],
            )

    def write_course(self, tables: dict[str, list[tuple[Any, ...]]], course_id: str) -> None:
        """Replace the course's rules (course_rule, course_module, course_quiz, course_reflection)."""
        run_id = uuid.uuid4().hex
        try:
            with self.transaction():
                for table in COURSE_TABLES:
                    self._write(table, tables.get(table.name, []), run_id)
                    self.connection.execute(f"DELETE FROM {table.name} WHERE course_id = ? AND run_id <> ?", [course_id, run_id])
        except EngineError as error:
            raise StoreError(f"{self.location}: the course's rules were not stored ({error})") from None

    def transaction(self) -> AbstractContextManager[None]:
        """Statements that are stored together or not at all (engine errors become StoreError when
        they pass through execute())."""
        return self.connection.transaction()


def _keep_out_of_git(folder: Path) -> None:
    """The default store sits in the course folder, which is usually a git repository, and holds
    learners' names and results: its folder ignores itself."""
    ignore = folder / ".gitignore"
    if folder.name == DEFAULT_DB.parent.name and not ignore.exists():
        ignore.write_text("# coursepack's report store: learners' data, never committed\n*\n", encoding="utf-8")


def open_store(db: str | Path) -> Store:
    """Open (creating the tables when missing) the store at a DuckDB file path or a postgresql:// URL."""
    text = str(db)
    if "://" in text and not is_postgres_url(text):
        raise StoreError(f"--db must be a DuckDB file path or a postgresql:// URL (got '{_shown(text)}')")
    try:
        if not is_postgres_url(text):
            Path(text).parent.mkdir(parents=True, exist_ok=True)
            _keep_out_of_git(Path(text).parent)
        connection = connect(text)
    except OSError as error:
        raise StoreError(f"{text}: cannot open the report store ({error.strerror or error})") from None
    except EngineError as error:
        raise StoreError(f"{_shown(text)}: cannot open the report store ({error})") from None
    try:
        connection.script(SCHEMA)
    except EngineError as error:
        connection.close()
        raise StoreError(f"{connection.location}: not a coursepack report store ({error})") from None
    return Store(connection, connection.location)


def _shown(location: str) -> str:
    return without_password(location) if "://" in location else location
