"""`coursepack preview` without a browser: the server (127.0.0.1 only, no traversal), the in-memory
build that keeps the last good one (the edition shown first, the others when asked for), build events,
the course files' entity tags, the watcher (inotify, an editor's save burst, polling), the manifest
values the LMS page preloads, the CLI, and for xAPI/cmi5 the in-process LRS's rules and the launches
the LMS side makes.
The page itself is played in tests/browser/test_preview.py."""

from __future__ import annotations

import base64
import errno
import hashlib
import http.client
import io
import json
import re
import shutil
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from click.testing import CliRunner

from conftest import REPO, SCAFFOLD
from coursepack.cli import main
from coursepack.commands.build_progress import BuildProgress
from coursepack.load.course_loader import load_course
from coursepack.load.errors import CourseError, Problem
from coursepack.preview import live_build
from coursepack.preview.lms_runtimes import LMS_RUNTIMES
from coursepack.preview.lrs_launch import cmi5_launch, xapi_launch
from coursepack.preview.lrs_lms import PREVIEW_LEARNER, summary
from coursepack.preview.mini_lrs import MiniLrs
from coursepack.preview.request_paths import split_request
from coursepack.preview.scorm_launch import scorm12_launch, scorm2004_launch
from coursepack.preview.server import PreviewServer
from coursepack.preview.watcher import CourseWatcher, changed_files, read_by_build, snapshot
from coursepack.targets.package import package_files

MODULE = "modules/01-welcome.yaml"
STATIC = REPO / "builder" / "preview" / "static"


def course_copy(tmp_path: Path) -> Path:
    course = tmp_path / "course"
    shutil.copytree(SCAFFOLD, course, ignore=shutil.ignore_patterns("templates"))
    return course


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return course_copy(tmp_path)


@pytest.fixture
def server(course: Path) -> Iterator[PreviewServer]:
    lines: list[str] = []
    with PreviewServer(course, port=0, log=lines.append) as preview:
        preview.logged = lines  # type: ignore[attr-defined]
        yield preview


