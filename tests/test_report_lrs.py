"""`coursepack report sync --lrs`: statements read from an LRS into the report store and judged by the
course's rules.

Against the real Ralph LRS (the session `lrs` fixture, tests/lrs/server.py), seeded with statements as
the course's packages send them: several learners and identifier kinds, paging over `limit`, late
statements with old timestamps, a voided statement, a course completed by another tool, the LRS killed
mid-sync. Against `SpecLrs` (httpx.MockTransport) for what Ralph does not do as the spec says: newest
first, `since` on `stored`, voided statements left out of queries; and for the faults (a `more` loop,
a truncated answer, HTTP errors, a malformed statement).
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from click.testing import CliRunner

from conftest import REPO
from coursepack.cli import main
from coursepack.load.course_loader import load_course
from coursepack.report import lrs_client, lrs_store, progress
# Imported before any test replaces lrs_client.LrsClient with a function (spec_site, and
# test_report_postgres's lrs_site): `report sync` imports this module when it runs, and its class
# ReflectionKeepingLrsClient(LrsClient) cannot subclass a function. Without this line those tests
# failed whenever they ran before anything else had imported it (alone, or first on an xdist worker).
from coursepack.report import reflections  # noqa: F401
from coursepack.report.course_map import course_map
from coursepack.report.lrs_client import LrsClient, LrsError
from coursepack.report.lrs_evidence import target_of, xapi_course
from coursepack.report.lrs_sync import OVERLAP, SyncError, since_text, source_name, sync
from coursepack.report.progress import RateLine
from coursepack.report.store import open_store
from coursepack.report.xapi_facts import CheckedParts, statement_facts
from coursepack.xapi.statements import parse_statement
from coursepack.xapi import vocabulary as v

LOADED = load_course(REPO)
COURSE = LOADED.course.id
BASE = COURSE.rstrip("/")
MAP = course_map(LOADED)
XCOURSE = xapi_course(LOADED, MAP)
MODULES = [(m.module.id, [p.id for p in m.module.pages]) for m in LOADED.modules]
QUIZ = {info.module_id: quiz for quiz, info in MAP.quizzes.items()}  # one quiz per module in this course
REFLECTION = {info.module_id: rid for rid, info in MAP.reflections.items()}
FIRST, SECOND = MODULES[0][0], MODULES[1][0]

ALICE = {"objectType": "Agent", "name": "Alice Example", "mbox": "mailto:Alice@Example.org"}
BOB = {"objectType": "Agent", "name": "Bob Builder", "account": {"homePage": "https://lms.example.org", "name": "bob"}}
CARLA = {"objectType": "Agent", "name": "Carla Díaz", "mbox_sha1sum": "a" * 40}
DAN = {"objectType": "Agent", "name": "Dan Late", "openid": "https://openid.example.org/dan"}
EVE = {"objectType": "Agent", "name": "Eve Voided", "mbox": "mailto:eve@example.org"}
FRANK = {"objectType": "Agent", "name": "Frank Othertool", "mbox": "mailto:frank@example.org"}
SYSTEM = {"objectType": "Agent", "name": "LRS admin", "mbox": "mailto:admin@example.org"}

OTHER_COURSE = "https://courses.example.org/another-course"
PASSWORD = "Lrs-pa55word-never-shown"  # SpecLrs's; Ralph's users have their own (lrs.admin)
TEXT = "Mis alumnos usan traductores automáticos y correctores; hablaré con ellos sobre cuándo ayudan y cuándo no. "


# ---- statements as the course's packages send them ------------------------------------------------------


def stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def statement(actor: dict, verb: str, object_id: str, when: datetime, *, result: dict | None = None,
              registration: str | None = None, obj: dict | None = None, course: str = COURSE) -> dict:
    made = {
        "id": str(uuid.uuid4()), "actor": actor,
        "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[-1]}},
        "object": obj or {"objectType": "Activity", "id": object_id},
        "context": {"contextActivities": {"grouping": [{"objectType": "Activity", "id": course}]}},
        "timestamp": stamp(when),
    }
    if registration:
        made["context"]["registration"] = registration
    if result is not None:
        made["result"] = result
    return made


def quiz_result(scaled: float) -> dict:
    return {"success": scaled >= 0.8, "score": {"scaled": scaled, "raw": round(scaled * 100, 2), "min": 0, "max": 100}}


def play(actor: dict, start: datetime, *, modules: Iterable[str] | None = None, quiz: dict[str, list[float]] | None = None,
         chars: int = 150, finish: bool = True, minutes: int = 45) -> list[dict]:
    """What the xAPI package sends for a learner who goes through `modules` (default all): each page,
    each quiz attempt (passed/failed with score.scaled), the reflection, the module completed; then the
    course completed (finish) or suspended, and terminated with the session's duration."""
    registration = str(uuid.uuid4())
    clock = [start]

    def at() -> datetime:
        clock[0] += timedelta(seconds=20)
        return clock[0]

    wanted = set(modules) if modules is not None else {m for m, _ in MODULES}
    sent = [statement(actor, v.INITIALIZED, COURSE, at(), registration=registration)]
    for module, pages in MODULES:
        if module not in wanted:
            continue
        for page in pages:
            sent.append(statement(actor, v.EXPERIENCED, f"{BASE}/{module}/{page}", at(), registration=registration))
        for scaled in (quiz or {}).get(module, [0.9]):
            verb = v.PASSED if scaled >= 0.8 else v.FAILED
            sent.append(statement(actor, verb, f"{BASE}/{module}/quiz/{QUIZ[module]}", at(), result=quiz_result(scaled),
                                  registration=registration))
        sent.append(statement(actor, v.RESPONDED, f"{BASE}/{module}/reflection/{REFLECTION[module]}", at(),
                              result={"response": (TEXT * 3)[:chars]}, registration=registration))
        sent.append(statement(actor, v.COMPLETED, f"{BASE}/{module}", at(), result={"completion": True}, registration=registration))
    if finish:
        sent.append(statement(actor, v.COMPLETED, COURSE, at(), result={"completion": True}, registration=registration))
    else:
        sent.append(statement(actor, v.SUSPENDED, COURSE, at(), registration=registration))
    sent.append(statement(actor, v.TERMINATED, COURSE, at(), result={"duration": f"PT{minutes}M"}, registration=registration))
    return sent


