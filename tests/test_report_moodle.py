"""`coursepack report import moodle` and `report show` against the real Moodle 4.3.0 recordings in
../shared/fixtures/moodle-4.3: the web services served by httpx.MockTransport from the recorded
responses (matched by function and parameters, as manifest.json lists them), the downloads read as
they are. What each learner did is in that folder's README.md."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from conftest import REPO, SHARED
from coursepack.cli import main
from coursepack.report import moodle_ws
from coursepack.load.course_loader import load_course
from coursepack.report.course_map import course_map
from coursepack.report.moodle_files import FilesError, read_files
from coursepack.report.moodle_ws import MoodleClient, MoodleError, read_activity
from coursepack.report.rules import Report, read_report, refresh_course
from coursepack.report.store import open_store

FIXTURES = SHARED / "fixtures" / "moodle-4.3"
SITE = "http://127.0.0.1:8097"
TOKEN = "f00dfacecafe4b1d9e3a2c7d5b6e8f90"  # what a test admin token looks like; never to be echoed
CMIDS = (2, 3, 4, 5, 6, 7)

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"Moodle fixtures not found at {FIXTURES}")


# ---- the recorded site --------------------------------------------------------------------------------


def recorded_calls() -> dict[tuple[str, tuple[tuple[str, str], ...]], Path]:
    manifest = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))
    calls = {}
    for entry in manifest["files"]:
        if entry.get("kind") == "webservice" and entry["token_user"] == "admin" and entry["file"].endswith(".json") \
                and not entry["file"].startswith("ws/errors/"):
            calls[(entry["function"], tuple(sorted(entry["params"].items())))] = FIXTURES / entry["file"]
    return calls


class RecordedMoodle:
    """Answers as the recorded site did; a call it has no recording for fails the test."""

    def __init__(self, override: Callable[[str, dict[str, str]], httpx.Response | None] | None = None) -> None:
        self.calls = recorded_calls()
        self.override = override
        self.seen: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.method == "POST" and request.url.path == "/webservice/rest/server.php"
        assert TOKEN not in str(request.url)  # the token travels in the body only
        form = dict(urllib.parse.parse_qsl(request.content.decode()))
        if form.pop("wstoken") != TOKEN:
            return httpx.Response(200, content=(FIXTURES / "ws/errors/bad_token__core_webservice_get_site_info.json").read_bytes())
        function = form.pop("wsfunction")
        assert form.pop("moodlewsrestformat") == "json"
        self.seen.append(function)
        if self.override is not None:
            answer = self.override(function, form)
            if answer is not None:
                return answer
        key = (function, tuple(sorted(form.items())))
        assert key in self.calls, f"no recording of {key}"
        return httpx.Response(200, content=self.calls[key].read_bytes(), headers={"content-type": "application/json"})


def client(moodle: RecordedMoodle | None = None, token: str = TOKEN) -> MoodleClient:
    return MoodleClient(SITE, token, transport=httpx.MockTransport(moodle or RecordedMoodle()))


def download(*names: str) -> list[Path]:
    return [FIXTURES / name for name in names]


def activity_files(cmid: int) -> list[Path]:
    return download(f"scorm-reports/cm{cmid}_interactions_full_CSV.txt", f"scorm-reports/cm{cmid}_basic_full_CSV.txt",
                    "gradebook/grade_export_txt_default.csv")


@pytest.fixture(scope="module")
def loaded():
    return load_course(REPO)


@pytest.fixture(scope="module")
def course(loaded):
    return course_map(loaded)


def report_of(loaded, db: Path) -> Report:
    with open_store(db) as store:
        refresh_course(store, loaded)
        return read_report(store, loaded.course.id)


def by_email(report: Report) -> dict[str, object]:
    return {row.identifier: row for row in report.rows}


def comparable(report: Report) -> list[tuple]:
    """What both sources must agree on (downloads give no time spent, and times to the minute)."""
    return [
        (r.name, r.identifier, r.modules_done, r.modules_total, tuple(r.quiz_best.items()), r.reflections_answered,
         r.reflections_total, r.status, tuple(r.open_rules), r.first_activity is None, r.last_activity is None)
        for r in report.rows
    ]


def same_minute_or_next(precise, shown) -> bool:
    """A download's minute: Moodle shows a time of the attempt to the minute, from its own track
    times, which can be up to a minute off the web services' x.start.time/timemodified."""
    return (precise is None and shown is None) or abs((precise - shown).total_seconds()) < 120