def get(server: PreviewServer, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """GET with the path sent exactly as given (http.client does not normalize '..' or '%2e')."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def state(server: PreviewServer) -> dict:
    status, _, body = get(server, "/_preview/state")
    assert status == 200
    return json.loads(body)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is no longer in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def tree_hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- request paths


@pytest.mark.parametrize("raw, parts", [
    ("/", ()),
    ("/course/standard/index.html", ("course", "standard", "index.html")),
    ("/course/standard/assets/a%20b.svg?x=1#top", ("course", "standard", "assets", "a b.svg")),
])
def test_plain_paths_split(raw: str, parts: tuple[str, ...]) -> None:
    assert split_request(raw) == parts


@pytest.mark.parametrize("raw", [
    "/course/standard/../../course.yaml",
    "/course/standard/%2e%2e/%2e%2e/course.yaml",
    "/course/standard/%2E%2E%2F%2E%2E%2Fcourse.yaml",
    "/course/standard/..%2f..%2fcourse.yaml",
    "/course/standard/./index.html",
    "//etc/passwd",
    "/course/standard//etc/passwd",
    "/course/standard/%2Fetc%2Fpasswd",
    "/course/standard/..\\..\\course.yaml",
    "/course/standard/%5c..%5ccourse.yaml",
    "/course/standard/index.html%00.svg",
    "/course/standard/%ff%fe",
    "course/standard/index.html",
])
def test_unsafe_paths_are_refused(raw: str) -> None:
    assert split_request(raw) is None


# ---------------------------------------------------------------- the server


def test_listens_on_127_0_0_1_only(server: PreviewServer) -> None:
    assert server.url == f"http://127.0.0.1:{server.port}/"
    assert server._httpd.server_address[0] == "127.0.0.1"  # noqa: SLF001 - the bound socket is what matters
    # another loopback address of this machine: a server on 0.0.0.0 would answer here
    with pytest.raises(OSError) as refused:
        socket.create_connection(("127.0.0.2", server.port), timeout=2).close()
    assert refused.value.errno in (errno.ECONNREFUSED, errno.ETIMEDOUT, errno.EHOSTUNREACH, None)
    status, _, _ = get(server, "/")
    assert status == 200


def test_serves_the_lms_page_its_runtime_and_the_course(server: PreviewServer) -> None:
    status, headers, page = get(server, "/")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert b'<script src="/_preview/static/scorm-again/scorm12.min.js"></script>' in page
    assert b"coursepack:lms-runtime" not in page
    assert headers["cache-control"] == "no-store"
    status, headers, script = get(server, "/_preview/static/scorm-again/scorm12.min.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript")
    assert script.startswith(b"this.Scorm12API=")
    status, headers, launch = get(server, "/course/standard/index.html")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert b"Start here" in launch
    status, headers, svg = get(server, "/course/standard/assets/welcome.svg")
    assert status == 200 and headers["content-type"] == "image/svg+xml"
    assert svg == (SCAFFOLD / "assets" / "welcome.svg").read_bytes()
    assert get(server, "/course/certificate/index.html")[0] == 200
    assert get(server, "/course/deluxe/index.html")[0] == 404
    assert get(server, "/course/standard/missing.html")[0] == 404


def test_refuses_paths_outside_the_course_build(server: PreviewServer, course: Path) -> None:
    (course.parent / "secret.txt").write_text("outside the course", encoding="utf-8")
    attempts = [
        "/course/standard/../../course.yaml",
        "/course/standard/%2e%2e/%2e%2e/course.yaml",
        "/course/standard/%2e%2e%2f%2e%2e%2fcourse.yaml",
        "/course/standard/..%2F..%2F..%2Fsecret.txt",
        "/course/standard/%252e%252e/course.yaml",  # decoded once: a name with '%2e' in it, not '..'
        "/course/standard/assets/../../../secret.txt",
        "/course/standard/course.yaml",  # in the folder, but no file of the package
        "/course/standard/modules/01-welcome.yaml",
        "/course/standard/" + str(course / "course.yaml"),
        "/course/standard//etc/passwd",
        "//etc/passwd",
        "/etc/passwd",
        str(course / "course.yaml"),
        "/_preview/static/../../server.py",
        "/_preview/static/%2e%2e/server.py",
        "/_preview/static/..%2f..%2fserver.py",
        "/_preview/static/" + str(STATIC / "preview.js"),
        "/course/..%2f..%2f/course.yaml",
        "/course/standard/runtime/..%5c..%5ccourse.yaml",
    ]
    for path in attempts:
        status, _, body = get(server, path)
        assert status in (403, 404), f"{path}: {status}"
        assert b"outside the course" not in body and b"slug:" not in body and b"root:" not in body, path


def test_answers_only_to_its_own_host_name(server: PreviewServer) -> None:
    assert get(server, "/", {"Host": f"localhost:{server.port}"})[0] == 200
    status, _, body = get(server, "/", {"Host": f"rebound.example:{server.port}"})
    assert status == 403 and b"127.0.0.1" in body
    assert get(server, "/course/standard/index.html", {"Host": "evil.example"})[0] == 403


def test_state_names_the_target_limits_and_launches(server: PreviewServer) -> None:
    data = state(server)
    assert data["target"] == "scorm12" and data["side"] == "scorm12" and data["stateLimit"] == 4096
    assert data["defaultEdition"] == "standard"
    assert data["build"]["ok"] is True and data["build"]["editions"] == ["standard", "certificate"]
    assert data["editions"]["standard"] == {"launch": "/course/standard/index.html", "preload": {"student_data": {"mastery_score": "80"}}}


def test_builds_in_memory_and_writes_nothing(course: Path) -> None:
    before = tree_hashes(course)
    with PreviewServer(course, port=0, log=lambda line: None) as preview:
        assert get(preview, "/course/standard/index.html")[0] == 200
    assert tree_hashes(course) == before
    assert not (course / "dist").exists()


# ---------------------------------------------------------------- live rebuilds


def test_a_saved_edit_rebuilds_and_a_broken_one_keeps_the_last_good_build(server: PreviewServer, course: Path) -> None:
    module = course / MODULE
    first = state(server)["build"]["generation"]
    edit(module, "title: Think about it", "title: Think it over")
    wait_for(lambda: state(server)["build"]["generation"] > first, "a rebuild after the edit")
    assert state(server)["build"]["ok"] is True
    assert b"Think it over" in get(server, "/course/standard/index.html")[2]
    good = state(server)["build"]["goodGeneration"]

    edit(module, "minutes: 10", "minutes: [10")
    wait_for(lambda: not state(server)["build"]["ok"], "the failed rebuild")
    report = state(server)["build"]
    assert report["goodGeneration"] == good  # the last good build is still the one served
    texts = [p["text"] for p in report["problems"]]
    assert len(texts) == 1
    line = module.read_text().splitlines().index("minutes: [10") + 1
    problem = report["problems"][0]
    assert problem["file"].endswith(MODULE) and problem["line"] >= line and problem["col"] >= 1
    assert texts[0].startswith(f"{problem['file']}:{problem['line']}:{problem['col']}: ")
    assert b"Think it over" in get(server, "/course/standard/index.html")[2]
    assert any(line.startswith(texts[0]) for line in server.logged)  # type: ignore[attr-defined]  # and in the terminal

    edit(module, "minutes: [10", "minutes: 10")
    wait_for(lambda: state(server)["build"]["ok"], "the rebuild after the fix")
    assert state(server)["build"]["goodGeneration"] > good


def test_an_asset_change_rebuilds_with_the_new_file(server: PreviewServer, course: Path) -> None:
    first = state(server)["build"]["generation"]
    svg = course / "assets" / "welcome.svg"
    svg.write_text(svg.read_text().replace("Read, Reflect, Check", "Read, Reflect, Check again"), encoding="utf-8")
    wait_for(lambda: state(server)["build"]["generation"] > first, "a rebuild after the asset change")
    assert b"Check again" in get(server, "/course/standard/assets/welcome.svg")[2]


def test_a_course_that_no_longer_fits_the_target_is_a_problem_too(server: PreviewServer, course: Path) -> None:
    first = state(server)["build"]["generation"]
    edit(course / MODULE, "min_chars: 20", "min_chars: 20\n        max_chars: 4000")  # valid YAML, too big for SCORM 1.2
    wait_for(lambda: state(server)["build"]["generation"] > first, "a rebuild")
    report = state(server)["build"]
    assert report["ok"] is False and report["goodGeneration"] == first
    assert len(report["problems"]) == 1
    assert "SCORM 1.2 keeps them in cmi.suspend_data" in report["problems"][0]["message"] and "4,096" in report["problems"][0]["message"]


def test_build_events_stream_every_rebuild(server: PreviewServer, course: Path) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", "/_preview/events")
    response = conn.getresponse()
    assert response.status == 200 and response.getheader("Content-Type").startswith("text/event-stream")

    def next_build() -> dict:
        event, data = None, None
        while True:
            line = response.fp.readline().decode("utf-8").rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
            elif line == "" and event == "build" and data is not None:
                return data

    try:
        current = next_build()  # the state as the page connects
        assert current["build"]["ok"] is True
        edit(course / MODULE, "title: Check your understanding", "title: Check what you know")
        after = next_build()
        assert after["build"]["generation"] > current["build"]["generation"]
        assert after["editions"]["standard"]["launch"] == "/course/standard/index.html"
    finally:
        conn.close()


def test_the_first_build_may_fail_and_the_page_still_serves(course: Path) -> None:
    edit(course / MODULE, "minutes: 10", "minutes: ten")
    with PreviewServer(course, port=0, log=lambda line: None) as preview:
        report = state(preview)["build"]
        assert report["ok"] is False and report["goodGeneration"] == 0 and state(preview)["editions"] == {}
        assert get(preview, "/")[0] == 200
        assert get(preview, "/course/standard/index.html")[0] == 404
        edit(course / MODULE, "minutes: ten", "minutes: 10")
        wait_for(lambda: state(preview)["build"]["ok"], "the first good build")
        assert get(preview, "/course/standard/index.html")[0] == 200


def test_the_edition_shown_is_built_first_and_the_others_when_asked_for(course: Path) -> None:
    with PreviewServer(course, port=0, complete_after=60, log=lambda line: None) as preview:
        assert preview.build.pending == {"certificate"}
        assert preview.state()["editions"]["certificate"] == {"pending": True}  # what a build event says
        assert get(preview, "/course/certificate/index.html")[0] == 200  # built when asked for
        assert preview.build.pending == set()
        assert preview.shown_edition == "certificate"

        edit(course / MODULE, "title: Think about it", "title: Think it over")
        wait_for(lambda: preview.build.report.generation == 2, "the rebuild")
        assert preview.build.pending == {"standard"}  # the certificate edition, last asked for, came first
        assert b"Think it over" in get(preview, "/course/certificate/index.html")[2]
        data = state(preview)  # the page asks for the state before launching a pending edition: all built
        assert preview.build.pending == set() and "launch" in data["editions"]["standard"]
        assert b"Think it over" in get(preview, "/course/standard/index.html")[2]


def test_pending_editions_are_built_once_the_page_has_reloaded(course: Path) -> None:
    with PreviewServer(course, port=0, complete_after=0.05, log=lambda line: None) as preview:
        wait_for(lambda: not preview.build.pending, "the certificate edition built in the background")
        assert "launch" in preview.state()["editions"]["certificate"]


def test_a_pending_edition_that_fails_is_reported_and_keeps_its_last_good_package(course: Path, monkeypatch) -> None:
    lines: list[str] = []
    with PreviewServer(course, port=0, complete_after=60, log=lines.append) as preview:
        good = get(preview, "/course/certificate/index.html")[2]
        assert get(preview, "/course/standard/index.html")[0] == 200  # the page shows the standard edition again
        real = live_build.package_files

        def certificate_too_big(loaded, target, edition, **options):
            if edition == "certificate":
                raise CourseError([Problem("course.yaml", 3, 1, "the certificate edition no longer fits")])
            return real(loaded, target, edition, **options)

        monkeypatch.setattr(live_build, "package_files", certificate_too_big)
        edit(course / MODULE, "title: Think about it", "title: Think it over")
        wait_for(lambda: preview.build.report.generation == 2, "the rebuild")
        assert preview.build.report.ok and preview.build.pending == {"certificate"}  # the edition shown came first
        events = preview.events.subscribe()
        status, _, body = get(preview, "/course/certificate/index.html")
        assert status == 200 and body == good  # the last good package of that edition
        report = preview.build.report
        assert not report.ok and report.good_generation == 2
        assert [p["text"] for p in report.problems] == ["course.yaml:3:1: the certificate edition no longer fits"]
        assert events.get(timeout=5).startswith("event: build")  # the page hears of it as of a failed rebuild
        assert "course.yaml:3:1: the certificate edition no longer fits" in lines


def test_course_files_carry_entity_tags_and_unchanged_ones_answer_304(server: PreviewServer, course: Path) -> None:
    status, headers, page = get(server, "/course/standard/index.html")
    assert status == 200 and headers["cache-control"] == "no-cache" and headers["etag"].startswith('"')
    scripts = [name for name in server.build.package("standard").files if name.endswith(".js")]
    tags = {name: get(server, f"/course/standard/{name}")[1]["etag"] for name in scripts}
    status, headers, body = get(server, "/course/standard/index.html", {"If-None-Match": headers["etag"]})
    assert (status, body) == (304, b"") and headers["cache-control"] == "no-cache"

    old_tag = get(server, "/course/standard/index.html")[1]["etag"]
    edit(course / MODULE, "title: Think about it", "title: Think it over")
    wait_for(lambda: server.build.report.generation == 2, "the rebuild")
    status, headers, body = get(server, "/course/standard/index.html", {"If-None-Match": old_tag})
    assert status == 200 and b"Think it over" in body and headers["etag"] != old_tag  # changed: sent again
    for name, tag in tags.items():  # the player did not change: the browser keeps its copy
        assert get(server, f"/course/standard/{name}", {"If-None-Match": tag})[0] == 304, name
    assert get(server, "/")[1]["cache-control"] == "no-store"  # the LMS page itself is never kept


def test_scorm2004_preview_plays_the_2004_side(course: Path) -> None:
    with PreviewServer(course, target="scorm2004", port=0, log=lambda line: None) as preview:
        data = state(preview)
        assert data["side"] == "scorm2004" and data["stateLimit"] == 64000
        assert data["editions"]["certificate"]["preload"] == {"scaled_passing_score": "0.8"}
        assert b"/_preview/static/scorm-again/scorm2004.min.js" in get(preview, "/")[2]
        assert b"source: builder/runtime/adapters/scorm2004.js" in get(preview, "/course/standard/runtime/coursepack.js")[2]


# ---------------------------------------------------------------- pieces


def test_watcher_sees_added_changed_and_removed_files_but_not_hidden_ones(course: Path) -> None:
    before = snapshot(course)
    assert set(before) == {"course.yaml", MODULE, "assets/welcome.svg"}
    (course / "modules" / ".01-welcome.yaml.swp").write_text("editor junk")
    (course / "notes.txt").write_text("not read by a build")
    assert changed_files(before, snapshot(course)) == set()
    (course / "assets" / "new.svg").write_text("<svg/>")
    (course / MODULE).write_text((course / MODULE).read_text() + "\n")
    (course / "course.yaml").unlink()
    assert changed_files(before, snapshot(course)) == {"assets/new.svg", MODULE, "course.yaml"}


@pytest.mark.parametrize("rel, read", [
    ("course.yaml", True), ("modules/01-welcome.yaml", True), ("modules/extra/02.YML", True),
    ("assets/welcome.svg", True), ("assets/media/talk.mp4", True),
    ("modules/01-welcome.yaml~", False), ("modules/4913", False), ("modules/#01-welcome.yaml#", False),
    ("modules/.01-welcome.yaml.swp", False), ("assets/.DS_Store", False), ("notes.txt", False), ("modules", False),
])
def test_the_watcher_follows_only_files_a_build_reads(rel: str, read: bool) -> None:
    assert read_by_build(rel) is read


class Changes:
    """The watcher's calls, for a test to wait on."""

    def __init__(self) -> None:
        self.calls: list[set[str]] = []
        self.probe: Callable[[], object] | None = None  # called at each call: what the course folder held then
        self.probed: list[object] = []
        self._cond = threading.Condition()

    def __call__(self, changed: set[str]) -> None:
        with self._cond:
            if self.probe is not None:
                self.probed.append(self.probe())
            self.calls.append(changed)
            self._cond.notify_all()

    def wait(self, count: int) -> list[set[str]]:
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.calls) >= count, timeout=10), f"{len(self.calls)} calls, waited for {count}"
            return list(self.calls)


