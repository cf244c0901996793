"""The report computes each part of the rules once (builder/report/rules.py, REPORT_TABLES): the parts
several queries read (the learners' best scores, each module's state, the open rules) are filled into
the session's temporary tables, so the statements `read_report` runs read each evidence table twice in
all (once for the rules, once for whether the learner did anything), on DuckDB and on PostgreSQL. As
views, every query recomputed them: the report's plans read progress 4 times (DuckDB) or 6 (PostgreSQL),
quiz_result 7 or 10 (bench/README.md, "PostgreSQL round 2: the rules once")."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from test_report_rules import full_marks

from conftest import REPO
from coursepack.load.course_loader import load_course
from coursepack.report.course_map import course_map
from coursepack.report.evidence import ImportBatch
from coursepack.report.rules import read_report, refresh_course
from coursepack.report.store import Store, open_store

EVIDENCE = ("session", "progress", "quiz_result", "reflection_result")
# a scan of a table in a plan: DuckDB's `Table: "r".main.progress` (`main."session"`: a keyword),
# PostgreSQL's `Seq Scan on progress` (or `Index Scan using … on progress`)
SCANS = {
    "duckdb": lambda table: re.compile(rf'Table: \S*\."?{table}\b'),
    "postgresql": lambda table: re.compile(rf"Scan (?:using \S+ )?on {table}\b"),
}


def recorded(store: Store) -> list[tuple[str, list[Any]]]:
    """Every query the store's connection runs from now on, with its parameters."""
    statements: list[tuple[str, list[Any]]] = []

    def keep(method: Callable[..., Any]) -> Callable[..., Any]:
        def run(sql: str, params: Any = ()) -> Any:
            statements.append((sql, list(params)))
            return method(sql, params)
        return run

    store.connection.execute = keep(store.connection.execute)  # type: ignore[method-assign]
    store.connection.stream = keep(store.connection.stream)  # type: ignore[method-assign]
    return statements


def plans(store: Store, statements: list[tuple[str, list[Any]]]) -> Iterator[str]:
    """The plan of each statement that reads rows (a SELECT, or an INSERT … SELECT), as text."""
    for sql, params in statements:
        if re.match(r"\s*(SELECT|INSERT\s+INTO\s+\w+\s+SELECT)", sql, re.IGNORECASE):
            # DuckDB's rows are (kind, plan), PostgreSQL's one line each
            yield "\n".join(str(cell) for row in store.execute(f"EXPLAIN {sql}", params) for cell in row[1:] or row)


@pytest.fixture(scope="module")
def loaded():
    return load_course(REPO)


def fill(location: str, loaded) -> None:
    """Three learners: one eligible, one completed (a quiz below the certificate's mark), one in progress."""
    course = course_map(loaded)
    q1 = list(course.quizzes)[0]
    learners = [full_marks("ada", course), full_marks("bob", course, quiz={q1: 40.0}),
                full_marks("cy", course, skip={course.module_ids[0]})]
    with open_store(location) as store:
        store.write_import(ImportBatch("test-0", loaded.course.id, learners))


@pytest.fixture(params=["duckdb", "postgresql"])
def location(request, tmp_path: Path) -> str:
    if request.param == "duckdb":
        return str(tmp_path / "r.duckdb")
    return request.getfixturevalue("postgres").new_database()


def test_a_report_reads_each_evidence_table_twice(location: str, loaded) -> None:
    engine = "postgresql" if "://" in location else "duckdb"
    fill(location, loaded)
    with open_store(location) as store:
        refresh_course(store, loaded)
        statements = recorded(store)
        report = read_report(store, loaded.course.id)
        del store.connection.execute, store.connection.stream
        text = "\n".join(plans(store, statements))
    assert [row.status for row in report.rows] == ["eligible", "completed", "in progress"]
    reads = {table: len(SCANS[engine](table).findall(text)) for table in EVIDENCE}
    assert reads == {table: 2 for table in EVIDENCE}, reads


def test_a_second_report_in_the_same_session_fills_the_tables_anew(tmp_path: Path, loaded) -> None:
    location = str(tmp_path / "r.duckdb")
    fill(location, loaded)
    with open_store(location) as store:
        refresh_course(store, loaded)
        first = read_report(store, loaded.course.id)
        store.write_import(ImportBatch("test-1", loaded.course.id, [full_marks("dee", course_map(loaded))]))
        second = read_report(store, loaded.course.id)
        (states,) = store.execute("SELECT COUNT(*) FROM shown_module_state")
    assert [row.name for row in second.rows] == [row.name for row in first.rows] + ["Dee"]
    assert second.rows[:3] == first.rows
    assert states == (4 * len(first.modules),)  # this report's learners, not the first report's again


def test_on_postgresql_the_tables_have_statistics(postgres, loaded) -> None:
    """Autovacuum never analyses a temporary table; without statistics PostgreSQL misjudged the module
    state's joins (at 1 M statements that one INSERT took 216 s instead of 0.75 s)."""
    location = postgres.new_database()
    fill(location, loaded)
    with open_store(location) as store:
        refresh_course(store, loaded)
        read_report(store, loaded.course.id)
        counted = dict(store.execute("SELECT relname, reltuples FROM pg_class WHERE relname LIKE 'shown%' AND relkind = 'r'"))
    assert counted["shown_learner"] == 3 and counted["shown_module_state"] == 3 * len(course_map(loaded).module_ids), counted
    assert all(rows >= 0 for rows in counted.values()), counted  # -1: never analysed