# ---- one activity, both sources -------------------------------------------------------------------------


@pytest.mark.parametrize("cmid", CMIDS)
def test_web_services_and_downloads_give_the_same_rows(tmp_path, loaded, course, cmid) -> None:
    with open_store(tmp_path / "ws.duckdb") as store:
        store.write_import(read_activity(client(), course, cmid=cmid))
    with open_store(tmp_path / "files.duckdb") as store:
        store.write_import(read_files(activity_files(cmid), course, source=f"moodle-files#cmid={cmid}"))
    from_ws, from_files = report_of(loaded, tmp_path / "ws.duckdb"), report_of(loaded, tmp_path / "files.duckdb")
    assert len(from_ws.rows) == 11  # the 11 students; teacher1 is not a learner
    assert comparable(from_ws) == comparable(from_files)
    for precise, shown in zip(from_ws.rows, from_files.rows):
        assert same_minute_or_next(precise.first_activity, shown.first_activity), (precise, shown)
        assert same_minute_or_next(precise.last_activity, shown.last_activity), (precise, shown)
        assert shown.seconds is None and shown.last_activity is None or shown.last_activity.second == 0


def test_each_learner_as_the_fixture_readme_tells_it(tmp_path, loaded, course) -> None:
    """All six activities in one store, every learner judged by the certificate rules."""
    db = tmp_path / "all.duckdb"
    with open_store(db) as store:
        for cmid in CMIDS:
            store.write_import(read_activity(client(), course, cmid=cmid))
    rows = by_email(report_of(loaded, db))
    assert "teacher1@example.com" not in rows

    alice = rows["studenta@example.com"]  # end to end: eligible
    assert (alice.name, alice.status, alice.modules_done, alice.reflections_answered) == ("Alice Anders", "eligible", 7, 7)
    assert set(alice.quiz_best.values()) == {100.0} and alice.open_rules == []
    assert alice.seconds == pytest.approx(56.46)
    assert alice.first_activity.isoformat() == "2026-12-02T01:15:54"

    bob = rows["studentb@example.com"]  # wrote the skipped reflection in a second session (cmid 2)
    assert bob.status == "eligible"

    studente = rows["studente@example.com"]  # failed quiz 1 three times; Moodle stores him complete
    assert studente.status == "completed" and studente.modules_done == 7
    assert [(o.rule, o.item, o.value, o.needed) for o in studente.open_rules] == [("quiz", "what-is-ai-quiz", 66.66, 80.0)]

    dan = rows["studentd@example.com"]  # standard edition completed (Moodle: incomplete, grade 0) + cmid 5 module 1
    assert dan.status == "eligible" and dan.modules_done == 7

    for halfway in ("studentc@example.com", "studentc2@example.com", "studentc3@example.com"):
        row = rows[halfway]
        assert (row.status, row.modules_done) == ("in progress", 3), halfway
        assert [o.item for o in row.open_rules if o.rule == "module"] == list(course.module_ids[3:])
    # studentc3's unload save kept the module 4 reflection; the others lost it
    assert rows["studentc3@example.com"].reflections_answered == 4
    assert rows["studentc@example.com"].reflections_answered == 3

    studentp = rows["studentp@example.com"]  # opened the course, no interactions
    assert (studentp.status, studentp.modules_done, studentp.reflections_answered) == ("in progress", 0, 0)
    assert studentp.first_activity is not None

    for nobody in ("studentb2@example.com",):
        assert rows[nobody].status == "not started" and rows[nobody].first_activity is None

    assert rows["studente3@example.com"].status == "eligible" and rows["studenta2@example.com"].status == "eligible"


def test_one_activity_alone_names_the_open_rule(tmp_path, loaded, course) -> None:
    """Bob on cmid 3 only did the first session: the skipped reflection is what stays open."""
    db = tmp_path / "cm3.duckdb"
    with open_store(db) as store:
        store.write_import(read_activity(client(), course, cmid=3))
    bob = by_email(report_of(loaded, db))["studentb@example.com"]
    assert bob.status == "in progress"
    assert [(o.rule, o.item) for o in bob.open_rules] == [
        ("module", "academic-integrity"), ("reflection", "academic-integrity-reflect")]
    dan_cm5 = tmp_path / "cm5.duckdb"
    with open_store(dan_cm5) as store:
        store.write_import(read_activity(client(), course, cmid=5))
    dan = by_email(report_of(loaded, dan_cm5))["studentd@example.com"]
    assert (dan.status, dan.modules_done) == ("in progress", 1)  # Moodle marks this activity complete


