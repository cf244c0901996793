"""Player speed at scale: first interaction and page turn in one unit of 500 and 2,500 pages.

Run: python3 bench/player_scale.py [--pages 500 2500] [--turns 20] [--keep-alive]

Prints figures with their targets (issue 16); asserts nothing. The course is bench/run.py's generated
course (per module: a text page, a reflection page, a 10-question quiz page), built with
`--target xapi`: one launch unit for every page of the course, the shape the issue measured (SCORM 1.2
cannot keep that many reflections in one SCO); each page's content is inert until the player first
shows it (in page files beside the launch page at these sizes, loaded as needed), so a turn to a page
not seen yet includes parsing it in. The package is played standalone (no LRS: progress goes to
localStorage) in Debian's headless chromium, served on 127.0.0.1.

To measure another coursepack (a "before"), put its package first on the path: the build runs as
`python -m coursepack`, e.g. PYTHONPATH=/tmp/old python3 bench/player_scale.py.

Both figures are taken when the browser is really idle, not at the player's own timestamp:
- first interaction: navigation start to the end of the first rendered frame after the player's
  `coursepack:interactive` mark (requestAnimationFrame as the mark is made, then a task after that
  frame), or to the end of the last long task (a PerformanceObserver on `longtask`) if that is later, once
  no long task has run for QUIET_MS (so a long task after the first frame counts); also printed: the same
  by the probe of the earlier rounds, which polled for the mark every 5 ms (a frame drawn before the poll
  was missed, and a later one measured);
- page turn: from an idle browser (an idle callback has run: the player parses the next page in then),
  a click on "Next" to the end of the next rendered frame (same rAF + task), median over several turns
  from the middle of the course; also the click's own work plus style and layout (forced at once),
  without the wait for the frame;
- jump: from the contents, a click on a page far from any page shown (its page file not loaded yet) to
  the end of the first rendered frame with the page shown;
- the turn against the frame clock: the page turn above ends at a frame, so it holds the wait for the
  frame clock (16.7 ms a frame): a click that changes nothing (on the position text), made the same way
  and alternated with the turns, is the baseline, and a turn that missed a frame is one whose next frame
  came more than one frame interval after the frame before the click;
- real clicks: Playwright's mouse on "Next" (input through the browser), the click event's timestamp to
  the end of the next rendered frame, and Event Timing's duration (input to next paint, what INP
  measures), which chromium reports from 16 ms only.
- a turn against a slow LMS: the smallest course built for SCORM 1.2 and played with scorm-again as
  window.API, its LMSCommit holding the page's thread SLOW_COMMIT_MS as Moodle's synchronous request does;
  the turn (FRAME_TURN) from an idle browser, after the last turn's commit was sent;
- the floor: an almost empty page (a heading, a button, the package's runtime/player.css and a one-line
  script file that makes the same mark; FLOOR_PAGE), served from the same server and loaded in the same
  browser alternately with the package's loads, measured by the same probe: how much of the 150 ms this
  machine's browser takes for a page that does nothing.
The files are served by Python's http.server: HTTP/1.0, a connection per file, as in the earlier rounds;
--keep-alive serves HTTP/1.1 with connections kept alive, as an LMS's web server does.
Beside first interaction, per load (medians printed): when the launch page arrived and was parsed, when
the runtime's scripts were first requested and had all arrived, and the player's interactive mark. Also
the elements the launch page's markup makes (parsed before the player starts), and the contents' module
entries among them (a large unit's player builds the others after the first view).
"""

from __future__ import annotations

import argparse
import http.server
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]  # bench/run.py, and tests/ as a package of the repository

from run import generate_course  # noqa: E402  (bench/run.py: the generated course)
from tests.launch_markup import markup_counts  # noqa: E402  (counted as the tests count it)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-sync"]
FIRST_TARGET_MS = 150
TURN_TARGET_MS = 16

