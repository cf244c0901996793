"""Times go into the report store as naive UTC, whatever zone a caller's time is in: a time with a zone
offset is stored as the same instant, on every way a value reaches DuckDB (a statement's parameter,
rows as lists per column, rows as JSON lines) and in the session's own time zone.

PostgreSQL takes the same parameters through the same Database.execute; its server is started once per
session by test_report_postgres.py's fixture, which this module cannot share without starting another.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from coursepack.report.engine import DuckDatabase

PLUS_5 = timezone(timedelta(hours=5))
AWARE = datetime(2026, 11, 2, 14, 30, 15, 250000, tzinfo=PLUS_5)
UTC_NAIVE = datetime(2026, 11, 2, 9, 30, 15, 250000)  # the same instant
SESSION_ZONE = "Asia/Kolkata"  # +05:30: a machine's own zone, which DuckDB uses for zoned parameters


@pytest.fixture
def db(tmp_path: Path):
    database = DuckDatabase(tmp_path / "times.duckdb")
    database.execute(f"SET TimeZone = '{SESSION_ZONE}'")
    database.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, text VARCHAR, happened TIMESTAMP)")
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