def test_reimport_is_idempotent_and_replaces_the_sources_snapshot(tmp_path, loaded, course) -> None:
    db = tmp_path / "r.duckdb"
    tables = ("learner", "enrolment", "session", "progress", "quiz_result", "reflection_result")

    def counts() -> dict[str, int]:
        with open_store(db) as store:
            return {t: store.execute(f"SELECT COUNT(*) FROM {t}")[0][0] for t in tables}

    for _ in range(2):
        with open_store(db) as store:
            store.write_import(read_activity(client(), course, cmid=2))
    first = counts()
    before = comparable(report_of(loaded, db))
    with open_store(db) as store:
        store.write_import(read_activity(client(), course, cmid=2))
        assert store.execute("SELECT COUNT(*) FROM import_run")[0][0] == 3
    assert counts() == first and comparable(report_of(loaded, db)) == before

    # the same activity downloaded later without Alice's attempt (an admin deleted it): she is back to nothing
    source = (FIXTURES / "scorm-reports/cm2_interactions_full_CSV.txt").read_text(encoding="utf-8").splitlines(keepends=True)
    edited = tmp_path / "cm2.txt"
    edited.write_text("".join(line for line in source if "studenta@example.com" not in line), encoding="utf-8")
    for _ in range(2):
        with open_store(db) as store:
            store.write_import(read_files([edited], course, source="moodle-files#cmid=2"))
    with open_store(db) as store:
        store.write_import(read_files([FIXTURES / "scorm-reports/cm2_interactions_full_CSV.txt"], course, source="moodle-files#cmid=2"))
        store.write_import(read_files([edited], course, source="moodle-files#cmid=2"))
        sources = {s for (s,) in store.execute("SELECT DISTINCT source FROM quiz_result WHERE learner_key = 'mailto:studenta@example.com'")}
    assert sources == {f"moodle:{SITE}#cmid=2"}  # the files source no longer holds her


# ---- the command line, the token and errors ------------------------------------------------------------------


def run(args: list[str], stdin: str | None = None, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, args, input=stdin, env=env or {}, catch_exceptions=False)


@pytest.fixture
def recorded_site(monkeypatch):
    """The CLI's Moodle client talks to the recorded site."""
    site = RecordedMoodle()
    # the command imports reflections.py when it runs: first imported under the patch below, its subclass of
    # MoodleClient would subclass this function (a TypeError: seen with -n 0, where this test runs first)
    import coursepack.report.reflections  # noqa: F401

    def make(url: str, token: str) -> MoodleClient:
        return MoodleClient(url, token, transport=httpx.MockTransport(site))

    monkeypatch.setattr(moodle_ws, "MoodleClient", make)
    return site


def test_token_from_stdin_never_reaches_output_or_the_store(tmp_path, recorded_site) -> None:
    db = tmp_path / "store" / "report.duckdb"
    result = run(["report", "import", "moodle", "--url", SITE, "--token-stdin", "--cmid", "2", "--db", str(db), str(REPO)],
                 stdin=TOKEN + "\n")
    assert result.exit_code == 0, result.output
    assert "11 learners (7 with an attempt)" in result.output
    shown = run(["report", "show", "--format", "json", "--db", str(db), str(REPO)])
    assert shown.exit_code == 0
    for path in db.parent.iterdir():
        assert TOKEN.encode() not in path.read_bytes(), path
    assert TOKEN not in result.output + shown.output
    assert "mod_scorm_get_scorm_sco_tracks" in recorded_site.seen


def test_token_from_the_environment(tmp_path, recorded_site) -> None:
    db = tmp_path / "r.duckdb"
    result = run(["report", "import", "moodle", "--url", SITE, "--scorm-id", "4", "--db", str(db), str(REPO)],
                 env={"COURSEPACK_MOODLE_TOKEN": TOKEN})
    assert result.exit_code == 0, result.output
    assert f"moodle:{SITE}#cmid=5" in result.output