# Installed before the page's own scripts: records long tasks (a PerformanceObserver on `longtask`), and
# resolves window.__cpIdle once the browser is idle after the player's "interactive" mark: the first frame
# after the mark has been rendered and then no long task has run for QUIET_MS; its value is the end of
# that frame or of the last long task, whichever is later. The frame is asked for as the mark is made
# (performance.mark wrapped). Until 2026-12-03 07:00 the probe polled for the mark every 5 ms instead, and
# asked for a frame only then: when the first frame came before the poll, it measured a later frame and
# the tasks queued before it. window.__cpPolled is that older measure, printed beside for comparison.
QUIET_MS = 500
IDLE_PROBE = """
(() => {
  let lastLong = 0;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) lastLong = Math.max(lastLong, e.startTime + e.duration);
    }).observe({ type: "longtask", buffered: true });
  } catch (e) {}
  window.__cpAfterFrame = () => new Promise((resolve) =>
    requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0)));
  // the browser idle: an idle callback has run (the player's own work after a turn runs in one)
  window.__cpQuiet = () => new Promise((resolve) => requestIdleCallback(() => setTimeout(resolve, 0)));
  let afterMark = null;
  const mark = performance.mark;
  performance.mark = function (name) {
    const entry = mark.apply(this, arguments);
    if (name === "coursepack:interactive" && !afterMark) afterMark = window.__cpAfterFrame();
    return entry;
  };
  // frame's end, or the last long task's if later, once no long task has run for QUIET_MS
  const settled = (frame) => new Promise((resolve) => {
    const quiet = () => {
      const seen = lastLong;
      setTimeout(() => (lastLong === seen ? resolve(Math.max(frame, lastLong)) : quiet()), %d);
    };
    quiet();
  });
  window.__cpIdle = new Promise((resolve) => {
    const wait = () => (afterMark ? afterMark.then(settled).then(resolve) : setTimeout(wait, 5));
    wait();
  });
  window.__cpPolled = new Promise((resolve) => {
    const wait = () => {
      if (!performance.getEntriesByName("coursepack:interactive").length) return setTimeout(wait, 5);
      window.__cpAfterFrame().then(settled).then(resolve);
    };
    wait();
  });
})();
""" % QUIET_MS

TURN = """
async () => {
  await window.__cpQuiet();  // start from an idle browser
  await window.__cpAfterFrame();
  const next = document.getElementById("cp-next");
  const t0 = performance.now();
  next.click();
  document.activeElement.getBoundingClientRect();  // style and layout now (focus is on the new page)
  const work = performance.now() - t0;
  const frame = (await window.__cpAfterFrame()) - t0;
  return [work, frame];
}
"""

# TURN against the frame clock: the same click (on "Next", or, for the baseline, on the position text, which
# the player's document-wide click listener sees and ignores) made just after a frame, and the rAF
# timestamps of that frame and of the next one rendered: one frame interval apart when the click's result
# shows in the very next frame, two or more when the turn missed a frame.
FRAME_TURN = """
async (selector) => {
  await window.__cpQuiet();
  const rendered = await new Promise((resolve) => requestAnimationFrame((ts) => setTimeout(() => resolve(ts), 0)));
  const target = document.querySelector(selector);
  const t0 = performance.now();
  target.click();
  document.activeElement.getBoundingClientRect();
  const work = performance.now() - t0;
  const [shown, end] = await new Promise((resolve) =>
    requestAnimationFrame((ts) => setTimeout(() => resolve([ts, performance.now()]), 0)));
  return [work, end - t0, shown - rendered];
}
"""
NOOP_TARGET = "[data-cp-position]"
FRAME_MS = 1000 / 60  # headless chromium's frame clock (printed as measured beside the figures)

# Real input: Playwright's mouse click on "Next" (input events through the browser, as a learner's click),
# then the click's Event Timing entry, if any: its duration is the input to the next paint (what INP
# measures), reported only from 16 ms (the API's lowest threshold), in steps of 8 ms. Also the click
# event's own timestamp to the end of the next rendered frame, which needs no threshold.
EVENT_PROBE = """
(() => {
  window.__cpEvents = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.name === "click") window.__cpEvents.push(e.duration);
    }).observe({ type: "event", durationThreshold: 16, buffered: true });
  } catch (e) { window.__cpEvents = null; }
  document.addEventListener("click", (e) => {
    const input = e.timeStamp;
    requestAnimationFrame(() => setTimeout(() => { window.__cpInputToFrame = performance.now() - input; }, 0));
  }, true);
})();
"""