@pytest.fixture
def inotify_watcher(course: Path) -> Iterator[tuple[CourseWatcher, Changes]]:
    """A watcher that can only see a change through inotify: its safety poll is an hour away."""
    changes = Changes()
    watcher = CourseWatcher(course, changes, poll_interval=3600, max_settle=5)
    if watcher.mode != "inotify":
        watcher.stop()
        pytest.skip("no inotify here (not Linux, or no inotify instance left): the watcher polls")
    watcher.start()
    try:
        yield watcher, changes
    finally:
        watcher.stop()


def test_inotify_sees_a_save_at_once(inotify_watcher, course: Path) -> None:
    _, changes = inotify_watcher
    (course / MODULE).write_text((course / MODULE).read_text() + "\n")
    assert changes.wait(1) == [{MODULE}]


def test_an_editors_save_burst_is_one_change(inotify_watcher, course: Path) -> None:
    """vim's save: a test file made and deleted, the original renamed to a backup, a pause (fsync), the
    new file written, the backup deleted; files nobody builds from come and go around it."""
    _, changes = inotify_watcher
    module = course / MODULE
    text = module.read_text()
    changes.probe = lambda: module.read_text() if module.exists() else None  # the file as the rebuild reads it
    (course / "modules" / "4913").write_text("")
    (course / "modules" / "4913").unlink()
    os.rename(module, f"{module}~")
    time.sleep(0.05)  # the file is missing meanwhile: the watcher waits for it, not for a quiet moment alone
    module.write_text(text + "\n")
    os.unlink(f"{module}~")
    (course / "modules" / ".01-welcome.yaml.swp").write_text("swap")
    (course / "notes.txt").write_text("not read by a build")
    assert changes.wait(1) == [{MODULE}]
    assert changes.probed == [text + "\n"]
    (course / "assets" / "new.svg").write_text("<svg/>")  # the next change is a call of its own: none came between
    assert changes.wait(2) == [{MODULE}, {"assets/new.svg"}]


