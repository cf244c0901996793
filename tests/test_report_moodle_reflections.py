"""`coursepack report import moodle --url … --keep-reflections`: the reflections' texts kept per learner
from Moodle's web services, and none without the flag.

The site is the real Moodle 4.3.0 recordings in ../shared/fixtures/moodle-4.3 (its README says what each
learner wrote), served over real HTTP on 127.0.0.1 by the recorded-call matcher of
test_report_moodle, so the command runs exactly as against a Moodle site: its own client, no patching."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from conftest import REPO
from test_report_moodle import FIXTURES, TOKEN, RecordedMoodle, run

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"Moodle fixtures not found at {FIXTURES}")

REFLECTIONS = ["what-is-ai-reflect", "how-generative-ai-works-reflect", "limits-errors-bias-reflect",
               "student-data-privacy-reflect", "academic-integrity-reflect", "ai-in-instruction-reflect",
               "policy-responsible-use-reflect"]
CARE = "In my classroom I would use this with care: check every output, protect student data, and explain the rules to students and families."


class _Handler(BaseHTTPRequestHandler):
    site: RecordedMoodle

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        request = httpx.Request("POST", f"http://127.0.0.1{self.path}", content=body)
        answer = self.site(request)
        self.send_response(answer.status_code)
        self.send_header("Content-Type", answer.headers.get("content-type", "application/json"))
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    def log_message(self, *args: object) -> None:  # quiet: the test output is for failures
        pass


@pytest.fixture
def moodle_site() -> Iterator[str]:
    """The recorded Moodle on a free port of 127.0.0.1; its address."""
    handler = type("RecordedHandler", (_Handler,), {"site": RecordedMoodle()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def import_cm2(site: str, db: Path, *extra: str):  # noqa: ANN201 (click's Result)
    return run(["report", "import", "moodle", "--url", site, "--token-stdin", "--cmid", "2", *extra, "--db", str(db), str(REPO)],
               stdin=TOKEN + "\n")


def kept_texts(db: Path, tmp_path: Path) -> dict[str, dict[str, str]]:
    """identifier -> reflection id -> text, from `report reflections --format json`."""
    out = tmp_path / "reflections.json"
    result = run(["report", "reflections", "--out", str(out), "--format", "json", "--db", str(db), str(REPO)])
    assert result.exit_code == 0, result.output
    texts: dict[str, dict[str, str]] = {}
    for row in json.loads(out.read_text(encoding="utf-8"))["reflections"]:
        texts.setdefault(row["identifier"], {})[row["reflection"]] = row["text"]
    return texts


def test_keep_reflections_keeps_each_learners_texts(moodle_site, tmp_path) -> None:
    db = tmp_path / "r.duckdb"
    result = import_cm2(moodle_site, db, "--keep-reflections")
    assert result.exit_code == 0, result.output
    texts = kept_texts(db, tmp_path)

    alice, bob = texts["studenta@example.com"], texts["studentb@example.com"]
    assert sorted(alice) == sorted(REFLECTIONS)
    for rid in REFLECTIONS:
        assert alice[rid].startswith(f"studenta reflection on {rid}. {CARE}"), rid
    # Bob skipped academic integrity, came back and wrote it: both of his cmi.comments blocks count
    assert sorted(bob) == sorted(REFLECTIONS)
    assert bob["academic-integrity-reflect"] == (
        "studentb came back and wrote the missing reflection on academic-integrity-reflect: I will ask students to keep "
        "drafts and explain their process to me in a short conference.")
    # cmi.comments keeps the whole text; the interaction's copy lost the accents, dash, quotes and line break
    assert bob["policy-responsible-use-reflect"] == (
        f"studentb reflection on policy-responsible-use-reflect. {CARE} Café talk — naïve “quotes”.\nSecond line.")

    # the half-way learners have the texts of the modules they reached; nobody else has any
    assert set(texts) == {"studenta@example.com", "studentb@example.com", "studentc@example.com", "studentc2@example.com",
                          "studentc3@example.com", "studente@example.com"}
    for half_way in ("studentc@example.com", "studentc2@example.com", "studentc3@example.com"):
        assert 0 < len(texts[half_way]) < len(REFLECTIONS), half_way
    assert sorted(texts["studente@example.com"]) == sorted(REFLECTIONS)


def test_without_the_flag_no_text_is_stored(moodle_site, tmp_path) -> None:
    db = tmp_path / "store" / "r.duckdb"
    result = import_cm2(moodle_site, db)
    assert result.exit_code == 0, result.output
    assert "reflection answers kept" not in result.output
    refused = run(["report", "reflections", "--out", str(tmp_path / "out.csv"), "--db", str(db), str(REPO)])
    assert refused.exit_code == 2 and "--keep-reflections" in refused.output
    for path in db.parent.iterdir():  # the store's files hold lengths, never the words
        data = path.read_bytes()
        assert b"came back and wrote the missing reflection" not in data and "naïve".encode() not in data, path