def one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output and TOKEN not in result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_a_wrong_token_is_one_line_that_does_not_echo_it(tmp_path, recorded_site) -> None:
    wrong = "0" * 32
    result = run(["report", "import", "moodle", "--url", SITE, "--token-stdin", "--db", str(tmp_path / "r.duckdb"), str(REPO)],
                 stdin=wrong)
    one_line_error(result, "Invalid token - token not found (invalidtoken)")
    assert wrong not in result.output


def test_no_token_and_conflicting_options_are_refused(tmp_path) -> None:
    db = str(tmp_path / "r.duckdb")
    one_line_error(run(["report", "import", "moodle", "--url", SITE, "--db", db, str(REPO)]), "COURSEPACK_MOODLE_TOKEN")
    one_line_error(run(["report", "import", "moodle", "--url", SITE, "--token-stdin", "--db", db, str(REPO)], stdin=""), "standard input")
    one_line_error(run(["report", "import", "moodle", "--db", db, str(REPO)]), "either --url")
    one_line_error(run(["report", "import", "moodle", "--url", SITE, "--files", "--db", db, str(REPO)]), "either --url")
    one_line_error(run(["report", "import", "moodle", "--files", "--cmid", "2", "--scorm-id", "1", "--db", db, str(REPO)]), "not both")
    one_line_error(run(["report", "show", "--db", db, str(REPO)]), "no report store yet")
    one_line_error(run(["report", "show", "--db", "postgresql://u@127.0.0.1:9/x", str(REPO)]), "cannot open the report store")


@pytest.mark.parametrize("answer, fragment", [
    (lambda: httpx.Response(500, text="oops"), "HTTP 500"),
    (lambda: httpx.Response(200, text="<html>login</html>"), "did not answer in JSON"),
    (lambda: httpx.Response(200, content=(FIXTURES / "ws/errors/bad_token__core_webservice_get_site_info__format=xml.xml").read_bytes()),
     "did not answer in JSON"),
    (lambda: httpx.Response(200, content=(FIXTURES / "ws/errors/no_capability__mod_scorm_get_scorm_sco_tracks__scoid=2__userid=4__as=studenta.json").read_bytes()),
     "Moodle refused mod_scorm_get_scorm_sco_tracks"),
])
def test_moodle_failing_midway_is_one_line_and_stores_nothing(tmp_path, loaded, course, answer, fragment) -> None:
    def tracks_fail(function: str, form: dict[str, str]) -> httpx.Response | None:
        return answer() if function == "mod_scorm_get_scorm_sco_tracks" else None

    with pytest.raises(MoodleError) as caught:
        read_activity(client(RecordedMoodle(tracks_fail)), course, cmid=2)
    message = str(caught.value)
    assert fragment in message and "\n" not in message and TOKEN not in message
    assert "debuginfo" not in message and "SELECT" not in message.upper()


def test_unreachable_site_and_unknown_activities(tmp_path, course) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(MoodleError, match="cannot reach http://127.0.0.1:8097"):
        read_activity(MoodleClient(SITE, TOKEN, transport=httpx.MockTransport(refuse)), course, cmid=2)
    with pytest.raises(MoodleError, match=r"no SCORM activity matches --cmid 99 .*--cmid 2 \(scorm id 1\)"):
        read_activity(client(), course, cmid=99)
    with pytest.raises(MoodleError, match="6 SCORM activities .* choose one with --cmid"):
        read_activity(client(), course)


def test_answers_of_another_shape_are_one_line(course) -> None:
    def odd(function: str, form: dict[str, str]) -> httpx.Response | None:
        return httpx.Response(200, json=[]) if function == "mod_scorm_get_scorms_by_courses" else None

    with pytest.raises(MoodleError, match=r"^http://127.0.0.1:8097 answered in an unexpected shape \(AttributeError"):
        read_activity(client(RecordedMoodle(odd)), course, cmid=2)


def test_learners_sharing_an_e_mail_address_are_kept_apart(tmp_path, loaded, course) -> None:
    def shared(function: str, form: dict[str, str]) -> httpx.Response | None:
        if function != "core_enrol_get_enrolled_users":
            return None
        users = json.loads((FIXTURES / "ws/core_enrol_get_enrolled_users__courseid=2.json").read_text())
        for user in users:
            if user["username"] in ("studentc", "studentc2"):
                user["email"] = "family@example.com"
        return httpx.Response(200, json=users)

    batch = read_activity(client(RecordedMoodle(shared)), course, cmid=2)
    assert any("shared by several learners" in w for w in batch.warnings)
    keys = {l.learner.key for l in batch.learners}
    assert {f"account:{SITE}#studentc", f"account:{SITE}#studentc2"} <= keys and len(keys) == 11
    db = tmp_path / "r.duckdb"
    with open_store(db) as store:
        store.write_import(batch)
    assert len(report_of(loaded, db).rows) == 11


