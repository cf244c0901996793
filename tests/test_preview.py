"""`coursepack preview` without a browser: the server (127.0.0.1 only, no traversal), the in-memory
build that keeps the last good one, build events, the manifest values the LMS page preloads, the CLI.
The page itself is played in tests/browser/test_preview.py."""

from __future__ import annotations

import errno
import hashlib
import http.client
import json
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO, SCAFFOLD
from coursepack.cli import main
from coursepack.load.course_loader import load_course
from coursepack.preview.lms_runtimes import LMS_RUNTIMES
from coursepack.preview.request_paths import split_request
from coursepack.preview.scorm_launch import scorm12_launch, scorm2004_launch
from coursepack.preview.server import PreviewServer
from coursepack.preview.watcher import changed_files, snapshot
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
    with PreviewServer(course, port=0, poll_interval=0.05, log=lines.append) as preview:
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
    with PreviewServer(course, port=0, poll_interval=0.05, log=lambda line: None) as preview:
        report = state(preview)["build"]
        assert report["ok"] is False and report["goodGeneration"] == 0 and state(preview)["editions"] == {}
        assert get(preview, "/")[0] == 200
        assert get(preview, "/course/standard/index.html")[0] == 404
        edit(course / MODULE, "minutes: ten", "minutes: 10")
        wait_for(lambda: state(preview)["build"]["ok"], "the first good build")
        assert get(preview, "/course/standard/index.html")[0] == 200


def test_scorm2004_preview_plays_the_2004_side(course: Path) -> None:
    with PreviewServer(course, target="scorm2004", port=0, log=lambda line: None) as preview:
        data = state(preview)
        assert data["side"] == "scorm2004" and data["stateLimit"] == 64000
        assert data["editions"]["certificate"]["preload"] == {"scaled_passing_score": "0.8"}
        assert b"/_preview/static/scorm-again/scorm2004.min.js" in get(preview, "/")[2]
        assert b"adapters/scorm2004.js" in get(preview, "/course/standard/index.html")[2]


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


def test_only_targets_with_a_working_lms_side_are_offered() -> None:
    assert list(LMS_RUNTIMES) == ["scorm12", "scorm2004"]
    result = CliRunner().invoke(main, ["preview", "--help"], terminal_width=200)
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "--target [scorm12|scorm2004]" in text and "xAPI and cmi5 cannot be previewed yet" in text
    refused = CliRunner().invoke(main, ["preview", "--target", "xapi"])
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


def test_cli_serves_until_interrupted(course: Path, tmp_path: Path) -> None:
    """The real command in its own process: prints the URL, serves, stops cleanly on Ctrl+C."""
    run = [sys.executable, "-c", "from coursepack.cli import main; main()", "preview", str(course), "--port", "0"]
    proc = subprocess.Popen(run, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        assert first.startswith("Previewing My First Course as SCORM 1.2 at http://127.0.0.1:"), first
        port = int(first.rsplit(":", 1)[1].strip().rstrip("/"))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/course/standard/index.html")
        assert conn.getresponse().status == 200
        conn.close()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Preview stopped." in out
    assert "built in" in err
    assert not (course / "dist").exists()
