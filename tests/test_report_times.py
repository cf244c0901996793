"""Times go into the report store as naive UTC, whatever zone a caller's time is in: a time with a zone
offset is stored as the same instant, on every way a value reaches DuckDB (a statement's parameter,
rows as lists per column, rows as JSON lines) and in the session's own time zone; and on PostgreSQL (a
statement's parameter, rows as one multi-row INSERT), on the run's one server (conftest.py's fixture).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from coursepack.report.engine import Database, DuckDatabase, PostgresDatabase

PLUS_5 = timezone(timedelta(hours=5))
AWARE = datetime(2026, 11, 2, 14, 30, 15, 250000, tzinfo=PLUS_5)
UTC_NAIVE = datetime(2026, 11, 2, 9, 30, 15, 250000)  # the same instant
SESSION_ZONE = "Asia/Kolkata"  # +05:30: a machine's own zone, which DuckDB uses for zoned parameters


def with_table(database: Database, table: str = "TABLE") -> Database:
    database.execute(f"SET TimeZone = '{SESSION_ZONE}'")
    database.execute(f"CREATE {table} t (k INTEGER PRIMARY KEY, text VARCHAR, happened TIMESTAMP)")
    return database


@pytest.fixture
def db(tmp_path: Path):
    database = with_table(DuckDatabase(tmp_path / "times.duckdb"))
    try:
        yield database
    finally:
        database.close()


@pytest.fixture
def pg(postgres):
    """The run's PostgreSQL server, a table of this connection's own (TEMP: no database to make)."""
    database = with_table(PostgresDatabase(postgres.url()), "TEMP TABLE")
    try:
        yield database
    finally:
        database.close()


@pytest.mark.parametrize("how", ["parameter", "column lists", "json lines"])
def test_a_time_with_a_zone_offset_is_stored_as_the_same_instant_in_utc(db, how) -> None:
    if how == "parameter":
        db.execute("INSERT INTO t VALUES (?, ?, ?)", [1, "x", AWARE])
    else:
        text = "x" if how == "column lists" else 42  # an int for VARCHAR sends the rows as JSON lines
        db.insert_rows("t", ("k", "text", "happened"), [(1, text, AWARE), (2, text, None)])
    assert db.execute("SELECT happened FROM t ORDER BY k")[0] == (UTC_NAIVE,)
    # and a zoned time finds it in a query, streamed or not
    assert db.execute("SELECT k FROM t WHERE happened = ?", [AWARE]) == [(1,)]
    assert list(db.stream("SELECT k FROM t WHERE happened = ?", [AWARE])) == [(1,)]



@pytest.mark.parametrize("how", ["parameter", "rows"])
def test_a_time_with_a_zone_offset_is_stored_as_the_same_instant_in_utc_on_postgresql(pg, how) -> None:
    if how == "parameter":
        pg.execute("INSERT INTO t VALUES (?, ?, ?)", [1, "x", AWARE])
    else:
        pg.insert_rows("t", ("k", "text", "happened"), [(1, "x", AWARE), (2, "x", None)])
    assert pg.execute("SELECT happened FROM t ORDER BY k")[0] == (UTC_NAIVE,)
    assert pg.execute("SELECT k FROM t WHERE happened = ?", [AWARE]) == [(1,)]
    assert list(pg.stream("SELECT k FROM t WHERE happened = ?", [AWARE])) == [(1,)]