def test_an_activity_of_another_course_is_refused(course) -> None:
    def other_package(function: str, form: dict[str, str]) -> httpx.Response | None:
        if function != "mod_scorm_get_scorm_scoes":
            return None
        data = json.loads((FIXTURES / "ws/mod_scorm_get_scorm_scoes__scormid=1.json").read_text())
        for sco in data["scoes"]:
            sco["manifest"] = "some-other-course-1234567890-standard"
        return httpx.Response(200, json=data)

    with pytest.raises(MoodleError, match="holds package some-other-course-1234567890-standard, not this course"):
        read_activity(client(RecordedMoodle(other_package)), course, cmid=2)


def test_a_service_without_the_scorm_functions_says_which_are_missing(course) -> None:
    def fewer(function: str, form: dict[str, str]) -> httpx.Response | None:
        if function != "core_webservice_get_site_info":
            return None
        data = json.loads((FIXTURES / "ws/core_webservice_get_site_info.json").read_text())
        data["functions"] = [f for f in data["functions"] if f["name"] != "mod_scorm_get_scorm_sco_tracks"]
        return httpx.Response(200, json=data)

    with pytest.raises(MoodleError, match="lacks mod_scorm_get_scorm_sco_tracks"):
        read_activity(client(RecordedMoodle(fewer)), course, cmid=2)


# ---- downloads -------------------------------------------------------------------------------------------------


def test_utf16_tab_separated_completion_report_works_as_the_student_list(course) -> None:
    with_roster = read_files(download("completion/report_progress_course=2_format=excelcsv.csv",
                                      "scorm-reports/cm2_interactions_full_CSV.txt"), course)
    assert sorted(l.learner.email for l in with_roster.learners) == sorted(
        f"{u}@example.com" for u in ("studenta", "studentb", "studentb2", "studentc", "studentc2", "studentc3",
                                     "studentd", "studente", "studente3", "studenta2", "studentp"))
    alone = read_files(download("scorm-reports/cm2_interactions_full_CSV.txt"), course)
    assert "teacher1@example.com" in {l.learner.email for l in alone.learners}  # no list given: everyone


def test_downloads_it_cannot_use_are_named(course) -> None:
    with pytest.raises(FilesError, match="cm2_interactions_default_CSV.txt: .*'Summary of question' and 'Result'"):
        read_files(download("scorm-reports/cm2_interactions_default_CSV.txt"), course)
    with pytest.raises(FilesError, match=r"\.xlsx.*download the report as CSV"):
        read_files(download("scorm-reports/cm2_basic_full_Excel.xlsx"), course)
    with pytest.raises(FilesError, match="no SCORM Interactions report"):
        read_files(download("scorm-reports/cm2_basic_full_CSV.txt"), course)
    with pytest.raises(FilesError, match="not a Moodle download"):
        read_files(download("completion/report_completion_course=2_format=csv.error-excerpt.html"), course)
    with pytest.raises(FilesError, match="unknown time zone"):
        read_files(activity_files(2), course, zone="Mars/Olympus")


def test_local_times_in_downloads_follow_the_time_zone_given(tmp_path, loaded, course) -> None:
    batch = read_files(activity_files(2), course, zone="America/New_York")
    alice = next(l for l in batch.learners if l.learner.email == "studenta@example.com")
    assert alice.sessions[0].started_at.isoformat() == "2026-12-02T06:15:00"  # 1:15 AM EST is 06:15 UTC


# ---- report formats --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store_with_cm2(tmp_path_factory, course):
    db = tmp_path_factory.mktemp("show") / "report.duckdb"
    with open_store(db) as store:
        store.write_import(read_activity(client(), course, cmid=2))
    return db


def show(db: Path, fmt: str, out: Path | None = None):
    args = ["report", "show", "--format", fmt, "--db", str(db), str(REPO)]
    return run(args + (["--out", str(out)] if out else []))


