"""The report store on PostgreSQL (`--db postgresql://…`): the same imports give the same report as
on DuckDB, a sync resumes there too, and the database password is never shown.

A real PostgreSQL from Debian's packages (`postgresql`, installed by .ci/run): conftest.py's `postgres`
fixture, one server for the whole run (tests/pg_server.py). Without it or without psycopg the tests
skip and say why; with CI set they fail instead.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from pg_server import Postgres
from test_report_incremental import read
from test_report_lrs import BASE, COURSE, FIRST, PASSWORD, XCOURSE, SpecLrs, run, seed, statement

from conftest import REPO, SHARED
from coursepack.report import lrs_client
from coursepack.report import lrs_store
from coursepack.report.lrs_client import LrsClient, LrsError
from coursepack.report.lrs_sync import source_name, sync
from coursepack.report.show import csv_bytes, table
from coursepack.report.show_html import html_page
from coursepack.report.store import StoreError, open_store
from coursepack.xapi.vocabulary import COMPLETED

MOODLE = SHARED / "fixtures" / "moodle-4.3"


@pytest.fixture
def database(postgres: Postgres) -> str:
    """A fresh database of the session's server, as a URL with the password."""
    return postgres.new_database()


# ---- the same data on both engines ---------------------------------------------------------------------


START = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
ADA = {"objectType": "Agent", "name": "ada lovelace", "mbox": "mailto:ada@example.org"}  # a name in lower case
# made once: both engines read the very same statements (ids included)
STATEMENTS = [*seed(START)[0], statement(ADA, COMPLETED, f"{BASE}/{FIRST}", START)]
MOODLE_FILES = [MOODLE / "scorm-reports/cm2_interactions_full_CSV.txt", MOODLE / "scorm-reports/cm2_basic_full_CSV.txt",
                MOODLE / "gradebook/grade_export_txt_default.csv"]


def lrs_site(monkeypatch) -> SpecLrs:
    site = SpecLrs()
    site.add(STATEMENTS, START + timedelta(days=1))

    def make(endpoint: str, user: str, password: str) -> LrsClient:
        return LrsClient(endpoint, user, password, transport=site.transport())

    monkeypatch.setattr(lrs_client, "LrsClient", make)
    return site


def fill(location: str, monkeypatch) -> list[str]:
    """A Moodle activity's downloads and the LRS's statements into the store; the commands' output."""
    lrs_site(monkeypatch)
    imported = run(["report", "import", "moodle", "--files", *MOODLE_FILES, "--cmid", "2", "--db", location, REPO])
    assert imported.exit_code == 0, imported.output
    outputs = [imported.output]
    for _ in range(2):  # the second sync reads the statements again (--since) and stores none twice
        synced = run(["report", "sync", "--lrs", SpecLrs.ENDPOINT, "--user", "reader", "--password-stdin", "--limit", "100",
                      "--since", "2026-01-01", "--db", location, REPO], stdin=PASSWORD + "\n")
        assert synced.exit_code == 0, synced.output
        outputs.append(synced.output)
    assert "(0 new)" in outputs[-1]
    return outputs


def show(location: str, fmt: str) -> str:
    result = run(["report", "show", "--format", fmt, "--db", location, REPO])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.skipif(not MOODLE.is_dir(), reason=f"Moodle fixtures not found at {MOODLE}")