def voiding(target: dict, when: datetime) -> dict:
    """An admin voids a statement; the course in its context lets Ralph's activity filter find it (a
    conformant LRS finds it through its target)."""
    return statement(SYSTEM, v.VOIDED, "", when, obj={"objectType": "StatementRef", "id": target["id"]})


def seed(start: datetime) -> tuple[list[dict], dict]:
    """Five learners and another tool's user, plus a statement about another course. Returns the
    statements and Eve's wrongly recorded pass (to be voided)."""
    modules = [m for m, _ in MODULES]
    eve = play(EVE, start + timedelta(hours=5), quiz={FIRST: [0.5]})
    wrong_pass = statement(EVE, v.PASSED, f"{BASE}/{FIRST}/quiz/{QUIZ[FIRST]}", start + timedelta(hours=6), result=quiz_result(0.95))
    return [
        *play(ALICE, start),
        *play(BOB, start + timedelta(hours=1), quiz={SECOND: [0.5, 0.7]}),
        *play(CARLA, start + timedelta(hours=2), modules=modules[:3], finish=False),
        *play(DAN, start + timedelta(hours=3), modules=modules[:6], finish=False),
        *eve, wrong_pass,
        statement(FRANK, v.COMPLETED, COURSE, start + timedelta(hours=7), result={"completion": True}),
        statement(ALICE, v.COMPLETED, OTHER_COURSE, start + timedelta(hours=8), course=OTHER_COURSE),
    ], wrong_pass


def dan_late(when: datetime) -> list[dict]:
    """Dan's last module from an offline queue: delivered now, with the timestamps of when he did it."""
    last = MODULES[-1][0]
    return [s for s in play(DAN, when, modules=[last]) if s["verb"]["id"] != v.INITIALIZED]


# ---- reading the report --------------------------------------------------------------------------------


def run(args: list[str], stdin: str | None = None, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, [str(a) for a in args], input=stdin, env=env or {}, catch_exceptions=False)


def report_json(db: Path | str) -> dict:
    result = run(["report", "show", "--format", "json", "--db", db, REPO])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def rows(db: Path | str) -> dict[str, dict]:
    return {row["name"].split()[0].lower(): row for row in report_json(db)["learners"]}


def open_items(row: dict) -> list[tuple[str, str, float | None]]:
    return [(o["rule"], o["item"], o["value"]) for o in row["open_rules"]]


def table_counts(db: Path) -> dict[str, int]:
    with open_store(db) as store:
        return {t: store.execute(f"SELECT COUNT(*) FROM {t}")[0][0]
                for t in ("xapi_statement", "learner", "enrolment", "session", "progress", "quiz_result", "reflection_result")}


def assert_nothing_holds(db: Path, *secrets: str) -> None:
    """No secret in any text column of any table, nor in the store's files."""
    with open_store(db) as store:
        columns = store.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE data_type IN ('VARCHAR', 'TEXT')")
        assert len(columns) > 20
        for table, column in columns:
            for secret in secrets:
                assert not store.execute(f"SELECT 1 FROM {table} WHERE {column} LIKE ?", [f"%{secret}%"]), (table, column)
    for path in db.parent.iterdir():
        if path.is_file():
            for secret in secrets:
                assert secret.encode() not in path.read_bytes(), path


# ---- against Ralph ------------------------------------------------------------------------------------------