def test_csv_opens_in_excel_and_matches_the_json(tmp_path, store_with_cm2) -> None:
    out = tmp_path / "report.csv"
    result = show(store_with_cm2, "csv", out)
    assert result.exit_code == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    learners = json.loads(show(store_with_cm2, "json").output)["learners"]
    assert [r["identifier"] for r in rows] == [l["identifier"] for l in learners]
    for row, learner in zip(rows, learners):
        assert row["name"] == learner["name"] and row["status"] == learner["status"]
        assert int(row["modules completed"]) == learner["modules"]["completed"]
        for quiz, best in learner["best_quiz_scores"].items():
            assert row[f"best % {quiz}"] == ("" if best is None else f"{best:g}")
        for field in ("first activity (UTC)", "last activity (UTC)"):
            assert row[field] == "" or re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", row[field])
        assert not any(re.fullmatch(r"\d+/\d+", value) for value in row.values())  # Excel would make it a date
    alice = next(r for r in rows if r["identifier"] == "studenta@example.com")
    assert (alice["first activity (UTC)"], alice["total time (h:mm:ss)"], alice["status"]) == ("2026-12-02 01:15:54", "0:00:56", "eligible")


def test_json_round_trips_the_report(store_with_cm2, loaded) -> None:
    document = json.loads(show(store_with_cm2, "json").output)
    report = report_of(loaded, store_with_cm2)
    assert document["course"] == {"id": loaded.course.id, "title": loaded.course.title, "certificate": True}
    assert len(document["learners"]) == len(report.rows) == 11
    for learner, row in zip(document["learners"], report.rows):
        assert (learner["name"], learner["identifier"], learner["status"]) == (row.name, row.identifier, row.status)
        assert learner["best_quiz_scores"] == row.quiz_best
        assert [(o["rule"], o["item"], o["value"], o["needed"]) for o in learner["open_rules"]] == \
            [(o.rule, o.item, o.value, o.needed) for o in row.open_rules]
        assert learner["certificate_id"] is None
    studente = next(l for l in document["learners"] if l["identifier"] == "studente@example.com")
    assert studente["first_activity"] == "2026-12-02T01:30:59Z" and studente["total_seconds"] == 47.53


def test_table_and_html(store_with_cm2) -> None:
    text = show(store_with_cm2, "table").output
    assert "Alice Anders" in text and "quizzes below 80 %: what-is-ai-quiz (66.66 %)" in text
    assert "11 learners: 2 eligible, 1 completed, 4 in progress, 4 not started." in text
    page = show(store_with_cm2, "html").output
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page
    assert "http://" not in page.replace(SITE, "") and "https://" not in page  # self-contained
    assert "<caption>Learners per status</caption>" in page and 'aria-sort' in page and '<label for="filter-text">' in page
    assert page.count('<tr data-status=') == 11


def test_names_from_the_lms_are_escaped_and_not_run_as_formulas(tmp_path, loaded, course) -> None:
    source = (FIXTURES / "scorm-reports/cm2_interactions_full_CSV.txt").read_text(encoding="utf-8")
    hostile = tmp_path / "cm2.txt"
    hostile.write_text(source.replace('"Alice Anders"', '"=HYPERLINK(""http://x"")<script>alert(1)</script>"'), encoding="utf-8")
    db = tmp_path / "r.duckdb"
    with open_store(db) as store:
        store.write_import(read_files([hostile], course))
    csv_text = show(db, "csv").output
    assert "\n'=HYPERLINK" in csv_text.replace('"', "")
    page = show(db, "html").output
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_default_store_in_the_course_folder_ignores_itself_in_git(tmp_path) -> None:
    course_dir = tmp_path / "course"
    course_dir.mkdir()
    for name in ("modules", "assets"):
        shutil.copytree(REPO / name, course_dir / name)
    shutil.copy(REPO / "course.yaml", course_dir / "course.yaml")
    files = [str(p) for p in activity_files(2)]
    result = run(["report", "import", "moodle", "--files", *files, str(course_dir), "--cmid", "2"])
    assert result.exit_code == 0, result.output
    assert "warning: 1 person in the SCORM report is not in the student list given" in result.output
    assert (course_dir / ".coursepack" / "report.duckdb").is_file()
    assert (course_dir / ".coursepack" / ".gitignore").read_text().splitlines()[-1] == "*"
    shown = run(["report", "show", str(course_dir)])
    assert shown.exit_code == 0 and "Alice Anders" in shown.output
