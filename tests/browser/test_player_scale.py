"""Start-up and a page turn cost the same whatever the number of pages (issue 16).

No timing is asserted (bench/player_scale.py measures it); these tests guard the shapes that make it
fast, on the same generated course at 50 and 300 pages (one xAPI launch page for every page, played
standalone), built with its page markup in page files (as a unit above page.INLINE_PAGES_MAX is):
- the launch page grows by a bounded number of bytes per page (its share of the course data: no section,
  no entry in the contents, the player makes them), its markup makes as many elements at 300 pages as at
  50, and at start only the page file that "Start" shows has been loaded;
- at start no page has a section (nothing to parse, style or lay out per page) and only the contents'
  entries grow with the page count (their lists filled just after the first view); a page's section is
  made and live once shown, and the page after it is made live ahead, unseen, while the learner reads;
- a turn touches a bounded number of elements: a MutationObserver counts the elements a turn changes,
  and the document-wide querySelector(All) calls are counted. A turn that hides every page, rebuilds
  every menu entry or scans the document would grow with the page count;
- the quizzes' questions and answer keys come with their page's file, not in the launch page: a quiz
  answered, the package reopened elsewhere, keeps its answers though its file has not loaded, and its
  answers' xAPI definitions are whole;
- a new learner's contents ship as the player would write them: its start looks up no module's entry;
- before the first view the rules are judged in one pass over the modules: a probe counts the modules the
  start reads from the course data;
- the launch page holds the contents' entries of the first modules only (page.MENU_MODULES_SHIPPED): the
  player builds the others after the first view, as a resumed learner's, in order, shaped as shipped; a
  "what is missing" link to a module not built yet still lands on its page, and printing builds the rest;
- nothing is saved before the first view is drawn (the reflections' first flush, the state's encoding, the
  commit): a probe records when each save came, and what was saved, for a new learner, a resumed one and
  one who clicks in the first frame.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import re
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from coursepack.cli import main
from coursepack.render import page as page_render
from launch_markup import markup_counts

from . import harness
from .course_driver import SETTLED

if TYPE_CHECKING:
    from playwright.sync_api import Page

PAGES_PER_MODULE = 5
PER_PAGE_BYTES = 160  # launch page bytes per page: about 130 (with a bare section per page: 190; with every module's entry in the contents too: 316; with full sections and an entry per page: 680)
# Markdown whose page would end early if "</noscript" reached the launch page unescaped
HOSTILE = "Shown as typed: `</noscript><b id=cp-leak>` and </NOSCRIPT ><i id=cp-leak2>raw</i>"
HOSTILE_SHOWN = "Shown as typed: </noscript><b id=cp-leak> and raw"

# Counts, from now on, the elements changed (attributes, children, text) and the document-wide queries.
PROBE = """
() => {
  window.__touched = new Set();
  window.__queries = 0;
  new MutationObserver((records) => {
    for (const r of records) {
      const el = r.target.nodeType === 1 ? r.target : r.target.parentNode;
      if (el !== document.head) window.__touched.add(el);  // page files load there, ahead of the turns
    }
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


# module 3's quiz (in the second page file at 50 pages) asks every other kind of question too (the saved state's codec reads each kind)
EVERY_KIND = [
    {"id": "q3", "prompt": "Name the format.", "type": "fill_in", "accepted": ["YAML", "yml"]},
    {"id": "q4", "prompt": "Pick x and z.", "type": "multiple_response", "answers": ["x", "z"],
     "choices": [{"id": c, "text": f"Option {c}"} for c in "wxyz"]},
    {"id": "q5", "prompt": "Match them.", "type": "matching",
     "pairs": [{"id": p, "prompt": f"Term {p}", "match": f"Meaning {p}"} for p in ("one", "two", "three")]},
    {"id": "q6", "prompt": "Order them.", "type": "sequencing", "items": [{"id": t, "text": f"Step {t}"} for t in ("first", "second", "third")]},
]
EVERY_KIND_MODULE = 3
EVERY_KIND_PAGE = (EVERY_KIND_MODULE + 1) * PAGES_PER_MODULE - 1


def write_course(root: Path, modules: int) -> None:
    """modules x 5 pages: three text pages, a reflection, a two-question quiz (module 3's: six); a
    certificate edition."""
    (root / "modules").mkdir(parents=True)
    (root / "assets").mkdir()
    files = [f"modules/m{i:03d}.yaml" for i in range(modules)]
    course = {
        "id": "https://example.org/courses/scale", "slug": "scale", "title": "Scale course",
        "description": "Generated.", "language": "en", "version": "1.0.0",
        "authors": [{"name": "test"}], "modules": files,
        "certificate": {"title": "Certificate", "issuer": "Test", "signatory": {"name": "A Signer", "role": "Lead"}},
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
                ] + (EVERY_KIND if i == EVERY_KIND_MODULE else [])}]},
            ],
        }
        (root / rel).write_text(json.dumps(module))