@pytest.fixture
def ralph(lrs):
    lrs.reset()
    return lrs


def post(lrs, statements: list[dict]) -> None:
    with lrs.client() as client:
        for start in range(0, len(statements), 200):
            response = client.post("statements", json=statements[start : start + 200])
            assert response.status_code == 200, response.text


def credentials_env(lrs) -> dict[str, str]:
    return {"COURSEPACK_LRS_USER": lrs.admin.username, "COURSEPACK_LRS_PASSWORD": lrs.admin.password}


def secrets_of(lrs) -> tuple[str, str]:
    return lrs.admin.password, lrs.admin.token


def since_asked(lrs) -> list[str | None]:
    """The `since` of each sync's first request, in order (a request without `more` paging)."""
    asked = []
    for entry in lrs.requests():
        query = entry["query"]
        if entry["method"] == "GET" and "search_after" not in query and "activity" in query:
            asked.append(query.get("since"))
    return asked


def test_sync_from_ralph_judges_every_learner_and_later_syncs_add_only_what_is_new(ralph, tmp_path) -> None:
    now = datetime.now(timezone.utc)
    statements, wrong_pass = seed(now - timedelta(days=2))
    post(ralph, statements)
    post(ralph, [voiding(wrong_pass, now - timedelta(days=1, hours=12))])
    db = tmp_path / "store" / "report.duckdb"
    env = credentials_env(ralph)
    command = ["report", "sync", "--lrs", ralph.endpoint, "--limit", "50", "--db", db, REPO]

    first = run(command, env=env)
    assert first.exit_code == 0, first.output
    about_course = len(statements)  # the statement about another course is not read; the voiding one is
    pages = about_course // 50 + 1  # Ralph ends with an empty page when the last one is full
    assert f"{about_course:,} statements read ({about_course:,} new) in {pages} pages" in first.stdout
    assert "6 learners" in first.stdout
    found = rows(db)
    assert found["alice"]["status"] == "eligible" and found["alice"]["identifier"] == "alice@example.org"
    assert found["alice"]["modules"] == {"completed": 7, "total": 7}
    assert set(found["alice"]["best_quiz_scores"].values()) == {90.0}
    assert found["alice"]["total_seconds"] == 45 * 60
    assert found["bob"]["identifier"] == "bob" and found["bob"]["status"] == "completed"
    assert open_items(found["bob"]) == [("quiz", QUIZ[SECOND], 70.0)]
    assert (found["carla"]["status"], found["carla"]["modules"]["completed"]) == ("in progress", 3)
    assert found["carla"]["identifier"] == "sha1:" + "a" * 40
    assert (found["dan"]["status"], found["dan"]["modules"]["completed"]) == ("in progress", 6)
    # Eve's 95 % was voided: her failed 50 % is her best
    assert found["eve"]["status"] == "completed" and open_items(found["eve"]) == [("quiz", QUIZ[FIRST], 50.0)]
    # another tool's "completed" on the course id: the course is completed; the certificate's marks are not met
    frank = found["frank"]
    assert frank["status"] == "completed" and frank["modules"]["completed"] == 7
    assert {rule for rule, _, _ in open_items(frank)} == {"quiz", "reflection"}
    assert found["alice"]["first_activity"] is not None and found["alice"]["last_activity"] > found["alice"]["first_activity"]

    counts = table_counts(db)
    assert counts["xapi_statement"] == about_course
    second = run(command, env=env)
    assert second.exit_code == 0, second.output
    assert "(0 new)" in second.stdout and table_counts(db) == counts
    with open_store(db) as store:
        mark = lrs_store.read_state(store, source_name(ralph.endpoint), COURSE).high_water

    late = dan_late(now - timedelta(hours=12))  # older than the last sync, inside the overlap
    post(ralph, late)
    third = run(command, env=env)
    assert third.exit_code == 0, third.output
    assert f"({len(late)} new)" in third.stdout
    dan = rows(db)["dan"]
    assert (dan["status"], dan["modules"]["completed"]) == ("eligible", 7)

    # the first sync read everything; each later one asked since the mark (the latest `stored`) less a day
    asked = since_asked(ralph)
    assert asked[0] is None and len(asked) == 3
    assert asked[1] == asked[2] == since_text(mark - OVERLAP)  # the second sync read nothing new: same mark

    for result in (first, second, third):
        for secret in secrets_of(ralph):
            assert secret not in result.output
    assert_nothing_holds(db, *secrets_of(ralph))


