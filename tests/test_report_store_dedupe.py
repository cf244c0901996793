"""A statement is stored once per LRS + course however often an LRS sends it, on both engines; on
DuckDB without any index on the statements' table (its ART indexes stay in memory: the key's grew
~85 MB a million statements), found by the page's range of `stored` times instead; a DuckDB store made
with the key is copied into a table without it when the sync opens it. PostgreSQL keeps its key and
gets the rebuild's two lookup indexes. The figures are in bench/README.md, "Round 6"."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pg_server import Postgres

from coursepack.report import lrs_store
from coursepack.report.store import Store, open_store
from coursepack.report.xapi_facts import StatementFacts
from coursepack.xapi.vocabulary import COMPLETED, VOIDED

SOURCE = "lrs:https://lrs.example.org/xAPI/"
COURSE = "https://courses.example.org/course"
T0 = datetime(2026, 11, 2, 9)
# the statements' table as stores were made before (December 2026): keyed on DuckDB too
OLD_STATEMENT_TABLE = """
CREATE TABLE xapi_statement (
  source VARCHAR NOT NULL, course_id VARCHAR NOT NULL, statement_id VARCHAR NOT NULL,
  learner_key VARCHAR, learner_name VARCHAR, email VARCHAR,
  verb VARCHAR NOT NULL, object_id VARCHAR NOT NULL, registration VARCHAR, session_key VARCHAR,
  happened_at TIMESTAMP, stored TIMESTAMP,
  scaled DOUBLE PRECISION, score_raw DOUBLE PRECISION, score_max DOUBLE PRECISION,
  success BOOLEAN, completion BOOLEAN, response_chars INTEGER, seconds DOUBLE PRECISION,
  problem VARCHAR, fetched_at TIMESTAMP NOT NULL,
  PRIMARY KEY (source, course_id, statement_id)
);
"""


def fact(sid: str, stored: datetime | None, learner: str = "mailto:ada@example.org", verb: str = COMPLETED,
         object_id: str = f"{COURSE}/m1") -> StatementFacts:
    return StatementFacts(sid, learner, "Ada", None, verb, object_id, None, None, stored, stored,
                          None, None, None, None, None, None, None)


def page(store: Store, facts: list[StatementFacts]) -> list[str]:
    """Store one page as the sync does; the ids it found new, in the page's order."""
    state = lrs_store.read_state(store, SOURCE, COURSE)
    new, _ = lrs_store.store_page(store, SOURCE, COURSE, facts, since=None, more="next", page_high=None, state=state)
    return [f.statement_id for f in new]


def stored_ids(store: Store) -> list[str]:
    return sorted(sid for (sid,) in store.execute("SELECT statement_id FROM xapi_statement"))


@pytest.fixture(params=["duckdb", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path):
    location = (request.getfixturevalue("postgres").new_database() if request.param == "postgresql"
                else tmp_path / "r.duckdb")
    with open_store(location) as opened:
        lrs_store.install(opened)
        yield opened


def test_a_statement_sent_again_is_stored_once(store: Store) -> None:
    first = [fact(f"s{n}", T0 + timedelta(seconds=n)) for n in range(6)]
    repeated = first[2]
    assert page(store, [*first, repeated]) == [f"s{n}" for n in range(6)]  # repeated inside the page
    later = [fact("s6", T0 + timedelta(seconds=6)), first[4], fact("s7", T0 + timedelta(seconds=7))]
    assert page(store, later) == ["s6", "s7"]  # the overlap of the next sync's first page
    assert page(store, first) == []  # the whole page again
    assert stored_ids(store) == sorted(f"s{n}" for n in range(8))


def test_pages_out_of_stored_order_are_stored_once(store: Store) -> None:
    """An LRS answering newest first, or its times out of order: slower on DuckDB, never wrong."""
    assert page(store, [fact("late", T0 + timedelta(days=3)), fact("early", T0)]) == ["late", "early"]
    mixed = [fact("middle", T0 + timedelta(days=1)), fact("early", T0), fact("late", T0 + timedelta(days=3)),
             fact("earliest", T0 - timedelta(days=5))]
    assert page(store, mixed) == ["middle", "earliest"]
    assert page(store, [fact("early", T0)]) == []
    assert stored_ids(store) == ["earliest", "early", "late", "middle"]


def test_a_statement_without_a_stored_time_is_stored_once(store: Store) -> None:
    bare = fact("bare", None)
    assert page(store, [bare, fact("timed", T0)]) == ["bare", "timed"]
    assert page(store, [fact("timed", T0), bare, fact("bare2", None)]) == ["bare2"]
    assert page(store, [bare]) == []
    assert stored_ids(store) == ["bare", "bare2", "timed"]


def test_a_new_voiding_statement_makes_its_stored_targets_learner_stale(store: Store) -> None:
    """The voiding lookup finds its target by id, with or without an index."""
    page(store, [fact("target", T0, learner="mailto:bo@example.org")])
    store.execute("DELETE FROM lrs_stale")
    page(store, [fact("void", T0 + timedelta(days=9), learner="mailto:admin@example.org", verb=VOIDED,
                      object_id="target")])
    assert lrs_store.stale_learners(store, SOURCE, COURSE) == ["mailto:bo@example.org"]


def duck_indexes(store: Store) -> list[tuple[str, ...]]:
    """Every index and key DuckDB keeps for the statements' table."""
    return store.execute(
        "SELECT 'index', index_name FROM duckdb_indexes() WHERE table_name = 'xapi_statement' UNION ALL "
        "SELECT 'constraint', constraint_type FROM duckdb_constraints() WHERE table_name = 'xapi_statement' "
        "AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')")


def test_duckdb_keeps_no_index_on_the_statements(tmp_path: Path) -> None:
    with open_store(tmp_path / "r.duckdb") as store:
        lrs_store.install(store)
        assert duck_indexes(store) == []


def test_a_duckdb_store_made_with_the_key_loses_it_and_keeps_its_statements(tmp_path: Path) -> None:
    with open_store(tmp_path / "r.duckdb") as store:
        store.script(lrs_store.SCHEMA + OLD_STATEMENT_TABLE)  # the sync's tables as it made them before
        assert page(store, [fact(f"s{n}", T0 + timedelta(seconds=n)) for n in range(3)]) == ["s0", "s1", "s2"]
        before = store.execute("SELECT * FROM xapi_statement ORDER BY stored")
        assert duck_indexes(store) == [("constraint", "PRIMARY KEY")]
    with open_store(tmp_path / "r.duckdb") as store:
        lrs_store.install(store)
        assert duck_indexes(store) == []
        assert store.execute("SELECT * FROM xapi_statement ORDER BY stored") == before
        assert page(store, [fact("s1", T0 + timedelta(seconds=1)), fact("s3", T0 + timedelta(seconds=3))]) == ["s3"]
        assert stored_ids(store) == ["s0", "s1", "s2", "s3"]


def test_postgresql_keeps_the_key_and_has_the_rebuilds_indexes(postgres: Postgres) -> None:
    with open_store(postgres.new_database()) as store:
        lrs_store.install(store)
        lrs_store.install(store)  # a second sync: nothing made twice
        indexes = dict(store.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'xapi_statement'"))
    assert indexes["xapi_statement_learner"].endswith("(source, course_id, learner_key)")
    assert indexes["xapi_statement_object"].endswith("(source, course_id, object_id)")
    assert any(name.endswith("_pkey") and definition.endswith("(source, course_id, statement_id)")
               for name, definition in indexes.items())
