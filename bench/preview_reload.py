"""How long `coursepack preview` takes from a saved edit to the course shown again: prints figures,
asserts nothing (the machines are 2-core, shared and noisy).

Run: python3 bench/preview_reload.py [--edits N] [--skip-browser]

A temporary copy of the example course (course.yaml, modules/, assets/) is previewed on 127.0.0.1
(SCORM 1.2, standard edition, the default 50 ms polling). The learner is put on the first module's
first page; then, N times, that page's title is edited in its module file and the figures taken:
- rebuild: the server's own time to load the course and build every edition in memory;
- save -> build event: from the file write to the "build" event read on the event stream (the
  watcher's polling, the rebuild, and the event);
- save -> course shown again (chromium): from the file write until the new title is visible on the
  learner's page in the reloaded course frame, resumed where the learner was.
The target in issue 15 is under 300 ms for the example course.
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from coursepack.preview.server import PreviewServer  # noqa: E402

MODULE = "modules/01-what-is-ai.yaml"
TITLE = 'title: What do we mean by "AI"?'


def copy_example(into: Path) -> Path:
    course = into / "course"
    course.mkdir()
    shutil.copyfile(REPO / "course.yaml", course / "course.yaml")
    for name in ("modules", "assets"):
        shutil.copytree(REPO / name, course / name)
    return course


class BuildEvents:
    """Reads the preview's event stream in a thread; wait_after(t) gives the time of the first build
    event read after t."""

    def __init__(self, port: int):
        self._times: list[float] = []
        self._cond = threading.Condition()
        self._conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self._conn.request("GET", "/_preview/events")
        self._response = self._conn.getresponse()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for raw in self._response.fp:
                if raw.startswith(b"event: build"):
                    with self._cond:
                        self._times.append(time.perf_counter())
                        self._cond.notify_all()
        except (OSError, ValueError):
            pass

    def wait_after(self, t0: float, timeout: float = 10.0) -> float:
        with self._cond:
            self._cond.wait_for(lambda: any(t > t0 for t in self._times), timeout)
            return next(t for t in self._times if t > t0)

    def close(self) -> None:
        self._conn.close()


def figures(name: str, values_ms: list[float]) -> str:
    if not values_ms:
        return f"{name}: no figures"
    return f"{name}: median {statistics.median(values_ms):.0f} ms, worst {max(values_ms):.0f} ms (n={len(values_ms)})"


def edit_title(module: Path, n: int) -> str:
    title = f'What do we mean by "AI"? (edit {n})'
    text = module.read_text(encoding="utf-8")
    start = text.index("  - id: defining-ai\n    title: ") + len("  - id: defining-ai\n    title: ")
    end = text.index("\n", start)
    module.write_text(text[:start] + json.dumps(title) + text[end:], encoding="utf-8")
    return title


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=7)
    parser.add_argument("--skip-browser", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        course = copy_example(Path(tmp))
        module = course / MODULE
        assert TITLE in module.read_text(encoding="utf-8"), f"{MODULE} changed: update TITLE in {__file__}"
        started = time.perf_counter()
        with PreviewServer(course, port=0, log=lambda line: None) as server:
            print(f"first build (every edition, cold): {server.build.report.took_ms:.0f} ms; "
                  f"server up in {(time.perf_counter() - started) * 1000:.0f} ms")
            rebuilds, to_event, to_shown = [], [], []
            events = BuildEvents(server.port)
            page = browser = pw = None
            if not args.skip_browser:
                page, browser, pw = open_page(server.url)
            try:
                for n in range(1, args.edits + 1):
                    time.sleep(0.3)  # let the last reload settle
                    t0 = time.perf_counter()
                    title = edit_title(module, n)
                    to_event.append((events.wait_after(t0) - t0) * 1000)
                    if page is not None:
                        frame_shows(page, title)
                        to_shown.append((time.perf_counter() - t0) * 1000)
                    report = server.build.report
                    assert report.ok, report.problems
                    rebuilds.append(report.took_ms)
            finally:
                events.close()
                if browser is not None:
                    browser.close()
                    pw.stop()
        print(figures("rebuild (load + every edition, in memory)", rebuilds))
        print(figures("save -> build event (polling every 50 ms + rebuild)", to_event))
        if to_shown:
            print(figures("save -> course shown again, learner on their page (chromium)", to_shown))
        elif not args.skip_browser:
            print("course shown again: not measured (no chromium / playwright)")


def open_page(url: str):
    try:
        from playwright.sync_api import sync_playwright
        from tests.browser import harness
    except ImportError:
        return None, None, None
    if not harness.CHROMIUM.exists():
        return None, None, None
    pw = sync_playwright().start()
    browser = harness.launch_browser(pw)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(url)
    page.wait_for_function("window.__preview && window.__preview.ready")
    frame = page.wait_for_selector("#content").content_frame()
    frame.click("#cp-start")  # the learner is on the first page: every reload resumes there
    frame.wait_for_selector("#cp-page-0:not([hidden])")
    return page, browser, pw


def frame_shows(page, title: str) -> None:
    page.wait_for_function(
        """(title) => { const f = document.getElementById('content');
                        const d = f && f.contentDocument; const h = d && d.querySelector('#cp-page-0:not([hidden]) h2');
                        return h && h.textContent.includes(title); }""",
        arg=title, polling="raf", timeout=10_000)


if __name__ == "__main__":
    main()