def test_inotify_follows_folders_made_after_it_started(inotify_watcher, course: Path) -> None:
    _, changes = inotify_watcher
    (course / "assets" / "media").mkdir()
    (course / "a.svg").write_text("<svg/>")
    os.replace(course / "a.svg", course / "assets" / "media" / "a.svg")  # whole at once, watched yet or not
    assert changes.wait(1)[0] == {"assets/media/a.svg"}
    (course / "assets" / "media" / "b.svg").write_text("<svg/>")  # seen through the new folder's own watch
    assert changes.wait(2)[1] == {"assets/media/b.svg"}


def test_without_inotify_the_watcher_polls(course: Path) -> None:
    changes = Changes()
    watcher = CourseWatcher(course, changes, use_inotify=False)
    assert watcher.mode == "polling"
    watcher.start()
    try:
        (course / "course.yaml").write_text((course / "course.yaml").read_text() + "\n")
        assert changes.wait(1) == [{"course.yaml"}]
    finally:
        watcher.stop()


def test_launch_values_come_from_the_manifest(course: Path) -> None:
    loaded = load_course(course)
    launch12 = scorm12_launch(package_files(loaded, "scorm12", "standard"))
    assert launch12.path == "index.html" and launch12.preload == {"student_data": {"mastery_score": "80"}}
    launch04 = scorm2004_launch(package_files(loaded, "scorm2004", "standard"))
    assert launch04.path == "index.html" and launch04.preload == {"scaled_passing_score": "0.8"}
    edit(course / "course.yaml", "  pass_mark: 80 ", "  # pass_mark: 80 ")
    unscored = load_course(course)
    assert scorm12_launch(package_files(unscored, "scorm12", "standard")).preload == {}
    assert scorm2004_launch(package_files(unscored, "scorm2004", "standard")).preload == {}