# From the contents, a click on page i's entry to the first frame rendered with page i shown (its file
# loaded and parsed in first, when it has one; the section may not be made ahead).
JUMP = """
async (i) => {
  document.getElementById("cp-menu-button").click();
  await window.__cpQuiet();
  await window.__cpAfterFrame();
  const isShown = () => { const s = document.getElementById("cp-page-" + i); return s && !s.hidden; };
  const shown = new Promise((resolve) => {
    if (isShown()) return resolve();
    new MutationObserver((_, observer) => { if (isShown()) { observer.disconnect(); resolve(); } })
      .observe(document.getElementById("cp-main"), { subtree: true, childList: true, attributes: true, attributeFilter: ["hidden"] });
  });
  const t0 = performance.now();
  document.querySelector(`[data-cp-goto="${i}"]`).click();
  await shown;
  return (await window.__cpAfterFrame()) - t0;
}
"""

# When the runtime's scripts were requested (the first) and had all arrived (the last), when the launch
# page had arrived and been parsed (domInteractive: its scripts run), and the player's "interactive" mark,
# in ms from navigation: at the end of a long page the scripts are requested only when the preload scanner
# reaches them, unless the head preloads them.
RUNTIME_TIMING = """
(() => {
  const runtime = performance.getEntriesByType("resource").filter(e => /\\/runtime\\/.*\\.js$/.test(e.name));
  const mark = performance.getEntriesByName("coursepack:interactive")[0];
  const nav = performance.getEntriesByType("navigation")[0];
  return [Math.min(...runtime.map(e => e.startTime)), Math.max(...runtime.map(e => e.responseEnd)), mark.startTime,
          nav.responseEnd, nav.domInteractive];
})()
"""


# The floor (see the docstring): beside the package's files, in a folder of its own, with the package's stylesheet
FLOOR_DIR = "floor"
FLOOR_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Floor</title><link rel="stylesheet" href="runtime/player.css"></head>
<body><h1>Floor</h1><button type="button">Start</button><script src="runtime/floor.js"></script></body>
</html>
"""
FLOOR_SCRIPT = 'performance.mark("coursepack:interactive");\n'


def add_floor(site: Path) -> str:
    """Writes the floor page into the extracted package at site; returns its path from the site's root."""
    floor = site / FLOOR_DIR
    (floor / "runtime").mkdir(parents=True)
    (floor / "index.html").write_text(FLOOR_PAGE, encoding="utf-8")
    (floor / "runtime" / "player.css").write_bytes((site / "runtime" / "player.css").read_bytes())
    (floor / "runtime" / "floor.js").write_text(FLOOR_SCRIPT, encoding="utf-8")
    return f"{FLOOR_DIR}/index.html"


def first_interaction(browser: Any, url: str) -> tuple[Any, Any, float]:
    """A fresh context's load of url with the probes: (context, page, first interaction in ms)."""
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(IDLE_PROBE)
    page.add_init_script(EVENT_PROBE)
    page.goto(url, wait_until="commit")
    return context, page, page.evaluate("window.__cpIdle")


def build_package(root: Path, pages: int, target: str = "xapi") -> Path:
    course = root / f"course-{pages}"
    if not course.exists():
        generate_course(course, max(1, pages // 3), 10)
    out = root / f"out-{pages}-{target}"
    subprocess.run(
        [sys.executable, "-m", "coursepack", "build", str(course), "--out", str(out), "--target", target, "--edition", "standard"],
        check=True, capture_output=True,
    )
    return next(out.glob("*.zip"))


@contextmanager
def served(package: Path, keep_alive: bool = False) -> Iterator[tuple[Path, str]]:
    """The package unzipped into a temporary folder and served on 127.0.0.1: (the folder, the server's root URL)."""
    with tempfile.TemporaryDirectory() as site:
        zipfile.ZipFile(package).extractall(site)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_KeepAlive if keep_alive else _Quiet, directory=site))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield Path(site), f"http://127.0.0.1:{server.server_address[1]}/"
        finally:
            server.shutdown()


# An LMS whose commit waits for its server: Moodle's SCORM 1.2 API posts each LMSCommit (and LMSFinish) as a
# synchronous XMLHttpRequest (mod/scorm/request.js), so the page's thread waits for the answer. Played here
# with scorm-again (the copy coursepack's preview serves) as window.API, each commit holding the thread
# SLOW_COMMIT_MS, and a SCORM 1.2 build of the same course.
SLOW_COMMIT_MS = 300
SCORM_AGAIN = HERE.parent / "builder" / "preview" / "static" / "scorm-again" / "scorm12.min.js"
SLOW_LMS = """
window.API = new Scorm12API({});
for (const name of ["LMSCommit", "LMSFinish"]) {
  const call = window.API[name].bind(window.API);
  window.API[name] = (arg) => { const t = performance.now(); while (performance.now() - t < %d) {} return call(arg); };
}
""" % SLOW_COMMIT_MS