def test_moodle_files_and_lrs_statements_give_the_same_report_on_duckdb_and_postgresql(tmp_path, database, postgres,
                                                                                       monkeypatch) -> None:
    duck = str(tmp_path / "report.duckdb")
    fill(duck, monkeypatch)
    outputs = fill(database, monkeypatch)
    on_duckdb, on_postgres = show(duck, "json"), show(database, "json")
    assert on_postgres == on_duckdb
    learners = json.loads(on_postgres)["learners"]
    assert len(learners) == 11 + 7  # the Moodle activity's students and the LRS's learners
    names = [row["name"] for row in learners]
    assert names == sorted(names) and names[-1] == "ada lovelace"  # in code point order on both engines
    with open_store(database) as store:
        by_collation = [name for (name,) in store.execute("SELECT name FROM learner ORDER BY name")]
    if by_collation[0] == "ada lovelace":  # the database sorts by language: the report did not let it
        assert by_collation != names
    statuses = {row["identifier"]: row["status"] for row in learners}
    assert statuses["alice@example.org"] == "eligible" and statuses["studenta@example.com"] == "eligible"
    assert sorted(set(statuses.values())) == ["completed", "eligible", "in progress", "not started"]
    # the other formats from each engine's report, read once each (a `report show` per engine and
    # format loaded the course six more times; the command itself ran above on both engines)
    from_postgres, from_duckdb = read(database), read(duck)
    assert from_postgres == from_duckdb
    for render in (csv_bytes, table, html_page):
        assert render(from_postgres) == render(from_duckdb), render.__name__
    assert run(["report", "show", "--format", "csv", "--db", duck, REPO]).stdout_bytes == csv_bytes(from_duckdb)
    # the password of the URL is never shown; where the store is, is
    shown = f"postgresql://{postgres.user}:***@127.0.0.1:{postgres.port}/"
    assert all(postgres.password not in text for text in outputs) and shown in outputs[-1]


def test_a_sync_interrupted_on_postgresql_resumes_and_keeps_its_mark(database) -> None:
    site = SpecLrs()
    site.add(STATEMENTS, START + timedelta(days=1))
    site.fail[2] = lambda request: (_ for _ in ()).throw(httpx.ReadError("connection reset"))
    for attempt in range(2):
        with site.client() as client, open_store(database) as store:
            if attempt == 0:
                with pytest.raises(LrsError, match="on page 2"):
                    sync(store, client, XCOURSE, limit=100)
                state = lrs_store.read_state(store, source_name(SpecLrs.ENDPOINT), COURSE)
                assert state.interrupted and state.high_water is None
                assert store.execute("SELECT COUNT(*) FROM xapi_statement")[0][0] == 100
            else:
                result = sync(store, client, XCOURSE, limit=100)
                assert result.resumed and result.new == len(STATEMENTS) - 1 - 100  # all but another course's
                state = lrs_store.read_state(store, source_name(SpecLrs.ENDPOINT), COURSE)
                newest = store.execute("SELECT MAX(stored) FROM xapi_statement")[0][0]
                assert state.high_water == newest and not state.interrupted
                assert store.execute("SELECT COUNT(DISTINCT learner_key) FROM enrolment")[0][0] == 7


def test_a_wrong_database_password_is_one_line_without_it(postgres, tmp_path) -> None:
    wrong = "Wr0ng-" + secrets.token_hex(6)
    result = run(["report", "show", "--db", postgres.url("postgres", password=wrong), REPO])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: postgresql://coursepack:***@127.0.0.1:"), result.output
    assert "password authentication failed" in lines[0] and wrong not in result.output
    with pytest.raises(StoreError, match="--db must be a DuckDB file path or a postgresql:// URL"):
        open_store("mysql://report@127.0.0.1/coursepack")


def test_incremental_syncs_rebuild_the_same_learners_and_give_the_same_report_on_both_engines(tmp_path, database) -> None:
    from test_report_incremental import changed, evidence, four_learners, same_reports
    from test_report_lrs import ALICE, MODULES, play, spec_sync, voiding

    site = SpecLrs()
    statements = four_learners()
    site.add(statements, START + timedelta(days=1))
    duck = tmp_path / "report.duckdb"
    before = {location: (spec_sync(location, site), evidence(location)) for location in (duck, database)}
    rest = [m for m, _ in MODULES][2:]
    site.add(play(ALICE, START + timedelta(days=1), modules=rest), START + timedelta(days=2))
    site.add([voiding(statements[-1], START + timedelta(days=3))], START + timedelta(days=3))  # Dan's last
    for location in (duck, database):
        first, rows_before = before[location]
        second = spec_sync(location, site)
        assert (first.rebuilt, second.rebuilt) == (4, 2), location
        assert changed(rows_before, evidence(location)) == {"mailto:alice@example.org", "openid:https://openid.example.org/dan"}
    for fmt in ("csv", "json"):
        assert show(database, fmt) == show(str(duck), fmt), fmt
    scratch = SpecLrs()
    scratch.stored = list(site.stored)
    scratch_db = tmp_path / "scratch.duckdb"
    spec_sync(scratch_db, scratch)
    same_reports(duck, scratch_db)