def test_every_target_has_a_working_lms_side() -> None:
    assert list(LMS_RUNTIMES) == ["scorm12", "scorm2004", "xapi", "cmi5"]
    result = CliRunner().invoke(main, ["preview", "--help"], terminal_width=200)
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "--target [scorm12|scorm2004|xapi|cmi5]" in text and "in-process LRS" in text
    refused = CliRunner().invoke(main, ["preview", "--target", "tincan"])
    assert refused.exit_code == 2


def test_cli_refuses_a_folder_without_a_course(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["preview", str(tmp_path / "nowhere"), "--port", "0"])
    assert result.exit_code == 2
    assert "course folder not found" in result.stderr


def test_cli_says_when_the_port_is_taken(course: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["preview", str(course), "--port", str(port)])
    assert result.exit_code == 2
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr and "--port 0" in result.stderr


def test_vendored_scorm_again_is_the_locked_version_with_its_license() -> None:
    vendored = STATIC / "scorm-again"
    assert (vendored / "LICENSE").read_text().startswith("MIT License")
    for name in ("scorm12.min.js", "scorm2004.min.js"):
        assert (vendored / name).stat().st_size > 100_000
    lock = json.loads((REPO / "package-lock.json").read_text())
    version = lock["packages"]["node_modules/scorm-again"]["version"]
    dist = REPO / "node_modules" / "scorm-again" / "dist"
    if not dist.is_dir():
        pytest.skip("node_modules/scorm-again not installed (npm ci): cannot compare the vendored copy")
    installed = json.loads((dist.parent / "package.json").read_text())["version"]
    assert installed == version
    for name in ("scorm12.min.js", "scorm2004.min.js"):
        assert (vendored / name).read_bytes() == (dist / name).read_bytes(), f"{name} differs from scorm-again {version}: copy it again"


# tgkill(2), to hand a signal to one thread of another process (os.kill hands it to the process).
TGKILL = {"x86_64": 234, "aarch64": 131}.get(os.uname().machine)