def slow_lms_turns(package: Path, turns: int) -> list[list[float]]:
    """Page turns (FRAME_TURN) in a package played against an LMS whose commit holds the thread
    SLOW_COMMIT_MS: [work, to the frame's end, frames' rAF interval] per turn."""
    from playwright.sync_api import sync_playwright

    found: list[list[float]] = []
    with served(package) as (_, root), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_context().new_page()
        page.add_init_script(SCORM_AGAIN.read_text(encoding="utf-8") + SLOW_LMS)
        page.add_init_script(IDLE_PROBE)
        # an idle callback at 1 s at the latest: after a 300 ms commit, chromium may give none for a while
        page.add_init_script("window.__cpQuiet = () => new Promise((resolve) => "
                             "requestIdleCallback(() => setTimeout(resolve, 0), { timeout: 1000 }));")
        page.goto(root + "index.html", wait_until="commit")
        page.evaluate("window.__cpIdle")
        total = page.evaluate("JSON.parse(document.getElementById('coursepack-data').textContent).pages.length")
        page.click("#cp-start")
        for _ in range(turns):
            room(page, total)
            page.wait_for_timeout(SLOW_COMMIT_MS + 200)  # the last turn's commit sent
            found.append(page.evaluate(FRAME_TURN, "#cp-next"))
        browser.close()
    return found


def launch_elements(package: Path) -> tuple[int, int]:
    """The elements the launch page's markup makes (what the browser parses before the player starts) and
    the contents' module entries among them."""
    with zipfile.ZipFile(package) as z:
        return markup_counts(z.read("index.html").decode("utf-8"))


def course_data_sizes(package: Path) -> tuple[int, int]:
    """The launch page's course data, in bytes, and the part of it that is the quizzes' questions and keys
    (a large unit's player takes them from the page files instead: then 0)."""
    with zipfile.ZipFile(package) as z:
        launch = z.read("index.html").decode("utf-8")
    text = launch.split('id="coursepack-data">', 1)[1].split("</script>", 1)[0]
    questions = [q["questions"] for q in json.loads(text)["quizzes"] if "questions" in q]
    return len(text), sum(len(json.dumps(qs, separators=(",", ":"))) for qs in questions)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


