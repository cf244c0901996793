"""Time the player spends per input event in a reflection box: prints figures, asserts nothing.

Run: python3 bench/input_latency.py

The example course's certificate edition is played in Debian's headless chromium inside the test
LMS (scorm-again as window.API, tests/browser/harness.py). In the page, each edit is made the way a
browser does it (the textarea's value changes, then an `input` event is dispatched) and the time of
the player's synchronous handling is taken with performance.now():
- a 3,000-character paste of Chinese text (more than the reflection holds: the player keeps what
  fits and says how much was left out), of Russian, and of English;
- typing 300 characters one at a time into a box that already holds 200 Chinese characters.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from coursepack.load.course_loader import load_course  # noqa: E402
from coursepack.targets.package import package_files  # noqa: E402
from tests.browser import harness  # noqa: E402

MEASURE = """
([id, text, mode]) => {
  const ta = document.querySelector(`[data-cp-reflection-input="${id}"]`);
  const times = [];
  const edit = (value) => {
    ta.value = value;
    const t0 = performance.now();
    ta.dispatchEvent(new Event("input", { bubbles: true }));
    times.push(performance.now() - t0);
  };
  if (mode === "paste") { ta.value = ""; edit(text); }
  else { const chars = Array.from(text); let value = ta.value; for (const ch of chars) { value += ch; edit(value); value = ta.value; } }
  return times;
}
"""


def build(out: Path) -> Path:
    for name, content in package_files(load_course(REPO), "scorm12", "certificate").items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.read_bytes() if isinstance(content, Path) else content)
    return out


def main() -> None:
    from playwright.sync_api import sync_playwright

    chinese = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(3000))
    russian = ("Учитель проверяет ответы учеников и пишет отзыв. " * 80)[:3000]
    english = ("The teacher reads the answers and writes feedback. " * 80)[:3000]
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw, harness.LmsServer() as server:
        pkg = build(Path(tmp) / "pkg")
        browser = harness.launch_browser(pw)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        frame = harness.open_lms(page, server, pkg)
        rid = frame.eval_on_selector("[data-cp-reflection-input]", "e => e.dataset.cpReflectionInput")
        rows = []
        for label, text in (("paste 3,000 Chinese characters", chinese), ("paste 3,000 Russian characters", russian),
                            ("paste 3,000 English characters", english)):
            runs = [frame.evaluate(MEASURE, [rid, text, "paste"])[0] for _ in range(5)]
            rows.append((label, statistics.median(runs), max(runs)))
        frame.evaluate(MEASURE, [rid, chinese[:200], "paste"])
        typing = frame.evaluate(MEASURE, [rid, russian[:300], "type"])
        rows.append(("type 300 characters after 200 Chinese (per keystroke)", statistics.median(typing), max(typing)))
        browser.close()
    print(f"{'input event':58} {'median ms':>10} {'max ms':>8}")
    for label, median, worst in rows:
        print(f"{label:58} {median:10.2f} {worst:8.2f}")


if __name__ == "__main__":
    main()
