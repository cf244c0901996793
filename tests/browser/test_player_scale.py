"""Start-up and a page turn cost the same whatever the number of pages (issue 16).

No timing is asserted (bench/player_scale.py measures it); these tests guard the shapes that make it
fast, on the same generated course at 50 and 300 pages (one xAPI launch page holding every page, played
standalone):
- at start no page's content is live: each page ships as the text of a <noscript> (no elements, no
  forms) and only the contents' entries grow with the page count; a page is live once shown;
- a turn touches a bounded number of elements: a MutationObserver counts the elements a turn changes,
  and the document-wide querySelector(All) calls are counted. A turn that hides every page, rebuilds
  every menu entry or scans the document would grow with the page count.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from coursepack.cli import main

from . import harness

if TYPE_CHECKING:
    from playwright.sync_api import Page

PAGES_PER_MODULE = 5
# Markdown whose page would end early if "</noscript" reached the launch page unescaped
HOSTILE = "Shown as typed: `</noscript><b id=cp-leak>` and </NOSCRIPT ><i id=cp-leak2>raw</i>"
HOSTILE_SHOWN = "Shown as typed: </noscript><b id=cp-leak> and raw"

# Counts, from now on, the elements changed (attributes, children, text) and the document-wide queries.
PROBE = """
() => {
  window.__touched = new Set();
  window.__queries = 0;
  new MutationObserver((records) => {
    for (const r of records) window.__touched.add(r.target.nodeType === 1 ? r.target : r.target.parentNode);
  }).observe(document, { subtree: true, attributes: true, childList: true, characterData: true });
  for (const name of ["querySelector", "querySelectorAll"]) {
    const original = Document.prototype[name];
    Document.prototype[name] = function (...args) { window.__queries++; return original.apply(this, args); };
  }
}
"""
TAKE = """
async () => {
  await new Promise((resolve) => setTimeout(resolve, 0));  // let the observer report
  const out = { touched: window.__touched.size, queries: window.__queries };
  window.__touched = new Set();
  window.__queries = 0;
  return out;
}
"""


def write_course(root: Path, modules: int) -> None:
    """modules x 5 pages: three text pages, a reflection, a two-question quiz."""
    (root / "modules").mkdir(parents=True)
    (root / "assets").mkdir()
    files = [f"modules/m{i:03d}.yaml" for i in range(modules)]
    course = {
        "id": "https://example.org/courses/scale", "slug": "scale", "title": "Scale course",
        "description": "Generated.", "language": "en", "version": "1.0.0",
        "authors": [{"name": "test"}], "modules": files,
    }
    (root / "course.yaml").write_text(json.dumps(course))  # JSON is YAML
    for i, rel in enumerate(files):
        text_pages = [
            {"id": f"read{k}", "title": f"Read {i}.{k}", "blocks": [{"type": "text", "text": f"Text {k} of module {i}.\n\n- a\n- b\n"}]}
            for k in range(PAGES_PER_MODULE - 2)
        ]
        text_pages[0]["blocks"].append({"type": "text", "text": HOSTILE})
        module = {
            "id": f"m{i:03d}", "title": f"Module {i}", "objectives": ["Learn."], "minutes": 5,
            "pages": text_pages + [
                {"id": "reflect", "title": f"Reflect {i}", "blocks": [{"type": "reflection", "id": f"r{i}", "prompt": f"Why {i}?", "min_chars": 5}]},
                {"id": "quiz", "title": f"Quiz {i}", "blocks": [{"type": "quiz", "id": f"quiz{i}", "questions": [
                    {"id": "q1", "prompt": f"True ({i})?", "type": "true_false", "answer": True},
                    {"id": "q2", "prompt": f"Pick B ({i})", "type": "single_choice", "answer": "b",
                     "choices": [{"id": c, "text": f"Choice {c} ({i})"} for c in "abc"]},
                ]}]},
            ],
        }
        (root / rel).write_text(json.dumps(module))


def build(tmp: Path, pages: int) -> Path:
    course, out = tmp / f"course-{pages}", tmp / f"out-{pages}"
    write_course(course, pages // PAGES_PER_MODULE)
    result = CliRunner().invoke(main, ["build", str(course), "--out", str(out), "--target", "xapi", "--edition", "standard"])
    assert result.exit_code == 0, result.output
    site = tmp / f"site-{pages}"
    zipfile.ZipFile(next(out.glob("*.zip"))).extractall(site)
    return site


@contextlib.contextmanager
def played(pw_browser, site: Path) -> Iterator[Page]:
    """The site's launch page, served on 127.0.0.1 and played standalone, once the player is ready."""
    handler = functools.partial(harness._QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = pw_browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")
        page.wait_for_function("performance.getEntriesByName('coursepack:interactive').length > 0")
        yield page
    finally:
        context.close()
        server.shutdown()


# What is live at start: every element, the forms, the elements inside pages, the pages still inert.
LIVE = """
() => ({
  elements: document.getElementsByTagName("*").length,
  forms: document.forms.length,
  inPages: document.querySelectorAll("[data-cp-view=page] *:not([data-cp-inert])").length,
  inert: document.querySelectorAll("[data-cp-view=page] > noscript[data-cp-inert]").length,
  pages: document.querySelectorAll("[data-cp-view=page]").length,
})
"""


def test_at_start_no_page_is_live_and_a_page_is_live_once_shown(pw_browser, sites):
    live = {}
    for pages, site in sites.items():
        with played(pw_browser, site) as page:
            live[pages] = page.evaluate(LIVE)
            assert live[pages]["pages"] == pages and live[pages]["inert"] == pages, live[pages]
            assert live[pages]["forms"] == 0 and live[pages]["inPages"] == 0, live[pages]
            # a quiz page, once shown: its content is elements, its form wired, focus on its title
            quiz = PAGES_PER_MODULE - 1
            page.click(f'[data-cp-goto="{quiz}"]')
            section = f"#cp-page-{quiz}"
            assert page.locator(f"{section} > noscript").count() == 0
            assert page.evaluate("document.activeElement.id") == f"cp-page-{quiz}-title"
            assert page.locator(f"{section} form[data-cp-quiz-form] fieldset").count() == 2
            assert page.locator(f"{section} [data-cp-quiz-status]").inner_text().startswith("2 questions")
            assert page.evaluate("document.forms.length") == 1
            # the page with the hostile text: shown as typed, nothing of it became an element
            page.click("#cp-menu-button")
            page.click('[data-cp-goto="0"]')
            assert page.locator("#cp-page-0 .cp-text").nth(1).inner_text() == HOSTILE_SHOWN
            assert page.locator("#cp-leak, #cp-leak2").count() == 0
    # per page only its entry in the contents (5 elements, and a fifth of its module's 11), its section
    # and the section's noscript: 9.2 (its own content, live, would add 7 to 39 more: 15 on average)
    per_page = (live[300]["elements"] - live[50]["elements"]) / 250
    assert per_page < 10, live


def turn_costs(pw_browser, site: Path) -> dict[str, list[dict]]:
    """What each kind of turn touched: next-page turns from the middle, and a visit to the menu."""
    with played(pw_browser, site) as page:
        total = page.locator("[data-cp-view=page]").count()
        page.locator(f'[data-cp-goto="{total // 2}"]').click()
        page.evaluate(PROBE)
        turns = []
        for _ in range(PAGES_PER_MODULE * 2):  # every kind of page: text, reflection, quiz (first shown)
            page.click("#cp-next")
            turns.append(page.evaluate(TAKE))
        page.click("#cp-menu-button")
        menu = [page.evaluate(TAKE)]
        page.click("#cp-resume")
        back = [page.evaluate(TAKE)]
        return {"turns": turns, "menu": menu, "back": back}


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[int, Path]:
    tmp = tmp_path_factory.mktemp("scale")
    return {pages: build(tmp, pages) for pages in (50, 300)}


def test_a_page_turn_touches_as_much_at_300_pages_as_at_50(pw_browser, sites):
    small, large = turn_costs(pw_browser, sites[50]), turn_costs(pw_browser, sites[300])
    for kind in ("turns", "menu", "back"):
        for a, b in zip(small[kind], large[kind]):
            # the same turn in both courses: the same elements touched, no document-wide query added
            assert b["touched"] == a["touched"], (kind, small[kind], large[kind])
            assert b["queries"] == a["queries"], (kind, small[kind], large[kind])
    # and bounded outright: the old page, the new page, the navigation, the page's own controls
    assert max(t["touched"] for t in large["turns"]) < 60, large["turns"]
