"""Canvas as a report source: the REST API (assignment, users, submissions; Link-header pagination;
Bearer token) through httpx.MockTransport answering in the shapes of Canvas's API documentation, and
the gradebook CSV export. No Canvas was run: these are the documented shapes, written by hand."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from conftest import REPO
from coursepack.cli import main
from coursepack.report import canvas_api
from coursepack.report.canvas_api import CanvasClient, CanvasError, read_assignment

SITE = "https://school.instructure.com"
TOKEN = "7~CanvasSecretTokenNeverShown"
COURSE, ASSIGNMENT = 101, 555

USERS = [
    {"id": 1, "name": "Alice Example", "sortable_name": "Example, Alice", "login_id": "alice@example.org",
     "email": "alice@example.org", "sis_user_id": "S1"},
    {"id": 2, "name": "Bob Builder", "sortable_name": "Builder, Bob", "login_id": "bob", "email": "Bob@Example.org",
     "sis_user_id": None},
    {"id": 3, "name": "Carla Díaz", "sortable_name": "Díaz, Carla", "login_id": "carla", "sis_user_id": "S3"},
]
SUBMISSIONS = [
    {"id": 11, "assignment_id": ASSIGNMENT, "user_id": 1, "score": 8.5, "grade": "8.5", "workflow_state": "graded",
     "submitted_at": "2026-11-30T10:15:00Z"},
    {"id": 12, "assignment_id": ASSIGNMENT, "user_id": 2, "score": 6.0, "grade": "6", "workflow_state": "graded",
     "submitted_at": "2026-11-29T08:00:00Z"},
    {"id": 13, "assignment_id": ASSIGNMENT, "user_id": 3, "score": None, "grade": None, "workflow_state": "unsubmitted",
     "submitted_at": None},
]


class FakeCanvas:
    """Canvas's REST API as documented: Bearer auth; lists paginated by the Link header."""

    def __init__(self, per_page: int = 2) -> None:
        self.per_page = per_page
        self.requests: list[httpx.Request] = []
        self.next_host = SITE

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return httpx.Response(401, json={"errors": [{"message": "Invalid access token."}]})
        path = request.url.path
        if path == f"/api/v1/courses/{COURSE}/assignments/{ASSIGNMENT}":
            return httpx.Response(200, json={"id": ASSIGNMENT, "name": "AI Literacy (SCORM)", "points_possible": 10.0,
                                             "submission_types": ["external_tool"]})
        if path == f"/api/v1/courses/{COURSE}/users":
            assert request.url.params.get_list("enrollment_type[]") == ["student"]
            return self._page(request, USERS)
        if path == f"/api/v1/courses/{COURSE}/assignments/{ASSIGNMENT}/submissions":
            return self._page(request, SUBMISSIONS)
        return httpx.Response(404, json={"errors": [{"message": "The specified resource does not exist."}]})

    def _page(self, request: httpx.Request, items: list[dict]) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        chunk = items[(page - 1) * self.per_page : page * self.per_page]
        links = []
        if page * self.per_page < len(items):
            # as Canvas does, the next link repeats the request's whole query with the next page
            following = request.url.copy_set_param("page", str(page + 1)).copy_set_param("per_page", str(self.per_page))
            links.append(f'<{self.next_host}{following.raw_path.decode()}>; rel="next"')
        links.append(f'<{SITE}{request.url.path}?page=1&per_page={self.per_page}>; rel="first"')
        return httpx.Response(200, json=chunk, headers={"Link": ", ".join(links)})


def run(args: list, stdin: str | None = None, env: dict | None = None):
    return CliRunner().invoke(main, [str(a) for a in args], input=stdin, env=env or {}, catch_exceptions=False)


@pytest.fixture
def canvas(monkeypatch) -> FakeCanvas:
    site = FakeCanvas()
    monkeypatch.setattr(canvas_api, "CanvasClient",
                        lambda url, token: CanvasClient(url, token, transport=httpx.MockTransport(site)))
    return site


def report_rows(db: Path) -> dict[str, dict]:
    shown = run(["report", "show", "--format", "json", "--db", db, REPO])
    assert shown.exit_code == 0, shown.output
    return {row["identifier"]: row for row in json.loads(shown.stdout)["learners"]}


def test_api_import_follows_pages_maps_scores_honestly_and_never_shows_the_token(canvas, tmp_path) -> None:
    db = tmp_path / "r.duckdb"
    result = run(["report", "import", "canvas", "--url", SITE, "--token-stdin", "--course-id", COURSE,
                  "--assignment-id", ASSIGNMENT, "--db", db, REPO], stdin=TOKEN + "\n")
    assert result.exit_code == 0, result.output
    assert "3 learners (2 with an attempt)" in result.stdout
    assert TOKEN not in result.output
    # two pages of users and of submissions, each page asked for with the token in the header only
    paths = [r.url.path for r in canvas.requests]
    assert paths.count(f"/api/v1/courses/{COURSE}/users") == 2
    assert all(TOKEN not in str(r.url) for r in canvas.requests)
    rows = report_rows(db)
    # 85 % in the certificate edition (pass mark 80): the course completed, not eligible (no quiz or
    # reflection evidence in Canvas)
    assert rows["alice@example.org"]["status"] == "completed"
    assert rows["alice@example.org"]["modules"] == {"completed": 7, "total": 7}
    assert rows["alice@example.org"]["last_activity"] == "2026-11-30T10:15:00Z"
    assert {r["rule"] for r in rows["alice@example.org"]["open_rules"]} == {"quiz", "reflection"}
    # 60 %: below the mark, in progress; the login is no address, so the e-mail address is the key
    assert rows["bob@example.org"]["status"] == "in progress"
    assert rows["bob@example.org"]["modules"]["completed"] == 0
    # unsubmitted: listed, not started, known by the Canvas login
    assert rows["carla"]["status"] == "not started"
    assert TOKEN.encode() not in db.read_bytes()


