"""The opt-in reflections export: texts kept only by a sync run with --keep-reflections, exported as
CSV (UTF-8 with BOM) or JSON; and the report's certificate id read from certificate_issued."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from conftest import REPO
from coursepack.certificates.eligible import ISSUED_TABLE
from coursepack.cli import main
from coursepack.report import lrs_client
from coursepack.report import reflections as reflections_module
from coursepack.load.course_loader import load_course
from coursepack.report.course_map import course_map
from coursepack.report.lrs_client import LrsClient
from coursepack.report.reflections import ReflectionKeepingLrsClient
from coursepack.report.store import open_store
from coursepack.xapi import vocabulary as v

LOADED = load_course(REPO)
COURSE = LOADED.course.id
BASE = COURSE.rstrip("/")
MAP = course_map(LOADED)
FIRST_REFLECTION, FIRST_INFO = next(iter(MAP.reflections.items()))
ENDPOINT = "https://lrs.example.org/xAPI/"
PASSWORD = "Lrs-pa55word-never-shown"
ALICE = {"objectType": "Agent", "name": "Alice Example", "mbox": "mailto:alice@example.org"}
BOB = {"objectType": "Agent", "name": "=Bob", "account": {"homePage": "https://lms.example.org", "name": "bob"}}
START = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def answer(actor: dict, text: str, minutes: int) -> dict:
    return {
        "id": str(uuid.uuid4()), "actor": actor,
        "verb": {"id": v.RESPONDED, "display": {"en-US": "responded"}},
        "object": {"objectType": "Activity", "id": f"{BASE}/{FIRST_INFO.module_id}/reflection/{FIRST_REFLECTION}"},
        "context": {"contextActivities": {"grouping": [{"objectType": "Activity", "id": COURSE}]}},
        "result": {"response": text},
        "timestamp": stamp(START + timedelta(minutes=minutes)),
        "stored": stamp(START + timedelta(minutes=minutes, seconds=1)),
    }


STATEMENTS = [
    answer(ALICE, "First thoughts.", 0),
    answer(ALICE, "Ich werde mit meinen Schülern über KI sprechen,\nauch über Grenzen. ✓", 30),  # the later one counts
    answer(BOB, "=SUM(A1) is not a formula here", 10),
]


def lrs(request: httpx.Request) -> httpx.Response:
    """One page of statements, newest first, as an LRS answers."""
    return httpx.Response(200, json={"statements": STATEMENTS[::-1], "more": ""}, headers={v.VERSION_HEADER: v.XAPI_VERSION})


def run(args: list, stdin: str | None = None):
    return CliRunner().invoke(main, [str(a) for a in args], input=stdin, env={}, catch_exceptions=False)


@pytest.fixture
def lrs_site(monkeypatch) -> None:
    monkeypatch.setattr(lrs_client, "LrsClient",
                        lambda endpoint, user, password: LrsClient(endpoint, user, password, transport=httpx.MockTransport(lrs)))
    monkeypatch.setattr(reflections_module, "ReflectionKeepingLrsClient",
                        lambda endpoint, user, password, course: ReflectionKeepingLrsClient(
                            endpoint, user, password, course=course, transport=httpx.MockTransport(lrs)))


def sync(db: Path, *extra: str):
    return run(["report", "sync", "--lrs", ENDPOINT, "--user", "reader", "--password-stdin", *extra, "--db", db, REPO],
               stdin=PASSWORD + "\n")


def test_texts_are_kept_only_when_asked(lrs_site, tmp_path) -> None:
    db = tmp_path / "r.duckdb"
    assert sync(db).exit_code == 0
    refused = run(["report", "reflections", "--out", tmp_path / "out.csv", "--db", db, REPO])
    assert refused.exit_code == 2 and "--keep-reflections" in refused.stderr
    assert not (tmp_path / "out.csv").exists()
    assert b"First thoughts" not in db.read_bytes()


def test_sync_with_keep_reflections_then_csv_and_json_exports(lrs_site, tmp_path) -> None:
    db = tmp_path / "r.duckdb"
    result = sync(db, "--keep-reflections")
    assert result.exit_code == 0, result.output
    assert "2 reflection answers kept" in result.stdout
    out = tmp_path / "reflections.csv"
    exported = run(["report", "reflections", "--out", out, "--db", db, REPO])
    assert exported.exit_code == 0, exported.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))
    assert rows[0] == ["name", "identifier", "module", "reflection", "text", "answered (UTC)", "source"]
    body = {r[1]: r for r in rows[1:]}
    assert len(body) == 2
    alice = body["alice@example.org"]
    assert alice[:4] == ["Alice Example", "alice@example.org", FIRST_INFO.module_id, FIRST_REFLECTION]
    assert alice[4] == "Ich werde mit meinen Schülern über KI sprechen,\nauch über Grenzen. ✓"
    assert alice[5] == "2026-11-02 09:30:00"
    bob = body["bob"]
    assert bob[0] == "'=Bob" and bob[4] == "'=SUM(A1) is not a formula here"  # Excel would run them
    as_json = tmp_path / "reflections.json"
    assert run(["report", "reflections", "--out", as_json, "--format", "json", "--db", db, REPO]).exit_code == 0
    document = json.loads(as_json.read_text(encoding="utf-8"))
    assert document["course"] == COURSE
    texts = {r["identifier"]: r for r in document["reflections"]}
    assert texts["bob"]["text"] == "=SUM(A1) is not a formula here" and texts["bob"]["name"] == "=Bob"
    assert texts["alice@example.org"]["answered_at"] == "2026-11-02T09:30:00Z"
    # a second sync reads the same answers again: nothing doubles, the latest still counts
    assert sync(db, "--keep-reflections").exit_code == 0
    again = run(["report", "reflections", "--out", out, "--db", db, REPO])
    assert again.exit_code == 0 and "(2 answers)" in again.stderr


def test_the_report_shows_the_certificate_id_once_issued(lrs_site, tmp_path) -> None:
    db = tmp_path / "r.duckdb"
    assert sync(db).exit_code == 0

    def certificate_ids() -> dict[str, str | None]:
        shown = run(["report", "show", "--format", "json", "--db", db, REPO])
        return {r["identifier"]: r["certificate_id"] for r in json.loads(shown.stdout)["learners"]}

    assert certificate_ids() == {"alice@example.org": None, "bob": None}  # no certificate_issued table yet
    with open_store(db) as store:
        store.execute(ISSUED_TABLE)
        store.execute(
            "INSERT INTO certificate_issued VALUES (?, ?, ?, ?, ?, ?)",
            [COURSE, "mailto:alice@example.org", "CP-TEST-0001", None, datetime(2026, 11, 3), datetime(2026, 11, 3)])
    assert certificate_ids() == {"alice@example.org": "CP-TEST-0001", "bob": None}
    csv_out = run(["report", "show", "--format", "csv", "--db", db, REPO])
    assert "CP-TEST-0001" in csv_out.stdout