class _KeepAlive(_Quiet):
    """HTTP/1.1 with connections kept alive, as an LMS's web server serves a package (http.server's default,
    HTTP/1.0, opens a connection per file, and chromium opens at most 6 at once to a host: the 7th and 8th
    of a launch page's files wait for one to close). Nagle's algorithm off: with it, a kept-alive
    connection's body waits for the ACK of its headers (about 40 ms on Linux's loopback)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True


def go_to(page: Any, i: int) -> None:
    """Page i shown, through its entry in the contents."""
    page.evaluate(f"document.querySelector('[data-cp-goto=\"{i}\"]').click()")
    page.wait_for_function(f"document.getElementById('cp-page-{i}') && !document.getElementById('cp-page-{i}').hidden")


def room(page: Any, total: int) -> None:
    """A page with a page after it shown: on the last page, back to the middle of the course (a small course
    has fewer pages than turns; "Next" on the last page leaves the pages)."""
    shown = page.evaluate("(document.querySelector('.cp-page:not([hidden])') || {id: ''}).id")
    if shown == f"cp-page-{total - 1}":
        go_to(page, total // 2)


def real_clicks(page: Any, turns: int, total: int) -> list[tuple[float, float | None]]:
    """Turns by Playwright's mouse on "Next", each from an idle browser: per click, its input (the click
    event's timestamp) to the end of the next rendered frame, and its Event Timing duration (None: under
    16 ms, so not reported)."""
    found: list[tuple[float, float | None]] = []
    for _ in range(turns):
        room(page, total)
        button = page.locator("#cp-next")
        button.scroll_into_view_if_needed()  # below a long page, as a learner scrolls to it
        box = button.bounding_box()
        page.evaluate("window.__cpQuiet().then(window.__cpAfterFrame)")
        before = page.evaluate("window.__cpEvents ? window.__cpEvents.length : 0")
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.evaluate("window.__cpQuiet()")  # the frame after the click has been rendered
        to_frame, events = page.evaluate("[window.__cpInputToFrame, window.__cpEvents]")
        found.append((to_frame, events[before] if events is not None and len(events) > before else None))
    return found


def measure(package: Path, loads: int, turns: int, keep_alive: bool = False) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with served(package, keep_alive) as (site, root):
        floor_path = add_floor(site)
        url = root + "index.html"
        firsts: list[float] = []
        floors: list[float] = []  # the floor page's first interaction, each load alternated with the package's
        polled: list[float] = []  # the same, by the probe of the rounds before 2026-12-03 07:00 (IDLE_PROBE)
        works: list[float] = []
        frames: list[float] = []
        jumps: list[float] = []
        runtime: list[list[float]] = []
        clocked: list[list[float]] = []  # [work, to the frame's end, frames' rAF interval] per FRAME_TURN
        baseline: list[list[float]] = []
        inputs: list[tuple[float, float | None]] = []
        elements = 0
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            for n in range(loads + 1):  # the first load warms the disk caches and is not counted
                floor_context, _, floor = first_interaction(browser, root + floor_path)
                floor_context.close()
                context, page, first = first_interaction(browser, url)
                if n:
                    floors.append(floor)
                    firsts.append(first)
                    polled.append(page.evaluate("window.__cpPolled"))
                    runtime.append(page.evaluate(RUNTIME_TIMING))
                if n == loads:
                    elements = page.evaluate("document.getElementsByTagName('*').length")
                    total = page.evaluate("JSON.parse(document.getElementById('coursepack-data').textContent).pages.length")
                    # a large unit's contents fill their page lists and build the module entries the launch
                    # page leaves out just after the first view (older players made the lists live from a
                    # <noscript>)
                    page.wait_for_function("!document.querySelector('#cp-menu [data-cp-pages], #cp-menu [data-cp-modules-from], "
                                           "#cp-menu noscript[data-cp-inert]')")
                    go_to(page, total // 2)
                    for _ in range(turns):
                        room(page, total)
                        work, frame = page.evaluate(TURN)
                        works.append(work)
                        frames.append(frame)
                    for _ in range(turns):  # alternated, so both see the same machine
                        room(page, total)
                        for selector, into in (("#cp-next", clocked), (NOOP_TARGET, baseline)):
                            into.append(page.evaluate(FRAME_TURN, selector))
                    inputs.extend(real_clicks(page, turns, total))
                    for k in range(1, 6):  # pages far from each other and from the turns above
                        jumps.append(page.evaluate(JUMP, (total // 2 + k * total // 12) % total))
                context.close()
            browser.close()
    return {
        "first": statistics.median(firsts), "first_worst": max(firsts),
        "floor": statistics.median(floors), "floor_worst": max(floors),
        "polled": statistics.median(polled), "polled_worst": max(polled),
        "work": statistics.median(works), "frame": statistics.median(frames), "frame_worst": max(frames),
        "elements": elements, "jump": statistics.median(jumps), "jump_worst": max(jumps),
        "requested": statistics.median(r[0] for r in runtime), "arrived": statistics.median(r[1] for r in runtime),
        "interactive": statistics.median(r[2] for r in runtime),
        "clocked": clocked, "baseline": baseline, "inputs": inputs,
        "page_arrived": statistics.median(r[3] for r in runtime), "parsed": statistics.median(r[4] for r in runtime),
    }


def print_frame_clock(clocked: list[list[float]], baseline: list[list[float]],
                      inputs: list[tuple[float, float | None]]) -> None:
    """The turn against a click that changes nothing, made the same way: the wait for the frame clock is in
    both; a turn that shows in the very next frame (its frames one interval apart) missed none."""
    def missed(runs: list[list[float]]) -> int:
        return sum(run[2] > 1.5 * FRAME_MS for run in runs)

    n = len(clocked)
    interval = statistics.median(run[2] for run in baseline)
    print(f"  against the frame clock ({n} turns and {n} clicks that change nothing, alternated; frames "
          f"{interval:.1f} ms apart): to the next rendered frame, turn {statistics.median(r[1] for r in clocked):.1f} ms, "
          f"nothing {statistics.median(r[1] for r in baseline):.1f} ms; the click's work plus style and layout, turn "
          f"{statistics.median(r[0] for r in clocked):.1f} ms, nothing {statistics.median(r[0] for r in baseline):.1f} ms")
    print(f"  turns that missed a frame: {missed(clocked)} of {n} (clicks that change nothing: {missed(baseline)} of {n})  "
          f"(target: none, i.e. a turn under {TURN_TARGET_MS} ms)")
    reported = [d for _, d in inputs if d is not None]
    print(f"  real clicks on Next ({len(inputs)}, Playwright's mouse): input to the end of the next rendered frame median "
          f"{statistics.median(t for t, _ in inputs):.1f} ms, worst {max(t for t, _ in inputs):.1f} ms; Event Timing "
          f"(input to next paint, reported from 16 ms): {len(reported)} of {len(inputs)} reported"
          + (f", durations {sorted(reported)} ms" if reported else ""))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, nargs="+", default=[500, 2500])
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--keep-alive", action="store_true",
                        help="serve HTTP/1.1 with connections kept alive, as an LMS's web server does (default: HTTP/1.0, "
                             "a connection per file, as in the earlier rounds' figures)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for pages in args.pages:
            package = build_package(Path(tmp), pages)
            r = measure(package, args.loads, args.turns, keep_alive=args.keep_alive)
            entries = zipfile.ZipFile(package).infolist()
            size = sum(i.file_size for i in entries if i.filename.endswith(".html"))
            files = [i.file_size for i in entries if i.filename.startswith("pages/")]
            data, questions = course_data_sizes(package)
            parsed, entries = launch_elements(package)
            print(f"{pages} pages in one unit ({size / 1048576:.2f} MB launch page, {len(files)} page files of "
                  f"{sum(files) / 1048576:.1f} MB, {r['elements']:,} elements live once idle):")
            print(f"  the launch page's markup: {parsed:,} elements, {entries} of them the contents' module entries")
            print(f"  course data in the launch page: {data / 1048576:.2f} MB, of which the quizzes' questions and keys {questions / 1024:.0f} KB")
            print(f"  launch page arrived at {r['page_arrived']:.0f} ms, parsed at {r['parsed']:.0f} ms; runtime scripts "
                  f"requested at {r['requested']:.0f} ms, all arrived at {r['arrived']:.0f} ms; player interactive at "
                  f"{r['interactive']:.0f} ms (medians, from navigation)")
            print(f"  first interaction (idle): median {r['first']:.0f} ms, worst {r['first_worst']:.0f} ms of {args.loads} loads  (target < {FIRST_TARGET_MS} ms; "
                  f"the floor, an almost empty page loaded alternately: median {r['floor']:.0f} ms, worst {r['floor_worst']:.0f} ms)")
            print(f"  the same by the probe before 2026-12-03 07:00 (the mark polled for): median {r['polled']:.0f} ms, worst {r['polled_worst']:.0f} ms")
            print(f"  page turn to the next rendered frame: median {r['frame']:.1f} ms, worst {r['frame_worst']:.1f} ms of {args.turns}  (target < {TURN_TARGET_MS} ms)")
            print(f"  page turn, the click's work plus style and layout: median {r['work']:.1f} ms")
            print(f"  jump from the contents to a page not loaded: median {r['jump']:.1f} ms, worst {r['jump_worst']:.1f} ms of 5")
            print_frame_clock(r["clocked"], r["baseline"], r["inputs"])
        smallest = min(args.pages)
        slow = slow_lms_turns(build_package(Path(tmp), smallest, "scorm12"), args.turns)
        missed = sum(run[2] > 1.5 * FRAME_MS for run in slow)
        print(f"{smallest} pages, SCORM 1.2, against an LMS whose commit holds the page's thread {SLOW_COMMIT_MS} ms (Moodle's "
              f"synchronous request): the frame showing the turned page came a median {statistics.median(r[2] for r in slow):.1f} ms "
              f"(worst {max(r[2] for r in slow):.1f} ms) after the frame before the click; turns that missed a frame: {missed} of "
              f"{len(slow)}  (target: none); the click's work {statistics.median(r[0] for r in slow):.1f} ms, the thread free again "
              f"{statistics.median(r[1] for r in slow):.0f} ms after the click")


if __name__ == "__main__":
    main()