def test_standard_edition_has_no_mark_so_a_score_is_only_in_progress(canvas, tmp_path) -> None:
    db = tmp_path / "r.duckdb"
    result = run(["report", "import", "canvas", "--url", SITE, "--course-id", COURSE, "--assignment-id", ASSIGNMENT,
                  "--edition", "standard", "--db", db, REPO], env={"COURSEPACK_CANVAS_TOKEN": TOKEN})
    assert result.exit_code == 0, result.output
    assert "reports no pass mark" in result.stderr
    assert report_rows(db)["alice@example.org"]["status"] == "in progress"


def test_wrong_token_missing_assignment_and_foreign_next_link_are_one_line(canvas, tmp_path) -> None:
    db = tmp_path / "r.duckdb"
    common = ["--url", SITE, "--token-stdin", "--course-id", COURSE, "--db", db, REPO]
    wrong = run(["report", "import", "canvas", "--assignment-id", ASSIGNMENT, *common], stdin="not-the-token\n")
    assert wrong.exit_code == 2 and "HTTP 401" in wrong.stderr and "not-the-token" not in wrong.output
    assert len(wrong.stderr.strip().splitlines()) == 1
    missing = run(["report", "import", "canvas", "--assignment-id", 999, *common], stdin=TOKEN + "\n")
    assert missing.exit_code == 2 and "HTTP 404" in missing.stderr
    canvas.next_host = "https://evil.example.net"
    foreign = run(["report", "import", "canvas", "--assignment-id", ASSIGNMENT, *common], stdin=TOKEN + "\n")
    assert foreign.exit_code == 2 and "another server" in foreign.stderr
    assert not any(r.url.host == "evil.example.net" for r in canvas.requests)
    no_token = run(["report", "import", "canvas", "--url", SITE, "--course-id", COURSE, "--assignment-id", ASSIGNMENT,
                    "--db", db, REPO])
    assert no_token.exit_code == 2 and "COURSEPACK_CANVAS_TOKEN" in no_token.stderr


def test_a_next_link_that_loops_is_stopped() -> None:
    def loop(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(f"/assignments/{ASSIGNMENT}"):
            return httpx.Response(200, json={"id": ASSIGNMENT, "points_possible": 10})
        return httpx.Response(200, json=[], headers={"Link": f'<{SITE}{request.url.path}?page=2>; rel="next"'})

    with CanvasClient(SITE, TOKEN, transport=httpx.MockTransport(loop)) as client:
        with pytest.raises(CanvasError, match="loop"):
            read_assignment(client, COURSE, ASSIGNMENT)


GRADEBOOK = (
    "Student,ID,SIS User ID,SIS Login ID,Section,Welcome quiz (444),AI Literacy (SCORM) (555),Current Score,Final Score\n"
    "    Points Possible,,,,,5,10,(read only),(read only)\n"
    '"Example, Alice",1,S1,alice@example.org,Period 1,5,8.5,85,85\n'
    '"Builder, Bob",2,,bob,Period 1,4,6,60,60\n'
    '"Díaz, Carla",3,S3,carla,Period 2,,,0,0\n'
    '"Student, Test",4,,,Period 1,EX,EX,,\n'
)


def test_gradebook_csv_gives_the_same_statuses_as_the_api(tmp_path) -> None:
    path = tmp_path / "grades.csv"
    path.write_bytes(b"\xef\xbb\xbf" + GRADEBOOK.encode("utf-8"))
    db = tmp_path / "r.duckdb"
    several = run(["report", "import", "canvas", "--files", path, "--db", db, REPO])
    assert several.exit_code == 2 and "--assignment-id 555" in several.stderr
    result = run(["report", "import", "canvas", "--files", path, "--assignment-id", ASSIGNMENT, "--db", db, REPO])
    assert result.exit_code == 0, result.output
    assert "from canvas-files#assignment=555" in result.stdout
    rows = report_rows(db)
    assert rows["alice@example.org"]["status"] == "completed"
    assert rows["bob"]["status"] == "in progress"  # no e-mail column in the export: the login is the key
    assert rows["carla"]["status"] == "not started"
    assert rows["4"]["status"] == "not started"  # excused: no score
    bad = tmp_path / "other.csv"
    bad.write_text("Name,Score\nA,1\n", encoding="utf-8")
    refused = run(["report", "import", "canvas", "--files", bad, "--db", db, REPO])
    assert refused.exit_code == 2 and "not a Canvas gradebook export" in refused.stderr