def interrupt_a_worker_thread(pid: int) -> None:
    """Ctrl+C as the kernel may deliver it: to one of the server's or watcher's threads, not the main one."""
    if TGKILL is None:
        pytest.skip(f"no tgkill number known for {os.uname().machine}")
    import ctypes
    tids = sorted(int(t) for t in os.listdir(f"/proc/{pid}/task") if int(t) != pid)
    assert tids, "the preview runs its server and watcher in threads"
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.syscall(TGKILL, pid, tids[0], signal.SIGINT) == 0, os.strerror(ctypes.get_errno())


@pytest.mark.parametrize("to_thread", [False, True], ids=["to-the-process", "to-a-worker-thread"])
def test_cli_serves_until_interrupted(course: Path, tmp_path: Path, to_thread: bool) -> None:
    """The real command in its own process: prints the URL, serves, stops cleanly on Ctrl+C, also
    when the signal lands on a worker thread (the main thread once waited forever then)."""
    run = [sys.executable, "-c", "from coursepack.cli import main; main()", "preview", str(course), "--port", "0"]
    # Ctrl+C as a terminal gives it: a test run started in the background of a script inherits SIGINT
    # ignored (POSIX, for asynchronous commands), and Python then never raises KeyboardInterrupt
    proc = subprocess.Popen(run, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        first = proc.stdout.readline()
        assert first.startswith("Previewing My First Course as SCORM 1.2 at http://127.0.0.1:"), first
        port = int(first.rsplit(":", 1)[1].strip().rstrip("/"))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/course/standard/index.html")
        assert conn.getresponse().status == 200
        conn.close()
        assert proc.stdout.readline().startswith("Watching ")  # the main thread is at its wait
        if to_thread:
            interrupt_a_worker_thread(proc.pid)
        else:
            proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Preview stopped." in out
    assert "built in" in err
    assert not (course / "dist").exists()


# ---------------------------------------------------------------- xAPI and cmi5: the in-process LRS

ACTOR = json.dumps(PREVIEW_LEARNER)


def a_statement(**changes: object) -> dict:
    statement = {
        "id": "6f1b6a40-3f4a-4f1f-9a39-3c1f6d0b8a11", "actor": PREVIEW_LEARNER,
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced", "display": {"en-US": "experienced"}},
        "object": {"objectType": "Activity", "id": "https://example.org/courses/my-course/welcome/start",
                   "definition": {"name": {"en-US": "Start here"}}},
        "context": {"registration": "0f8fad5b-d9cb-469f-a165-70867728950e"},
        "timestamp": "2026-01-05T10:00:00.000Z",
    }
    statement.update(changes)
    return statement


@pytest.fixture
def lrs() -> tuple[MiniLrs, dict[str, str]]:
    mini = MiniLrs()
    return mini, {"X-Experience-API-Version": "1.0.3", "Authorization": f"Basic {mini.mint_credential()}"}


def call(lrs: tuple[MiniLrs, dict[str, str]], method: str, resource: str, query: dict[str, str] | None = None,
         body: object = None, headers: dict[str, str] | None = None):
    mini, auth = lrs
    raw = body if isinstance(body, bytes) else (b"" if body is None else json.dumps(body).encode())
    return mini.handle(method, resource, query or {}, headers if headers is not None else auth, raw)


def test_lrs_wants_the_xapi_version_header(lrs) -> None:
    _, auth = lrs
    missing = call(lrs, "GET", "statements", headers={"Authorization": auth["Authorization"]})
    assert missing.status == 400 and b"X-Experience-API-Version" in missing.body
    assert call(lrs, "GET", "statements", headers={**auth, "X-Experience-API-Version": "0.95"}).status == 400
    assert call(lrs, "GET", "statements", headers={**auth, "x-experience-api-version": "1.0.0"}).status == 200
    answer = call(lrs, "GET", "statements")
    assert answer.status == 200 and answer.headers["X-Experience-API-Version"] == "1.0.3"


def test_lrs_wants_a_credential_it_minted(lrs) -> None:
    version = {"X-Experience-API-Version": "1.0.3"}
    assert call(lrs, "GET", "statements", headers=version).status == 401
    forged = {**version, "Authorization": "Basic " + base64.b64encode(b"admin:admin").decode()}
    assert call(lrs, "POST", "statements", body=a_statement(), headers=forged).status == 401
    assert lrs[0].statements() == []


def test_lrs_refuses_an_invalid_statement_and_says_why(lrs) -> None:
    bad = a_statement(actor={"name": "No identifier"})
    answer = call(lrs, "POST", "statements", body=bad)
    assert answer.status == 400 and b"exactly one of mbox" in answer.body
    no_tz = call(lrs, "POST", "statements", body=a_statement(timestamp="2026-01-05T10:00:00"))
    assert no_tz.status == 400 and b"timestamp" in no_tz.body
    # a batch is all or nothing: one bad statement keeps the good one out too
    good = a_statement(id="7e9d3c1a-2b4f-4c8e-9a1d-5f6e7a8b9c0d")
    assert call(lrs, "POST", "statements", body=[good, bad]).status == 400
    assert call(lrs, "POST", "statements", body=b"{not json").status == 400
    assert lrs[0].statements() == []


def test_lrs_keeps_client_ids_and_stores_a_resent_statement_once(lrs) -> None:
    first = call(lrs, "POST", "statements", body=[a_statement()])
    assert first.status == 200 and json.loads(first.body) == [a_statement()["id"]]
    again = call(lrs, "POST", "statements", body=a_statement())  # a retry after a lost answer
    assert again.status == 200
    assert len(lrs[0].statements()) == 1
    changed = call(lrs, "POST", "statements", body=a_statement(verb={"id": "http://adlnet.gov/expapi/verbs/completed"}))
    assert changed.status == 409
    no_id = a_statement()
    del no_id["id"]
    made = json.loads(call(lrs, "POST", "statements", body=no_id).body)
    assert len(made) == 1 and made[0] != a_statement()["id"]
    listed = json.loads(call(lrs, "GET", "statements", {"registration": "0f8fad5b-d9cb-469f-a165-70867728950e"}).body)
    assert [s["id"] for s in listed["statements"]] == [a_statement()["id"], made[0]]
    assert listed["statements"][0]["stored"] and listed["statements"][0]["authority"]
    other = json.loads(call(lrs, "GET", "statements", {"registration": "1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b"}).body)
    assert other["statements"] == []


def test_lrs_state_and_agent_profile_round_trip(lrs) -> None:
    where = {"activityId": "https://example.org/courses/my-course", "agent": ACTOR,
             "registration": "0f8fad5b-d9cb-469f-a165-70867728950e", "stateId": "progress"}
    assert call(lrs, "GET", "activities/state", where).status == 404
    assert call(lrs, "PUT", "activities/state", where, {"page": 3}, {**lrs[1], "Content-Type": "application/json"}).status == 204
    # the same learner spelled another way (no name, keys reordered) reads the same document
    same_learner = {**where, "agent": json.dumps({"account": PREVIEW_LEARNER["account"]})}
    got = call(lrs, "GET", "activities/state", same_learner)
    assert got.status == 200 and json.loads(got.body) == {"page": 3} and got.content_type == "application/json"
    assert call(lrs, "GET", "activities/state", {**where, "registration": "1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b"}).status == 404
    ids = {k: v for k, v in where.items() if k != "stateId"}
    assert json.loads(call(lrs, "GET", "activities/state", ids).body) == ["progress"]
    assert call(lrs, "DELETE", "activities/state", where).status == 204
    assert call(lrs, "GET", "activities/state", where).status == 404
    assert call(lrs, "GET", "activities/state", {**where, "agent": "not json"}).status == 400
    profile = {"agent": ACTOR, "profileId": "cmi5LearnerPreferences"}
    assert call(lrs, "GET", "agents/profile", profile).status == 404
    assert call(lrs, "PUT", "agents/profile", profile, {"languagePreference": "en-US"}).status == 204
    assert json.loads(call(lrs, "GET", "agents/profile", profile).body) == {"languagePreference": "en-US"}
    lrs[0].reset()  # "Reset learner": memory only, all gone
    assert call(lrs, "GET", "agents/profile", profile).status == 404


def test_lrs_and_the_lms_side_through_the_preview_server(course: Path) -> None:
    """--target cmi5: the launch writes `launched` and LMS.LaunchData, the fetch URL hands out its
    credential once, and the AU's statements go through /xAPI/ on the same server."""
    with PreviewServer(course, target="cmi5", port=0, log=lambda _: None) as server, httpx.Client(base_url=server.url) as client:
        stream = server.events.subscribe()
        launch = client.post("/_preview/lms/launch", json={"edition": "standard"}).json()
        query = dict(parse_qsl(urlsplit(launch["url"]).query))
        assert urlsplit(launch["url"]).path == "/course/standard/sco-welcome.html"
        assert query["endpoint"] == server.url + "xAPI/" and query["registration"] == launch["registration"]
        assert query["activityId"].startswith("urn:uuid:") and query["activityId"] != launch["au"]
        assert client.get(query["fetch"]).status_code == 405  # GET does not use the token up
        token = client.post(query["fetch"]).json()["auth-token"]
        assert client.post(query["fetch"]).json()["error-code"] == "1"  # once only
        auth = {"X-Experience-API-Version": "1.0.3", "Authorization": f"Basic {token}"}
        launched = client.get("/xAPI/statements", params={"registration": launch["registration"]}, headers=auth).json()["statements"]
        assert [s["verb"]["id"] for s in launched] == ["http://adlnet.gov/expapi/verbs/launched"]
        state = client.get("/xAPI/activities/state", headers=auth, params={
            "activityId": query["activityId"], "agent": query["actor"], "registration": launch["registration"], "stateId": "LMS.LaunchData"}).json()
        session = launched[0]["context"]["extensions"]["https://w3id.org/xapi/cmi5/context/extensions/sessionid"]
        assert state["contextTemplate"]["extensions"] == {"https://w3id.org/xapi/cmi5/context/extensions/sessionid": session}
        assert state["launchMode"] == "Normal" and state["moveOn"] == "CompletedAndPassed" and state["masteryScore"] == 0.8
        assert state["returnURL"] == server.url + "_preview/static/returned.html"
        assert client.get(urlsplit(state["returnURL"]).path).status_code == 200
        posted = client.post("/xAPI/statements", headers=auth, json=a_statement(context={"registration": launch["registration"]}))
        assert posted.status_code == 200
        refused = client.post("/xAPI/statements", headers=auth, json=a_statement(verb={"id": "not an IRI"}))
        assert refused.status_code == 400
        events = []
        while not stream.empty():
            events.append(stream.get_nowait())
        assert any(e.startswith("event: statements") and '"verb":"experienced"' in e for e in events)
        assert any(e.startswith("event: lrs-refused") and '"status":400' in e for e in events)
        # the panel's list, the same registration resumed, then reset
        listed = client.get("/_preview/lms/statements", params={"registration": launch["registration"]}).json()["statements"]
        assert [s["verb"] for s in listed] == ["launched", "experienced"]
        again = client.post("/_preview/lms/launch", json={"edition": "standard", "registration": launch["registration"]}).json()
        assert again["registration"] == launch["registration"] and again["sessionId"] != launch["sessionId"]
        assert client.post("/_preview/lms/reset", content=b"{}").status_code == 415  # the page's own POSTs are JSON
        assert client.post("/_preview/lms/reset", json={}).status_code == 200
        assert server.lrs.statements() == []
        assert client.post("/_preview/lms/launch", json={"edition": "standard", "au": "nope"}).status_code == 404


def test_xapi_launch_carries_a_minted_credential_and_the_preview_learner(course: Path) -> None:
    with PreviewServer(course, target="xapi", port=0, log=lambda _: None) as server, httpx.Client(base_url=server.url) as client:
        launch = client.post("/_preview/lms/launch", json={"edition": "certificate"}).json()
        query = dict(parse_qsl(urlsplit(launch["url"]).query))
        assert urlsplit(launch["url"]).path == "/course/certificate/index.html"
        assert json.loads(query["actor"]) == PREVIEW_LEARNER
        assert query["activity_id"] == "https://example.org/courses/my-course"
        ok = client.get("/xAPI/statements", headers={"X-Experience-API-Version": "1.0.3", "Authorization": query["auth"]})
        assert ok.status_code == 200
        assert client.post("/_preview/lms/launch", json={"edition": "standard", "registration": "x"}).status_code == 400
    with PreviewServer(course, port=0, log=lambda _: None) as scorm:  # SCORM has no LRS to reach
        assert get(scorm, "/xAPI/statements")[0] == 404


def test_lrs_package_readers_and_the_panels_summary(course: Path) -> None:
    loaded = load_course(course)
    xapi = xapi_launch(package_files(loaded, "xapi", "standard"))
    assert xapi.path == "index.html" and xapi.preload["activityId"] == "https://example.org/courses/my-course"
    cmi5 = cmi5_launch(package_files(loaded, "cmi5", "certificate"))
    assert cmi5.path == "sco-welcome.html"
    assert cmi5.preload["aus"][0] | {"title": "Welcome"} == cmi5.preload["aus"][0]
    assert cmi5.preload["aus"][0]["masteryScore"] == 0.8
    line = summary(a_statement(result={"success": True, "score": {"scaled": 0.9}}))
    assert (line["verb"], line["object"], line["result"]) == ("experienced", "Start here", "success, score 0.9")


# ---------------------------------------------------------------- `coursepack build`'s progress line (issue 15, item 4)
# Here rather than in test_build.py: this brief owns the preview's test files only.


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_build_progress_shows_on_a_terminal_after_a_second_and_is_erased() -> None:
    clock, out = _Clock(), io.StringIO()
    progress = BuildProgress(8, out, terminal=True, clock=clock)
    progress.building(1)
    assert out.getvalue() == ""  # quick so far: nothing
    clock.now = 1.2
    progress.building(2)
    progress.building(3)
    assert out.getvalue() == "\r\x1b[Kbuilding 2/8 packages…\r\x1b[Kbuilding 3/8 packages…"
    progress.finish()
    assert out.getvalue().endswith("\r\x1b[K")  # the line goes before the package lines are printed


def test_build_progress_says_nothing_off_a_terminal_or_when_quick() -> None:
    clock, piped = _Clock(), io.StringIO()
    slow = BuildProgress(8, piped, terminal=False, clock=clock)
    clock.now = 30.0
    slow.building(5)
    slow.finish()
    assert piped.getvalue() == ""
    quick_out = io.StringIO()
    quick = BuildProgress(8, quick_out, terminal=True, clock=_Clock())
    for n in range(1, 9):
        quick.building(n)
    quick.finish()
    assert quick_out.getvalue() == ""


def test_build_output_is_unchanged_when_not_on_a_terminal(course: Path) -> None:
    result = CliRunner().invoke(main, ["build", str(course), "--target", "all"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 8 and all(re.fullmatch(r"\S+\.zip  [\d,.]+ (KB|MB)", line) for line in lines), lines
    assert result.stderr == ""