def test_the_lrs_killed_mid_sync_keeps_the_pages_read_and_the_next_sync_continues(ralph, tmp_path) -> None:
    now = datetime.now(timezone.utc)
    statements, _ = seed(now - timedelta(days=2))
    post(ralph, statements)
    db, clean = tmp_path / "r.duckdb", tmp_path / "clean.duckdb"
    stopped: list[int] = []

    def kill_after_first_page(count: int) -> None:
        if not stopped:
            stopped.append(count)
            ralph.stop()

    try:
        with LrsClient(ralph.endpoint, *ralph.admin) as client, open_store(db) as store:
            with pytest.raises(LrsError, match="cannot reach the LRS") as failure:
                sync(store, client, XCOURSE, limit=100, on_page=kill_after_first_page)
            state = lrs_store.read_state(store, source_name(ralph.endpoint), COURSE)
            assert store.execute("SELECT COUNT(*) FROM xapi_statement")[0][0] == 100 == stopped[0]
    finally:
        ralph.start()
    assert ralph.admin.password not in str(failure.value)
    assert state.interrupted and state.high_water is None  # the mark moves only when a sync reads to the end

    asked: list[str] = []
    counting = httpx.HTTPTransport()

    class Counting(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            asked.append(str(request.url))
            return counting.handle_request(request)

    with LrsClient(ralph.endpoint, *ralph.admin, transport=Counting()) as client, open_store(db) as store:
        resumed = sync(store, client, XCOURSE, limit=100)
    assert resumed.resumed and asked[0] == state.pending_more  # continued at page 2, did not start again
    assert resumed.new == len(statements) - 1 - 100 and resumed.read == resumed.new  # all but another course's
    with LrsClient(ralph.endpoint, *ralph.admin) as client, open_store(clean) as store:
        sync(store, client, XCOURSE, limit=100)
    resumed_report = report_json(db)
    assert resumed_report == report_json(clean)
    assert next(row for row in resumed_report["learners"] if row["identifier"] == "alice@example.org")["status"] == "eligible"


def test_wrong_credentials_are_one_line_that_shows_no_password(ralph, tmp_path) -> None:
    wrong = "not-the-password-123"
    result = run(["report", "sync", "--lrs", ralph.endpoint, "--user", ralph.admin.username, "--password-stdin",
                  "--db", tmp_path / "r.duckdb", REPO], stdin=wrong + "\n")
    one_line_error(result, "refused the credentials (HTTP 401)")
    assert wrong not in result.output


# ---- an LRS as the spec has it (httpx.MockTransport) ---------------------------------------------------------


class SpecLrs:
    """An xAPI 1.0.3 LRS in memory, where Ralph departs from the spec: statements newest first by
    `stored`, `since` on `stored`, voided statements left out (their voiding statement found through
    the target), `more` links that are cursors. Every request must carry the version header and Basic
    auth; `fail` maps a request number to a response (or an exception) instead."""

    ENDPOINT = "https://lrs.example.org/xAPI/"

    def __init__(self, user: str = "reader", password: str = PASSWORD) -> None:
        self.auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.stored: list[dict] = []
        self.requests: list[httpx.Request] = []
        self.fail: dict[int, Callable[[httpx.Request], httpx.Response]] = {}
        self._queries: dict[str, list[dict]] = {}

    def add(self, statements: Iterable[dict], stored: datetime) -> None:
        for n, s in enumerate(statements):
            self.stored.append({**s, "stored": stamp(stored + timedelta(milliseconds=n))})

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def client(self, password: str = PASSWORD) -> LrsClient:
        return LrsClient(self.ENDPOINT, "reader", password, transport=self.transport())

    def _matches(self, s: dict, activity: str, by_id: dict[str, dict]) -> bool:
        if s["object"].get("objectType") == "StatementRef":
            target = by_id.get(s["object"]["id"])
            return target is not None and self._matches(target, activity, by_id)
        context = s.get("context", {}).get("contextActivities", {})
        ids = {s["object"].get("id")} | {a["id"] for kind in context.values() for a in kind}
        return activity in ids

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if len(self.requests) in self.fail:
            return self.fail[len(self.requests)](request)
        if request.headers.get(v.VERSION_HEADER) != v.XAPI_VERSION:
            return httpx.Response(400, json={"message": "X-Experience-API-Version header missing"})
        if request.headers.get("authorization") != self.auth:
            return httpx.Response(401, json={"message": "unauthorized"})
        assert request.url.path == "/xAPI/statements", request.url
        params = dict(request.url.params)
        if "more" in params:
            matching, start, limit = self._queries[params["more"]], int(params["start"]), int(params["limit"])
        else:
            by_id = {s["id"]: s for s in self.stored}
            voided = {s["object"]["id"] for s in self.stored if s["verb"]["id"] == v.VOIDED}
            since = params.get("since")
            matching = sorted(
                (s for s in self.stored if s["id"] not in voided and self._matches(s, params["activity"], by_id)
                 and (since is None or s["stored"] > since)),
                key=lambda s: s["stored"], reverse=True)
            query = uuid.uuid4().hex
            self._queries[query] = matching
            start, limit = 0, int(params.get("limit", 100))
            params["more"] = query
        page = matching[start : start + limit]
        more = None
        if start + limit < len(matching):
            more = f"/xAPI/statements?more={params['more']}&start={start + limit}&limit={limit}"
        return httpx.Response(200, json={"statements": page, "more": more or ""},
                              headers={v.VERSION_HEADER: v.XAPI_VERSION})


def spec_sync(db: Path | str, site: SpecLrs, **options: Any):
    with site.client() as client, open_store(db) as store:
        return sync(store, client, XCOURSE, **options)


def test_newest_first_an_interrupted_sync_keeps_its_mark_and_resumes(tmp_path) -> None:
    start = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
    site = SpecLrs()
    statements, _ = seed(start)
    site.add(statements, start + timedelta(days=1))
    site.fail[2] = lambda request: (_ for _ in ()).throw(httpx.ReadError("connection reset"))
    db = tmp_path / "r.duckdb"
    with pytest.raises(LrsError, match="cannot reach the LRS at https://lrs.example.org/xAPI/ .ReadError. on page 2"):
        spec_sync(db, site, limit=60)
    with open_store(db) as store:
        state = lrs_store.read_state(store, source_name(SpecLrs.ENDPOINT), COURSE)
        newest = store.execute("SELECT MAX(stored) FROM xapi_statement")[0][0]
    # page 1 holds the newest statements: a mark set from it would make the next sync skip the older pages
    assert state.high_water is None and state.pending_high == newest and state.pending_since is None

    resumed = spec_sync(db, site, limit=60)
    assert resumed.resumed and "start=60" in str(site.requests[2].url)
    assert resumed.new + 60 == len(statements) - 1  # all but the other course's
    with open_store(db) as store:
        state = lrs_store.read_state(store, source_name(SpecLrs.ENDPOINT), COURSE)
    assert state.high_water == newest and not state.interrupted
    assert all(r.headers[v.VERSION_HEADER] == "1.0.3" for r in site.requests)
    assert rows(db)["alice"]["status"] == "eligible"


def test_a_more_link_the_lrs_no_longer_offers_starts_the_interrupted_sync_again(tmp_path) -> None:
    start = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
    site = SpecLrs()
    site.add(seed(start)[0], start + timedelta(days=1))
    site.fail[2] = lambda request: httpx.Response(503, json={"message": "maintenance"})
    db = tmp_path / "r.duckdb"
    with pytest.raises(LrsError, match=r"page 2 of the statements from https://lrs.example.org/xAPI/: HTTP 503 \(maintenance\)"):
        spec_sync(db, site, limit=100)
    site.fail[3] = lambda request: httpx.Response(410, json={"message": "cursor expired"})
    again = spec_sync(db, site, limit=100)
    assert "more=" not in str(site.requests[3].url) and "activity=" in str(site.requests[3].url)
    assert not again.resumed and again.warnings == [
        "the LRS no longer offers the page the interrupted sync stopped at: read again since the start"]
    assert again.new == len(site.stored) - 1 - 100 and rows(db)["alice"]["status"] == "eligible"


def test_since_on_stored_catches_a_late_statement_and_voiding_removes_what_was_read(tmp_path) -> None:
    start = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
    site = SpecLrs()
    statements, wrong_pass = seed(start)
    statements.remove(wrong_pass)
    bogus = statement(ALICE, v.FAILED, f"{BASE}/{FIRST}/quiz/{QUIZ[FIRST]}", start, result=quiz_result(0.1))
    site.add(statements + [bogus], start + timedelta(days=1))
    db = tmp_path / "r.duckdb"
    first = spec_sync(db, site)
    assert first.since is None and first.new == len(statements)  # the bogus one is about the course too: +1, less another course's

    # three weeks late, stored now: a `since` on `stored` finds it whatever its timestamp
    late = dan_late(start - timedelta(days=20))
    site.add(late, start + timedelta(days=3))
    second = spec_sync(db, site)
    mark = datetime(2026, 11, 3, 9) + timedelta(milliseconds=len(statements))
    assert second.since == since_text(mark - OVERLAP)
    assert parse_qs(urlsplit(str(site.requests[-1].url)).query)["since"] == [second.since]
    assert second.new == len(late) and rows(db)["dan"]["status"] == "eligible"

    # voided later: the LRS no longer returns the target, only the voiding statement; the evidence goes
    def alice() -> tuple[dict, list[tuple]]:
        with open_store(db) as store:
            attempts = store.execute("SELECT attempts FROM quiz_result WHERE learner_key = 'mailto:alice@example.org' "
                                     "AND quiz_id = ?", [QUIZ[FIRST]])
        return rows(db)["alice"], attempts

    before, attempts = alice()
    assert before["first_activity"] == "2026-11-02T09:00:00Z" and attempts == [(2,)]  # with the bogus attempt
    site.add([voiding(bogus, start + timedelta(days=4))], start + timedelta(days=4))
    third = spec_sync(db, site)
    assert third.new == 1  # the late ones are read again (inside the overlap) and not stored twice
    after, attempts = alice()
    assert after["first_activity"] == "2026-11-02T09:00:20Z" and attempts == [(1,)]
    assert after["best_quiz_scores"][QUIZ[FIRST]] == 90.0 and after["status"] == "eligible"


# ---- faults --------------------------------------------------------------------------------------------------


def one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output and PASSWORD not in result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture
def spec_site(monkeypatch) -> SpecLrs:
    """The CLI's LRS client talks to a SpecLrs seeded with the learners."""
    site = SpecLrs()
    start = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
    site.add(seed(start)[0], start + timedelta(days=1))

    def make(endpoint: str, user: str, password: str) -> LrsClient:
        return LrsClient(endpoint, user, password, transport=site.transport())

    monkeypatch.setattr(lrs_client, "LrsClient", make)
    return site


def cli_sync(db: Path, *extra: str, stdin: str = PASSWORD + "\n"):
    # The progress line appears once a sync takes over a second, which on a loaded machine even these
    # small ones may: kept out of the output checked here (test_progress_line_* tests it on a fake clock).
    with mock.patch.object(progress, "SHOW_AFTER_S", float("inf")):
        return run(["report", "sync", "--lrs", SpecLrs.ENDPOINT, "--user", "reader", "--password-stdin", "--limit", "100",
                    *extra, "--db", db, REPO], stdin=stdin)


def test_credentials_come_from_stdin_or_the_environment_and_never_from_arguments(tmp_path, spec_site) -> None:
    db = tmp_path / "r.duckdb"
    one_line_error(run(["report", "sync", "--lrs", SpecLrs.ENDPOINT, "--db", db, REPO]), "COURSEPACK_LRS_USER")
    one_line_error(run(["report", "sync", "--lrs", SpecLrs.ENDPOINT, "--user", "reader", "--db", db, REPO]),
                   "COURSEPACK_LRS_PASSWORD", "never as an argument")
    one_line_error(cli_sync(db, stdin=""), "nothing on standard input")
    one_line_error(run(["report", "sync", "--lrs", "https://reader:pw@lrs.example.org/xAPI/", "--user", "reader",
                        "--db", db, REPO], env={"COURSEPACK_LRS_PASSWORD": PASSWORD}), "must not hold a user or password")
    from_env = run(["report", "sync", "--lrs", SpecLrs.ENDPOINT, "--db", db, REPO],
                   env={"COURSEPACK_LRS_USER": "reader", "COURSEPACK_LRS_PASSWORD": PASSWORD})
    assert from_env.exit_code == 0, from_env.output
    assert "6 learners" in from_env.stdout and PASSWORD not in from_env.output
    assert_nothing_holds(db, PASSWORD, spec_site.auth.split()[1])


@pytest.mark.parametrize("fault, fragments", [
    (lambda r: httpx.Response(500, json={"message": "database is down"}), ["page 2", "HTTP 500 (database is down)"]),
    (lambda r: httpx.Response(200, content=b'{"statements": [{"id": "', headers={"content-type": "application/json"}),
     ["page 2", "not JSON (cut short"]),
    (lambda r: httpx.Response(200, json={"more": ""}), ["page 2", "not a StatementResult"]),
    (lambda r: httpx.Response(200, json={"statements": [], "more": "https://elsewhere.example.net/xAPI/statements?x=1"}),
     ["points to another server (https://elsewhere.example.net): not followed"]),
    (lambda r: httpx.Response(200, json={"statements": [], "more": str(r.url)}), ["more` link repeats itself"]),
])
def test_a_fault_mid_sync_is_one_line_the_pages_read_stay_and_the_next_sync_continues(tmp_path, spec_site, fault, fragments) -> None:
    db = tmp_path / "r.duckdb"
    spec_site.fail[2] = fault
    one_line_error(cli_sync(db), *fragments, "the statements read so far are stored; the next sync continues")
    assert table_counts(db)["xapi_statement"] == 100
    spec_site.fail.clear()
    again = cli_sync(db)
    assert again.exit_code == 0, again.output
    assert table_counts(db)["xapi_statement"] == len(spec_site.stored) - 1  # all but the other course's


def test_a_page_sent_again_under_another_link_is_a_loop(tmp_path) -> None:
    site = SpecLrs()
    start = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
    site.add(play(ALICE, start), start)
    first: list[dict] = []

    def first_page_forever(request: httpx.Request) -> httpx.Response:
        if not first:
            first.append(site(request).json())
            return httpx.Response(200, json=first[0])
        return httpx.Response(200, json={**first[0], "more": first[0]["more"] + f"&again={len(site.requests)}"})

    client = LrsClient(SpecLrs.ENDPOINT, "reader", PASSWORD, transport=httpx.MockTransport(first_page_forever))
    with client, open_store(tmp_path / "r.duckdb") as store:
        with pytest.raises(SyncError, match="sends page 2 again under another `more` link"):
            sync(store, client, XCOURSE, limit=10)


def test_unreachable_lrs_and_wrong_endpoint(tmp_path, spec_site) -> None:
    db = tmp_path / "r.duckdb"
    spec_site.fail[1] = lambda r: httpx.Response(404, json={"detail": "Not Found"})
    one_line_error(cli_sync(db), "no statements resource at https://lrs.example.org/xAPI/statements (HTTP 404)")
    spec_site.fail[2] = lambda r: (_ for _ in ()).throw(httpx.ConnectError("refused"))
    one_line_error(cli_sync(db), "cannot reach the LRS at https://lrs.example.org/xAPI/ (ConnectError)")
    spec_site.fail[3] = lambda r: httpx.Response(401, json={"message": "bad"})
    one_line_error(cli_sync(db), "refused the credentials (HTTP 401)")
    one_line_error(run(["report", "sync", "--lrs", "ftp://lrs.example.org/", "--db", db, REPO],
                       env={"COURSEPACK_LRS_USER": "u", "COURSEPACK_LRS_PASSWORD": "p"}), "xAPI endpoint")
    one_line_error(cli_sync(db, "--since", "last tuesday"), "--since must be an ISO 8601 date")


def test_a_malformed_statement_is_stored_as_such_named_once_and_left_out(tmp_path, spec_site) -> None:
    start = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
    bad = statement(ALICE, v.PASSED, f"{BASE}/{SECOND}/quiz/{QUIZ[SECOND]}", start, result=quiz_result(0.1))
    bad["result"]["score"]["scaled"] = 5  # out of range: not valid xAPI
    spec_site.add([bad], start + timedelta(days=2))
    db = tmp_path / "r.duckdb"
    result = cli_sync(db)
    assert result.exit_code == 2
    assert f"1 statement not valid xAPI 1.0.3 stored as such and left out of the report (first: {bad['id']}: result.score.scaled" \
        in result.stderr
    assert "6 learners" in result.stdout and rows(db)["alice"]["status"] == "eligible"
    again = cli_sync(db, "--since", "2026-11-01")  # read again: already stored, not named again
    assert again.exit_code == 0, again.output
    assert "(0 new)" in again.stdout


def test_a_course_id_that_matches_nothing_says_so(tmp_path, monkeypatch) -> None:
    site = SpecLrs()

    def make(endpoint: str, user: str, password: str) -> LrsClient:
        return LrsClient(endpoint, user, password, transport=site.transport())

    monkeypatch.setattr(lrs_client, "LrsClient", make)
    result = cli_sync(tmp_path / "r.duckdb")
    assert result.exit_code == 0, result.output
    assert f"warning: the LRS holds no statements about {COURSE}" in result.stderr
    assert "0 statements read (0 new) in 1 page" in result.stdout


# ---- what counts as evidence, from any conformant package ------------------------------------------------------


def test_other_packages_cmi5_satisfied_and_scores_from_answered_questions(tmp_path) -> None:
    start = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
    quiz = f"{BASE}/{FIRST}/quiz/{QUIZ[FIRST]}"
    questions = list(MAP.quizzes[QUIZ[FIRST]].points)

    def answered(actor: dict, question: str, right: bool, when: datetime) -> dict:
        return statement(actor, v.ANSWERED, f"{quiz}/{question}", when,
                         result={"success": right, "score": {"scaled": 1 if right else 0, "raw": int(right), "min": 0, "max": 1}})

    # the standard edition sends no quiz score without a pass mark: two runs through the questions
    first_run = [answered(ALICE, q, i < 3, start + timedelta(seconds=i)) for i, q in enumerate(questions)]
    second_run = [answered(ALICE, q, i < 5, start + timedelta(minutes=5, seconds=i)) for i, q in enumerate(questions)]
    site = SpecLrs()
    site.add([
        *first_run, *second_run,
        statement(BOB, v.SATISFIED, COURSE, start),  # a cmi5 LMS: the course's moveOn met
        statement(CARLA, v.PASSED, f"{BASE}/{SECOND}", start, result={"success": True}),  # a per-module AU passed
        statement(DAN, v.COMPLETED, f"{BASE}/course", start),  # the whole-course cmi5 AU
    ], start)
    spec_sync(tmp_path / "r.duckdb", site)
    found = rows(tmp_path / "r.duckdb")
    assert found["alice"]["best_quiz_scores"][QUIZ[FIRST]] == 83.33  # 5 of 6, as the player floors it
    assert found["bob"]["status"] == found["dan"]["status"] == "completed"
    assert (found["carla"]["status"], found["carla"]["modules"]["completed"]) == ("in progress", 1)


def test_statement_facts_and_targets() -> None:
    start = datetime(2026, 11, 2, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    made = statement(ALICE, v.TERMINATED, COURSE, start, result={"duration": "PT1H2M3.5S"}, registration=str(uuid.uuid4()))
    made["context"]["extensions"] = {v.SESSION_ID_EXT: "session-1"}
    facts = statement_facts(made)
    assert (facts.learner_key, facts.email, facts.learner_name) == ("mailto:alice@example.org", "alice@example.org", "Alice Example")
    assert facts.at == datetime(2026, 11, 2, 7, 30) and facts.seconds == 3723.5 and facts.session == "session-1"
    assert statement_facts(statement(BOB, v.COMPLETED, COURSE, start)).learner_key == "account:https://lms.example.org#bob"
    assert statement_facts(statement(DAN, v.COMPLETED, COURSE, start)).learner_key == "openid:https://openid.example.org/dan"
    responded = statement_facts(statement(EVE, v.RESPONDED, COURSE, start, result={"response": "  ✍️ héllo  "}))
    assert responded.response_chars == len("✍️ héllo")
    broken = statement_facts({**made, "timestamp": "yesterday"})
    assert broken.problem and broken.problem.startswith("timestamp") and broken.learner_key is None
    assert target_of(XCOURSE, COURSE).kind == target_of(XCOURSE, BASE + "/course").kind == "course"
    assert target_of(XCOURSE, f"{BASE}/{FIRST}/{MODULES[0][1][0]}").kind == "page"
    assert target_of(XCOURSE, f"{BASE}/{FIRST}/quiz/{QUIZ[FIRST]}/x").kind == "question"
    assert target_of(XCOURSE, f"{BASE}/{SECOND}/reflection/{REFLECTION[FIRST]}").module_id == FIRST  # by its own id
    assert target_of(XCOURSE, f"{BASE}/nope").kind == target_of(XCOURSE, "https://elsewhere.example/x").kind == "other"


def test_shared_parts_checked_once_give_the_same_facts_and_problems_as_checking_each_statement_whole() -> None:
    """statement_facts checks the parts statements share (actor, verb, object, context, authority) once;
    a statement read after its parts were seen gives what a statement read from scratch gives, valid or not."""
    start = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)
    played = play(ALICE, start) + play(BOB, start, quiz={FIRST: [0.5, 0.9]}) + play(CARLA, start, modules=[FIRST])
    agent_object = statement(ALICE, v.COMPLETED, "", start, obj={"mbox": "mailto:x@example.org"})
    with_revision = statement(ALICE, v.VOIDED, "", start, obj={"objectType": "StatementRef", "id": played[0]["id"]})
    with_revision["context"]["revision"] = "2"
    broken = [
        {**played[1], "actor": {**ALICE, "openid": "https://openid.example.org/alice"}},  # two identifiers
        {**played[2], "timestamp": "yesterday"},
        agent_object,  # valid parts; the statement's own rule: an Agent object states objectType
        with_revision,  # valid parts; context revision only with an Activity object
    ]
    class Whole(CheckedParts):
        def parse(self, raw: Any) -> Any:
            return parse_statement(raw)

    parts, whole = CheckedParts(), Whole()
    for raw in played + broken + played:  # the parts are cached the first time round
        assert statement_facts(raw, parts) == statement_facts(raw, whole)
    assert all(statement_facts(raw, parts).problem for raw in broken)
    assert parse_statement(played[5]).model_dump() == parts.parse(played[5]).model_dump()


def test_progress_line_after_a_second_with_statements_per_second() -> None:
    now = [0.0]
    written: list[str] = []
    line = RateLine(written.append, terminal=False, clock=lambda: now[0])
    line.add(500)
    now[0] = 0.5
    line.add(500)
    assert written == []  # a quick sync shows no progress line
    now[0] = 2.0
    line.add(1000)
    assert written == ["2,000 statements, 1,000/s\n"]
    now[0] = 3.0
    line.add(1000)  # a log gets a line every 10 s, not every page
    line.finish()
    assert written[-1] == "3,000 statements, 1,000/s\n" and len(written) == 2
    terminal: list[str] = []
    rewritten = RateLine(terminal.append, terminal=True, clock=lambda: now[0])
    now[0] = 4.5
    rewritten.add(3000)
    rewritten.finish()
    assert terminal[0].startswith("\r3,000 statements, 2,000/s") and terminal[-1].endswith("\n")


def test_the_sync_commands_page_limit_is_the_syncs_default() -> None:
    """commands/report.py names the default without importing the sync (start-up of `report show`)."""
    from coursepack.commands.report import SYNC_PAGE_LIMIT
    from coursepack.report.lrs_sync import DEFAULT_LIMIT

    assert SYNC_PAGE_LIMIT == DEFAULT_LIMIT