def build(tmp: Path, pages: int, edition: str = "standard") -> Path:
    course, out = tmp / f"course-{pages}-{edition}", tmp / f"out-{pages}-{edition}"
    write_course(course, pages // PAGES_PER_MODULE)
    with pytest.MonkeyPatch.context() as patch:  # every page in page files, at 50 pages as at 300
        patch.setattr(page_render, "INLINE_PAGES_MAX", 0)
        patch.setattr(page_render, "PAGE_FILE_BYTES", 8 * 1024)  # several files at 50 pages; turns cross them
        result = CliRunner().invoke(main, ["build", str(course), "--out", str(out), "--target", "xapi", "--edition", edition])
    assert result.exit_code == 0, result.output
    site = tmp / f"site-{pages}-{edition}"
    zipfile.ZipFile(next(out.glob("*.zip"))).extractall(site)
    return site


# The contents finished: every page list filled, every module's entry built
MENU_FINISHED = "!document.querySelector('#cp-menu [data-cp-pages], #cp-menu [data-cp-modules-from]')"


@contextlib.contextmanager
def played(pw_browser, site: Path, init_script: str | None = None, finished: bool = True) -> Iterator[Page]:
    """The site's launch page, served on 127.0.0.1 and played standalone, once the player is ready (and,
    when finished, once it has finished the contents)."""
    handler = functools.partial(harness._QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = pw_browser.new_context()
    if init_script:
        context.add_init_script(init_script)
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")
        page.wait_for_function("performance.getEntriesByName('coursepack:interactive').length > 0")
        # the contents' page lists, empty at start, and the module entries the launch page leaves out are
        # made soon after (a few per task)
        if finished:
            page.wait_for_function(MENU_FINISHED)
        yield page
    finally:
        context.close()
        server.shutdown()


# What is live at start: every element, the forms, the page sections and the elements inside them, the
# page files loaded.
LIVE = """
() => ({
  elements: document.getElementsByTagName("*").length,
  forms: document.forms.length,
  inPages: document.querySelectorAll("[data-cp-view=page] *").length,
  pages: document.querySelectorAll("[data-cp-view=page]").length,
  sections: [...document.querySelectorAll("section.cp-page")].map((s) => +s.id.slice("cp-page-".length)),
  entries: document.querySelectorAll("#cp-menu a[data-cp-goto]").length,
  files: performance.getEntriesByType("resource").map((e) => new URL(e.name).pathname).filter((p) => p.startsWith("/pages/")),
  runtime: performance.getEntriesByType("resource").map((e) => new URL(e.name).pathname).filter((p) => p.startsWith("/runtime/")),
})
"""


def test_the_launch_page_grows_by_a_bounded_amount_per_page(sites):
    size = {pages: (site / "index.html").stat().st_size for pages, site in sites.items()}
    files = {pages: sorted((site / "pages" / "course").iterdir()) for pages, site in sites.items()}
    # per page: its share of the course data; no section (a bare one: about 60 bytes), no entry of its own
    # in the contents (about 260), nor its module's past the first few (about 130 per page here): the
    # player makes them; its content (1-2 KB here) is in a page file
    per_page = (size[300] - size[50]) / 250
    assert per_page < PER_PAGE_BYTES, size
    assert len(files[300]) > len(files[50]) > 1, files
    # every page's markup is in exactly one file, in order
    first = [int(f.read_text().split("(", 1)[1].split(",", 1)[0]) for f in sorted(files[300], key=lambda f: int(f.stem))]
    assert first[0] == 0 and first == sorted(first) and len(set(first)) == len(first), first


def test_at_start_no_page_is_live_and_a_page_is_live_once_shown(pw_browser, sites):
    live = {}
    for pages, site in sites.items():
        with played(pw_browser, site) as page:
            live[pages] = page.evaluate(LIVE)
            # no section per page: the player makes each as needed
            assert live[pages]["pages"] == 0 and live[pages]["sections"] == [], live[pages]
            assert live[pages]["entries"] == pages, live[pages]  # every page reachable from the contents
            assert live[pages]["forms"] == 0 and live[pages]["inPages"] == 0, live[pages]
            # the runtime in two requests, its style and one script (page.RUNTIME_SCRIPT): the launch page's
            # parse waits for its scripts, and a browser opens at most 6 connections to a host
            assert sorted(live[pages]["runtime"]) == ["/runtime/coursepack.js", "/runtime/player.css"], live[pages]
            # only the file of the page "Start" shows is loaded at start
            page.wait_for_function("performance.getEntriesByType('resource').some((e) => e.name.endsWith('/pages/course/0.js'))")
            assert page.evaluate(LIVE)["files"] == ["/pages/course/0.js"], live[pages]
            # a quiz page, once shown: its content is elements, its form wired, focus on its title
            quiz = PAGES_PER_MODULE - 1
            page.click(f'[data-cp-goto="{quiz}"]')
            section = f"#cp-page-{quiz}"
            page.wait_for_selector(f"{section}:not([hidden])")
            assert page.evaluate("document.activeElement.id") == f"cp-page-{quiz}-title"
            assert page.locator(f"{section} form[data-cp-quiz-form] fieldset").count() == 2
            assert page.locator(f"{section} [data-cp-quiz-status]").inner_text().startswith("2 questions")
            assert page.evaluate("document.forms.length") == 1
            # the next page is made live ahead while this one is read: parsed in, unseen
            ahead = f"#cp-page-{quiz + 1}"
            page.wait_for_selector(f"{ahead}[hidden] .cp-page-title", state="attached")
            assert page.evaluate("document.activeElement.id") == f"cp-page-{quiz}-title"
            assert not page.locator(f"{ahead} .cp-page-title").is_visible()
            # sections made for these two pages only, in course order, before the views that follow the pages
            assert page.evaluate(LIVE)["sections"] == [quiz, quiz + 1]
            assert page.evaluate(f"document.getElementById('cp-page-{quiz + 1}').nextElementSibling.id") == "cp-complete"
            # the page with the hostile text: shown as typed, nothing of it became an element
            page.click("#cp-menu-button")
            page.click('[data-cp-goto="0"]')
            assert page.locator("#cp-page-0 .cp-text").nth(1).inner_text() == HOSTILE_SHOWN
            assert page.locator("#cp-leak, #cp-leak2").count() == 0
            made = page.evaluate(LIVE)["sections"]
            assert made == sorted(made) and made[0] == 0 and quiz in made, made  # still in course order
            # the contents' lists went live after the menu was first shown: their seen marks still follow
            page.click("#cp-menu-button")
            shown = "[...document.querySelectorAll('[data-cp-seen]')].filter((e) => !e.hidden).map((e) => +e.dataset.cpSeen)"
            assert page.evaluate(shown) == [0, quiz]
            if pages == 50:
                assert_busy_while_a_page_file_loads(page, pages - 1)
    # per page only its entry in the contents (4 elements, and a fifth of its module's 11): 7.2 (a bare
    # section would add 1; its own content, live, 7 to 39 more: 15 on average)
    per_page = (live[300]["elements"] - live[50]["elements"]) / 250
    assert per_page < 8, live


def assert_busy_while_a_page_file_loads(page: Page, last: int) -> None:
    """Going to a page whose file is not in yet: the main region is busy until the page is shown."""
    held: list = []
    page.route("**/pages/course/*.js", lambda route: held.append(route))  # the file's request waits here
    page.click(f'#cp-menu [data-cp-goto="{last}"]')  # from the contents, shown
    page.wait_for_function(f"!({SETTLED})()")
    while not held:
        page.wait_for_timeout(10)
    assert page.locator(f"#cp-page-{last}").is_hidden() and page.locator("#cp-menu").is_visible()
    for route in held:
        route.continue_()
    page.unroute("**/pages/course/*.js")
    page.wait_for_selector(f"#cp-page-{last}:not([hidden])")
    assert page.evaluate(SETTLED) is True
    assert page.evaluate("document.activeElement.id") == f"cp-page-{last}-title"


SHOWN_AND_NEXT_AHEAD = """
(i) => {
  const shown = document.getElementById("cp-page-" + i), next = document.getElementById("cp-page-" + (i + 1));
  return shown && !shown.hidden && next && next.firstElementChild;
}
"""


def turn_costs(pw_browser, site: Path) -> dict[str, list[dict]]:
    """What each kind of turn touched: next-page turns from the middle, and a visit to the menu."""
    with played(pw_browser, site) as page:
        total = page.locator("[data-cp-view=page]").count()
        page.locator(f'[data-cp-goto="{total // 2}"]').click()
        page.wait_for_selector(f"#cp-page-{total // 2}:not([hidden])")
        page.evaluate(PROBE)
        turns = []
        for n in range(PAGES_PER_MODULE * 2):  # every kind of page: text, reflection, quiz (first shown)
            page.click("#cp-next")
            # shown (at once when its file is in, else once it loads), and the page after it made live
            # ahead (in an idle moment: waited for, so each turn counts the same work); getElementById
            # is not counted
            page.wait_for_function(SHOWN_AND_NEXT_AHEAD, arg=total // 2 + n + 1)
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


def test_seen_marks_are_right_in_lists_made_live_after_a_resume(pw_browser, sites):
    far = 283
    with played(pw_browser, sites[300]) as page:
        page.click('[data-cp-goto="0"]')
        page.wait_for_selector("#cp-page-0:not([hidden])")
        page.click("#cp-menu-button")
        # clicked as the element, not at its place: scrolled to, the modules above it (skipped until
        # near the screen, content-visibility) take their real height and move it under the pointer
        page.wait_for_selector(f'[data-cp-goto="{far}"]', state="attached")
        page.eval_on_selector(f'[data-cp-goto="{far}"]', "(link) => link.click()")
        page.wait_for_selector(f"#cp-page-{far}:not([hidden])")
        page.reload()  # standalone: the progress kept in this browser; back on the page left
        page.wait_for_selector(f"#cp-page-{far}:not([hidden])")
        starts = [int(n) for n in page.get_attribute("#cp-main", "data-cp-page-chunks").split()]
        resume_file = f"/pages/course/{sum(1 for s in starts if s <= far) - 1}.js"
        assert page.evaluate(LIVE)["files"][0] == resume_file  # the resume page's file first
        page.click("#cp-menu-button")
        page.wait_for_function(MENU_FINISHED)
        seen = page.evaluate("[...document.querySelectorAll('[data-cp-seen]')].filter((e) => !e.hidden).map((e) => +e.dataset.cpSeen)")
        assert seen == [0, far]


def test_axe_clean_with_page_files(pw_browser, sites):
    """The contents (lists made live after start, whole modules skipped off screen) and a quiz page
    parsed in from its file: axe-core finds nothing."""
    with played(pw_browser, sites[50]) as page:
        found = harness.run_axe(page, exclude=("section[data-cp-view][hidden]",))
        assert found == [], harness.format_axe(found)
        page.click(f'[data-cp-goto="{PAGES_PER_MODULE - 1}"]')
        page.wait_for_selector(f"#cp-page-{PAGES_PER_MODULE - 1}:not([hidden])")
        found = harness.run_axe(page, exclude=("section[data-cp-view][hidden]",))
        assert found == [], harness.format_axe(found)


def test_the_launch_page_holds_no_question_and_no_key(sites):
    """A quiz's questions and keys are in its page's file; the course data keeps what start-up reads."""
    site = sites[300]
    launch = (site / "index.html").read_text()
    data = json.loads(launch.split('id="coursepack-data">', 1)[1].split("</script>", 1)[0])
    assert all("questions" not in q for q in data["quizzes"]), data["quizzes"][0]
    assert [q["shape"] for q in data["quizzes"][:5]] == ["tc3", "tc3", "tc3", "tc3fm4p3s3", "tc3"] and data["quizzes"][3]["points"] == 6
    for text in ("True (7)?", "Choice b (7)", "Option x", "YAML", '"answer"', '"accepted"'):
        assert text not in launch, text
    held = "".join(f.read_text() for f in (site / "pages" / "course").iterdir())
    assert '"answer":true' in held and '"accepted":["YAML","yml"]' in held


# The player's course data and, at each answer, the xAPI activity its statement would carry (statements.js),
# caught as the player hands them to tracking.js
CATCH_DATA = """
(() => {
  let real;
  const cp = (window.Coursepack = window.Coursepack || {});
  Object.defineProperty(cp, "createTracking", { configurable: true, set(f) { real = f; }, get() {
    return real && function (data) {
      window.__data = data;
      window.__answers = [];
      const tracking = real(data), answered = tracking.answered;
      tracking.answered = (ix) => { window.__answers.push(new cp.statements.Activities(data).questionActivity(ix)); answered(ix); };
      return tracking;
    };
  } });
})();
"""
STORED_STATE = "Object.keys(localStorage).map((k) => JSON.parse(localStorage.getItem(k)).state)[0]"
# what a quiz shows: the answers in its controls, its result line
QUIZ_SHOWN = """
(section) => {
  const s = document.querySelector(section);
  return {
    checked: [...s.querySelectorAll("input:checked")].map((x) => x.name + "=" + x.value),
    fill: s.querySelector("input[type=text]").value,
    selects: [...s.querySelectorAll("select")].map((x) => x.value),
    order: [...s.querySelectorAll("[data-cp-item]")].map((x) => x.dataset.cpItemIndex),
    result: s.querySelector("[data-cp-quiz-result]").textContent,
  };
}
"""


# module 3's quiz answered in one go: true, b, "yaml" (its key: "YAML"), x and z, each pair to its match
ANSWER = """
(section) => {
  const s = document.querySelector(section), q = (id) => s.querySelector(`[data-cp-question=${id}]`);
  q("q1").querySelector("input[value=true]").checked = true;
  q("q2").querySelector("input[value='1']").checked = true;
  q("q3").querySelector("input").value = "yaml";
  for (const i of ["1", "3"]) q("q4").querySelector(`input[value='${i}']`).checked = true;
  q("q5").querySelectorAll("select").forEach((select, n) => { select.value = ["one", "two", "three"][n]; });
}
"""


def go_to(page: Page, i: int) -> None:
    """Page i, from its entry in the contents (shown or not: the player listens on the document)."""
    page.eval_on_selector(f'[data-cp-goto="{i}"]', "(link) => link.click()")
    page.wait_for_selector(f"#cp-page-{i}:not([hidden])")


def test_a_quiz_resumes_before_its_page_file_has_loaded(pw_browser, sites):
    """Answered, then the learner goes far off and the package is reopened there: the saved state is read
    and written again without the quiz's questions (its file not loaded), and the quiz, once visited,
    shows the answers given; each answer's xAPI definition was whole (its keys arrived with the page)."""
    quiz, far, section = EVERY_KIND_PAGE, 49, f"#cp-page-{EVERY_KIND_PAGE}"
    with played(pw_browser, sites[50], CATCH_DATA) as page:
        assert page.evaluate(f"window.__data.quizzes[{EVERY_KIND_MODULE}].questions") is None  # its page not shown yet
        go_to(page, quiz)
        page.evaluate(ANSWER, section)
        page.click(f"{section} [data-cp-action=submit]")
        answered = page.evaluate(QUIZ_SHOWN, section)
        assert answered["result"] and len(answered["checked"]) == 4, answered
        saved = page.evaluate(STORED_STATE)
        # the statements' definitions: keys and choices as statements.js makes them
        defs = {a["activity"]["id"].rsplit("/", 1)[1]: a["activity"]["definition"] for a in page.evaluate("window.__answers")}
        assert defs["q2"]["correctResponsesPattern"] == ["b"] and [c["id"] for c in defs["q2"]["choices"]] == list("abc")
        assert defs["q2"]["choices"][1]["description"] == {"en": "Choice b (3)"}
        assert defs["q3"]["correctResponsesPattern"] == ["{case_matters=false}YAML", "{case_matters=false}yml"]
        assert defs["q4"]["correctResponsesPattern"] == ["x[,]z"] and defs["q1"]["correctResponsesPattern"] == ["true"]
        page.click("#cp-menu-button")
        progress = page.inner_text(f'[data-cp-module-percent="{EVERY_KIND_MODULE}"]')  # the quiz counts in its module's progress
        go_to(page, far)
        page.reload()  # back on the far page; the quiz's file not loaded
        page.wait_for_selector(f"#cp-page-{far}:not([hidden])")
        starts = [int(n) for n in page.get_attribute("#cp-main", "data-cp-page-chunks").split()]
        quiz_file = f"/pages/course/{sum(1 for s in starts if s <= quiz) - 1}.js"
        assert quiz_file not in page.evaluate(LIVE)["files"]
        assert page.evaluate(f"window.__data.quizzes[{EVERY_KIND_MODULE}].questions") is None
        # written again at the resume's turn, from the answer shape alone: the same quiz records (the pages
        # seen, before them, have grown)
        page.click("#cp-prev")
        page.wait_for_selector(f"#cp-page-{far - 1}:not([hidden])")
        again = page.evaluate(STORED_STATE)
        assert again != saved and again.split("|")[2:] == saved.split("|")[2:] and saved.split("|")[3 + EVERY_KIND_MODULE]
        assert quiz_file not in page.evaluate(LIVE)["files"]
        # the quiz's progress counts in the contents before its page is seen again
        page.click("#cp-menu-button")
        assert page.inner_text(f'[data-cp-module-percent="{EVERY_KIND_MODULE}"]') == progress
        go_to(page, quiz)
        page.wait_for_selector(f"{section} [data-cp-quiz-result]:not(:empty)")
        restored = page.evaluate(QUIZ_SHOWN, section)
        assert restored == answered | {"fill": "YAML"}  # a right fill-in is kept as the answer it matched


# Counts the lookups of the contents' module entries (progress, marks, bars) from the page's first script on
COUNT_MODULE_LOOKUPS = """
(() => {
  window.__moduleLookups = 0;
  const original = Element.prototype.querySelectorAll;
  Element.prototype.querySelectorAll = function (selector) {
    if (String(selector).includes("data-cp-module-")) window.__moduleLookups++;
    return original.call(this, selector);
  };
})();
"""


def test_a_new_learner_s_contents_are_not_rewritten_at_start(pw_browser, sites):
    """The launch page ships each module's entry as a new learner's: the player's first update looks up
    and writes none of them (at 2,500 pages: 833 modules' texts, marks and bars), and writes a module's
    entry once its values change."""
    with played(pw_browser, sites[50], COUNT_MODULE_LOOKUPS) as page:
        assert page.evaluate("window.__moduleLookups") == 0
        assert page.inner_text('[data-cp-module-progress="0"]') == "0 of 5 pages seen"
        page.click('[data-cp-goto="0"]')
        page.wait_for_selector("#cp-page-0:not([hidden])")
        page.click("#cp-menu-button")
        # one page of five seen; a reflection and a quiz to go: 1 of 7
        assert page.inner_text('[data-cp-module-progress="0"]') == "1 of 5 pages seen"
        assert page.inner_text('[data-cp-module-percent="0"]') == "14%"
        assert page.evaluate("document.querySelector('[data-cp-module-bar=\"0\"]').value") == 14
        assert page.inner_text('[data-cp-module-percent="1"]') == "0%"


# Counts, until the player marks itself ready, the reads of a module from the course data's module list
# (data.modules[i], by index or by an array method), the list wrapped as the player parses the data
COUNT_MODULE_READS = """
(() => {
  window.__moduleReads = 0;
  let ready = false;
  const mark = performance.mark;
  performance.mark = function (name) {
    if (name === "coursepack:interactive") ready = true;
    return mark.apply(this, arguments);
  };
  const parse = JSON.parse;
  JSON.parse = function () {
    const data = parse.apply(this, arguments);
    if (data && Array.isArray(data.modules) && Array.isArray(data.pages)) {
      data.modules = new Proxy(data.modules, {
        get(target, key, receiver) {
          if (!ready && typeof key === "string" && /^[0-9]+$/.test(key)) window.__moduleReads++;
          return Reflect.get(target, key, receiver);
        },
      });
    }
    return data;
  };
})();
"""


def test_the_start_judges_each_module_once(pw_browser, sites):
    """Before its first view the player judges the rules in one pass over the modules (completion, the
    score, the checklist and the course's progress from the same pass), besides the contents' shipped
    entries (page.MENU_MODULES_SHIPPED) it writes: a pass per rule, at 2,500 pages, walked 833 modules
    five times on cold code."""
    with played(pw_browser, sites[300], COUNT_MODULE_READS, finished=False) as page:
        reads = page.evaluate("window.__moduleReads")
        modules = 300 // PAGES_PER_MODULE
        # the pass, then each shipped entry's values (its pages seen, its progress: two reads)
        assert modules <= reads <= modules + 2 * page_render.MENU_MODULES_SHIPPED, reads
        assert page.inner_text("[data-cp-course-percent]") == "0%"
        assert page.inner_text("[data-cp-overall]").startswith("0 of 60 modules complete"), page.inner_text("[data-cp-overall]")


def test_the_launch_page_s_markup_does_not_grow_with_the_course(sites):
    """Its markup makes the same elements at 300 pages as at 50 (only its course data and its list of page
    files grow): no section, no entry of the contents per page or past the first modules."""
    counts, markup = {}, {}
    for pages, site in sites.items():
        launch = (site / "index.html").read_text()
        data = launch.split('id="coursepack-data">', 1)[1].split("</script>", 1)[0]
        chunks = re.search(r'data-cp-page-chunks="([^"]*)"', launch).group(1)
        counts[pages], markup[pages] = markup_counts(launch)[0], len(launch) - len(data) - len(chunks)
    assert counts[300] == counts[50], counts
    assert abs(markup[300] - markup[50]) < 100, markup  # module numbers in the shipped entries aside


def test_the_launch_page_ships_the_first_modules_entries_only(sites):
    """The contents' entries a first view shows (page.MENU_MODULES_SHIPPED modules), whatever the number of
    modules: the player builds the others."""
    shipped = page_render.MENU_MODULES_SHIPPED
    for pages, site in sites.items():
        launch = (site / "index.html").read_text()
        assert re.findall(r'<li class="cp-module" data-cp-module="(\w+)"', launch) == [f"m{i:03d}" for i in range(shipped)], pages
        assert f'<ol class="cp-modules" data-cp-modules-from="{shipped}">' in launch


# Zero-delay timers (the player's work after the first view: the contents finished, restored pages wired)
# held until window.__release()
HOLD_TIMERS = """
(() => {
  const held = [], real = window.setTimeout;
  window.__holding = true;
  window.setTimeout = function (fn, delay, ...args) {
    if (window.__holding && !delay) { held.push(() => fn(...args)); return 0; }
    return real.call(window, fn, delay, ...args);
  };
  window.__release = () => { window.__holding = false; held.splice(0).forEach((f) => real.call(window, f, 0)); };
})();
"""
ENTRIES = "[...document.querySelectorAll('#cp-menu .cp-modules > li')].map((li) => li.dataset.cpModule)"
LINKS = "[...document.querySelectorAll('#cp-menu a[data-cp-goto]')].map((a) => a.dataset.cpGoto)"
# An entry's shape: tags, attributes and texts, numbers left out (an entry the player builds is as shipped)
ENTRY_SHAPE = """
(i) => {
  const shape = (n) => n.nodeType === 3 ? n.data.trim() && n.data.replace(/\\d+/g, "#")
    : "<" + [n.tagName, ...[...n.attributes].map((a) => a.name + "=" + a.value.replace(/\\d+/g, "#")).sort()].join(" ") + ">"
      + [...n.childNodes].map(shape).join("") + "</>";
  return shape(document.querySelectorAll("#cp-menu .cp-modules > li")[i]);
}
"""


def entry_text(page: Page, kind: str, module: int) -> str:
    """An entry's text as written (innerText reads "" in a module skipped off screen)."""
    return page.evaluate(f"document.querySelector('[data-cp-module-{kind}=\"{module}\"]').textContent")


def test_a_resumed_learner_s_module_entries_are_built_after_the_first_view(pw_browser, sites):
    """Reopened on a page of module 9 (of 10): at the first view the contents hold the launch page's
    entries only; then every module's entry is built, in order, its links in course order, module 9's with
    this learner's progress, each shaped as launch.html writes one."""
    module = 9
    first = module * PAGES_PER_MODULE
    shipped = [f"m{i:03d}" for i in range(page_render.MENU_MODULES_SHIPPED)]
    with played(pw_browser, sites[50], HOLD_TIMERS, finished=False) as page:
        assert page.evaluate(ENTRIES) == shipped
        page.evaluate("window.__release()")
        page.wait_for_function(MENU_FINISHED)
        go_to(page, first)
        go_to(page, first + 1)
        page.reload()  # resumed on first + 1, zero-delay timers held again
        page.wait_for_selector(f"#cp-page-{first + 1}:not([hidden])")
        assert page.evaluate(ENTRIES) == shipped
        page.click("#cp-menu-button")  # the contents shown (and written) before the rest is built
        page.evaluate("window.__release()")
        page.wait_for_function(MENU_FINISHED)
        assert page.evaluate(ENTRIES) == [f"m{i:03d}" for i in range(10)]
        assert page.evaluate(LINKS) == [str(i) for i in range(50)]
        # two of its five pages seen; a reflection and a quiz to go: 2 of 7
        assert entry_text(page, "progress", module) == "2 of 5 pages seen"
        assert entry_text(page, "percent", module) == "28%"
        assert page.evaluate(f"document.querySelector('[data-cp-module-bar=\"{module}\"]').value") == 28
        assert page.is_hidden(f'[data-cp-module-done="{module}"]') and page.is_hidden(f'[data-cp-module-blocked="{module}"]')
        assert entry_text(page, "progress", module - 1) == "0 of 5 pages seen"
        shown = "[...document.querySelectorAll('[data-cp-seen]')].filter((e) => !e.hidden).map((e) => +e.dataset.cpSeen)"
        assert page.evaluate(shown) == [first, first + 1]
        # a shipped entry and a built one, both untouched: the same shape
        assert page.evaluate(ENTRY_SHAPE, module - 1) == page.evaluate(ENTRY_SHAPE, 1)


@pytest.fixture(scope="module")
def certificate_site(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("scale-certificate"), 50, "certificate")


def test_a_missing_link_to_a_module_not_built_yet_lands_on_its_page(pw_browser, certificate_site):
    """The certificate's "what is missing" links jump to pages: one to a module whose entry in the contents
    is not built yet shows its page, focused. Printing builds every entry at once, the certificate's last."""
    target = 9 * PAGES_PER_MODULE  # module 9's first page (the launch page ships modules 0 to 7)
    with played(pw_browser, certificate_site, HOLD_TIMERS, finished=False) as page:
        assert page.locator('#cp-menu [data-cp-module="m009"]').count() == 0
        page.click('#cp-menu [data-cp-goto="certificate"]')
        page.wait_for_selector("#cp-certificate:not([hidden])")
        link = page.locator(f'[data-cp-cert-missing] a[data-cp-goto="{target}"]')
        assert "Module 9" in link.inner_text()
        link.click()
        page.wait_for_selector(f"#cp-page-{target}:not([hidden])")
        assert page.evaluate("document.activeElement.id") == f"cp-page-{target}-title"
        assert not page.evaluate(MENU_FINISHED)
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")  # as the browser does before printing
        assert page.evaluate(MENU_FINISHED)
        assert page.evaluate(ENTRIES) == [f"m{i:03d}" for i in range(10)] + ["certificate"]
        assert page.evaluate(LINKS) == [str(i) for i in range(50)] + ["certificate"]


# Records, from the start, each save (a write to localStorage, the saved state's encoding) with when it came:
# before the player's "interactive" mark, between the mark and its first frame, or after that frame. A test
# may also click "Start" in that frame, before the player's own task after it (window.__clickAtFrame).
SAVES_PROBE = """
(() => {
  window.__saves = [];
  let phase = "before the mark";
  const mark = performance.mark;
  performance.mark = function (name) {
    if (name === "coursepack:interactive" && phase === "before the mark") {
      phase = "before the first frame";
      requestAnimationFrame(() => {
        phase = "after the first frame";
        if (window.__clickAtFrame) document.getElementById("cp-start").click();
      });
    }
    return mark.apply(this, arguments);
  };
  const setItem = Storage.prototype.setItem;
  Storage.prototype.setItem = function () {
    window.__saves.push("write " + phase);
    return setItem.apply(this, arguments);
  };
  let cp;  // window.Coursepack: its codec wrapped as the runtime defines it
  Object.defineProperty(window, "Coursepack", {
    configurable: true,
    get: () => cp,
    set: (value) => {
      cp = value;
      let codec;
      Object.defineProperty(cp, "codec", {
        configurable: true,
        get: () => codec,
        set: (c) => {
          const encode = c.encode;
          c.encode = function () { window.__saves.push("encode " + phase); return encode.apply(this, arguments); };
          codec = c;
        },
      });
    },
  });
})();
"""
# The learner's record in localStorage (standalone play): where they are and the pages their state has seen
SAVED = """
() => {
  const key = Object.keys(localStorage).find((k) => k.startsWith("coursepack:"));
  if (!key) return null;
  const record = JSON.parse(localStorage.getItem(key));
  const data = JSON.parse(document.getElementById("coursepack-data").textContent);
  const state = window.Coursepack.codec.decode(record.state, data);
  return { location: record.location, seen: state ? state.pages.map((s, i) => s ? i : -1).filter((i) => i >= 0) : null,
           first: data.pages[0].key, fifth: data.pages[4].key };
}
"""


def test_nothing_is_saved_before_the_first_view_is_drawn(pw_browser, sites):
    """The start draws its first view before it saves: the reflections' first flush (every one, at start),
    the saved state's encoding (2,500 pages and 833 quizzes at the largest size) and the commit (here a
    write to localStorage; an LMS's API call in a SCO) run in the task after the first frame, and save what
    they did before, for a new learner and a resumed one. A learner who acts first (a click in that frame)
    has the start's save made first, then the click's."""
    handler = functools.partial(harness._QuietHandler, directory=str(sites[50]))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
    saved_after_frame = "window.__saves.some((s) => s.startsWith('write'))"
    try:
        context = pw_browser.new_context()
        context.add_init_script(SAVES_PROBE)
        page = context.new_page()
        page.goto(url)
        page.wait_for_function(saved_after_frame)
        assert set(page.evaluate("window.__saves")) == {"encode after the first frame", "write after the first frame"}
        saved = page.evaluate(SAVED)
        assert saved["seen"] == [] and saved["location"] == "", saved  # a new learner's start, saved
        go_to(page, 4)
        page.reload()  # resumed on page 4
        page.wait_for_selector("#cp-page-4:not([hidden])")
        page.wait_for_function(saved_after_frame)
        assert set(page.evaluate("window.__saves")) == {"encode after the first frame", "write after the first frame"}
        assert page.is_visible("[data-cp-welcome]")
        saved = page.evaluate(SAVED)
        assert saved["location"] == saved["fifth"] and 4 in saved["seen"], saved
        context.close()

        context = pw_browser.new_context()  # a new learner who clicks "Start" in the first frame
        context.add_init_script("window.__clickAtFrame = true;" + SAVES_PROBE)
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector("#cp-page-0:not([hidden])")
        page.wait_for_function(saved_after_frame)
        saved = page.evaluate(SAVED)
        assert saved["location"] == saved["first"] and saved["seen"] == [0], saved
        context.close()
    finally:
        server.shutdown()
