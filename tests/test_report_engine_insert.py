"""DuckDB takes many rows as one list parameter per column (report/duck_columns.py) and stores exactly
what the JSON-lines path it replaced stores; values a list cannot carry exactly still go through JSON."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from coursepack.report import duck_columns, engine
from coursepack.report.engine import DuckDatabase

TABLE = """CREATE TABLE t (
  k INTEGER PRIMARY KEY, text VARCHAR, flag BOOLEAN, count INTEGER, ratio DOUBLE PRECISION,
  mark NUMERIC(7,2), happened TIMESTAMP
)"""
COLUMNS = ("k", "text", "flag", "count", "ratio", "mark", "happened")
ROWS: list[tuple[Any, ...]] = [
    (1, "", True, 0, 0.1, 1.005, datetime(2026, 11, 2, 9, 0, 0, 123456)),  # 1.005 as text rounds up, as a double down
    (2, None, False, -7, 1 / 3, Decimal("66.665"), None),
    (3, "naïve 'quoted' \"text\"\n", None, None, 5, 80, datetime(2026, 1, 1)),
    (4, "x" * 300, True, 2**31 - 1, None, None, datetime(1999, 12, 31, 23, 59, 59)),
]


def stored(db: DuckDatabase) -> list[tuple[Any, ...]]:
    return db.execute("SELECT * FROM t ORDER BY k")


def fill(path: Path, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    db = DuckDatabase(path)
    try:
        db.execute(TABLE)
        returned = db.insert_rows("t", COLUMNS, rows, "ON CONFLICT (k) DO NOTHING", "k")
        assert sorted(k for (k,) in returned) == [row[0] for row in rows]
        again = db.insert_rows("t", COLUMNS, rows, "ON CONFLICT (k) DO NOTHING", "k")
        assert list(again) == []  # RETURNING names only the rows that were new, on either path
        return stored(db)
    finally:
        db.close()


@pytest.mark.parametrize("rows", [ROWS, [(n, f"r{n}", n % 2 == 0, n, n / 7, n / 3, datetime(2026, 1, 1) + timedelta(seconds=n))
                                         for n in range(1, 1200)]], ids=["edge values", "1,199 rows"])
def test_lists_per_column_store_what_the_json_path_stores(tmp_path, monkeypatch, rows) -> None:
    bound: list[list[list[Any]] | None] = []
    monkeypatch.setattr(engine, "column_lists", lambda types, rows: bound.append(duck_columns.column_lists(types, rows)) or bound[-1])
    by_lists = fill(tmp_path / "lists.duckdb", rows)
    assert len(bound) == 2 and None not in bound  # both inserts went as lists
    monkeypatch.setattr(engine, "column_lists", lambda types, rows: None)  # the JSON-lines path, as before
    by_json = fill(tmp_path / "json.duckdb", rows)
    assert by_lists == by_json
    if rows is ROWS:
        assert by_lists[0][5] == Decimal("1.01")  # 1.005 read as text, as JSON has it; as a double it is 1.00


@pytest.mark.parametrize("sql_type, values, expected", [
    ("VARCHAR", ["a", None, ""], ["a", None, ""]),
    ("VARCHAR", ["a", 1], None),  # a number in a text column: JSON's way
    ("BOOLEAN", [True, None], [True, None]),
    ("INTEGER", [1, True], None),  # bool is not an int here
    ("DOUBLE", [1, 0.5, None], [1, 0.5, None]),
    ("DECIMAL(7,2)", [1.005, Decimal("2.5"), 3, None], ["1.005", "2.5", "3.0", None]),
    ("TIMESTAMP", [datetime(2026, 1, 1), None], [datetime(2026, 1, 1), None]),
    ("TIMESTAMP", [datetime(2026, 1, 1, tzinfo=timezone.utc), date(2026, 1, 2)], ["2026-01-01T00:00:00+00:00", "2026-01-02"]),
    ("TIMESTAMP", ["2026-01-01"], None),
    ("BLOB", [b"x"], None),
])
def test_a_column_goes_as_a_list_only_where_its_values_are_certain(sql_type, values, expected) -> None:
    assert duck_columns.column_list(sql_type, values) == expected


def test_a_row_with_a_value_a_list_cannot_carry_takes_the_json_path(tmp_path) -> None:
    db = DuckDatabase(tmp_path / "r.duckdb")
    try:
        db.execute(TABLE)
        db.insert_rows("t", COLUMNS, [(1, 42, None, None, None, None, None)])  # an int into VARCHAR
        assert stored(db) == [(1, "42", None, None, None, None, None)]
    finally:
        db.close()
