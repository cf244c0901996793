"""Issue 13 (Tests): what `coursepack report` says about learners who played the real certificate-edition
packages in chromium against the real LRS (Ralph, the session `lrs` fixture), and its HTML page checked in
the same chromium.

One LRS, emptied first so that the counts are exact; each learner in a browser context of its own, with an
Agent of its own, so each is a row of its own:

* Fay (xAPI) plays the first module and fails its quiz twice (a higher score, then a lower one, both under
  the pass mark); the other modules she did in an earlier session, whose statements are generated (all
  passed). The earlier, better attempt is her best (not the latest), the quiz the one rule still open:
  completed, not eligible.
* Sam (xAPI) likewise, with the first reflection one character under the certificate's minimum (long
  enough for completion): the reflection is the one rule still open.
* Nina (xAPI) and Carl (cmi5, the first module's AU) leave after a few pages: in progress, every rule open.
* Eve's statements are all generated (what the xAPI package sends for a learner who did everything):
  eligible. The eligible learner who plays every page in the browser is test_xapi_cmi5.py's Ada.

Playing only the module where the behaviour under test happens keeps this test cheap: every page of the
course costs a few browser round trips, and a full run is already played by test_xapi_cmi5.py.

Then `report sync`, the JSON report per learner, and `report show --format html` opened in chromium: axe-core
at WCAG 2.1 AA, the counts per status, and the table sorted and filtered with the keyboard only.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from coursepack.cli import main
from coursepack.report.rules import STATUSES  # lowest first
from lrs.cmi5_lms import Cmi5Lms, xapi_launch_query
from test_report_lrs import play as generated_play
from test_report_lrs import post

from . import course_driver as drv
from . import harness
from .test_xapi_cmi5 import (
    ADL,
    assert_valid,
    cmi5_package,
    ended,
    install,
    open_page,
    report_rows,
    verbs,
    wait_for,
)

pytestmark = pytest.mark.browser

FAY = {"objectType": "Agent", "name": "Fay Retake", "mbox": "mailto:fay@example.org"}
SAM = {"objectType": "Agent", "name": "Sam Brief", "mbox": "mailto:sam@example.org"}
NINA = {"objectType": "Agent", "name": "Nina Leftearly", "mbox": "mailto:nina@example.org"}
CARL = {"objectType": "Agent", "name": "Carl Cmi5", "account": {"homePage": "https://lms.example.org", "name": "carl"}}
EVE = {"objectType": "Agent", "name": "Eve Generated", "mbox": "mailto:eve@example.org"}
PAGES_BEFORE_LEAVING = 3


# ---- what each learner does ---------------------------------------------------------------------------


def failing_tries(quiz: drv.QuizKey, mark: float) -> list[set[str]]:
    """Two attempts under the pass mark, the second worse (so the best is not the latest): the ids of the
    questions answered wrong in each (the first k questions)."""
    ids = [q.id for q in quiz.questions]
    fewest = next(k for k in range(len(ids) + 1) if quiz_percent(quiz, set(ids[:k])) < mark)
    assert fewest < len(ids), f"{quiz.id} cannot be failed twice with different scores"
    return [set(ids[:fewest]), set(ids[: fewest + 1])]


def quiz_percent(quiz: drv.QuizKey, wrong: set[str]) -> float:
    """The score the player gives when the questions in ``wrong`` are wrong: points earned of points."""
    return 100 * sum(q.points for q in quiz.questions if q.id not in wrong) / quiz.total_points


def play_pages(page, course: drv.CourseKey, count: int, *, tries: dict[str, list[set[str]]] | None = None,
               chars: dict[str, int] | None = None) -> None:
    """The first ``count`` pages, Next between them: each reflection written (``chars``: its length, else
    a full answer), each quiz answered (``tries``: the wrong question ids per attempt, else all right).
    Without Playwright's actionability waits, as test_example_course.play_pages (drv: force=True)."""
    tries, chars = tries or {}, chars or {}
    for key in course.pages[:count]:
        if key.index:
            drv.next_page(page, force=True)
        drv.wait_for_images(page, key.index)
        for reflection in course.reflections_on(key.index):
            text = drv.reflection_text(reflection.id)
            drv.write_reflection(page, reflection, drv.exactly(text, chars[reflection.id]) if reflection.id in chars else text,
                                 force=True)
        for quiz in course.quizzes_on(key.index):
            for attempt, wrong in enumerate(tries.get(quiz.id, [set()])):
                if attempt:
                    page.click(f"{drv.quiz_sel(quiz)} [data-cp-action=retry]", force=True)
                drv.answer_quiz(page, quiz, right=wrong, force=True)


def xapi_learner(pw_browser, lrs, base: str, course_id: str, actor: dict, play) -> list[dict]:
    """One learner in a context of its own: launch, Start, ``play(page)``, Exit. The registration's
    statements once terminated arrived, checked against the xAPI rules."""
    context, page, warnings = open_page(pw_browser)
    registration = str(uuid.uuid4())
    page.goto(base + "index.html?" + xapi_launch_query(lrs, actor, registration, course_id))
    page.wait_for_selector("#cp-menu:not([hidden])")
    page.click("#cp-start")
    play(page)
    page.click("#cp-exit")
    sent = wait_for(lambda: (lambda s: s if s and verbs(s)[-1] == "terminated" else None)(lrs.statements(registration=registration)),
                    timeout=20, what=f"terminated from {actor['name']}")
    assert_valid(sent)
    assert list(warnings) == [], actor["name"]
    context.close()
    return sent


def cmi5_learner_leaving(pw_browser, lrs, lms_server, package: Path, actor: dict) -> list[dict]:
    """The first module's AU launched by the LMS, left with Exit after a few pages."""
    base, structure = cmi5_package(lms_server, package, "c")
    context, page, warnings = open_page(pw_browser)
    with Cmi5Lms(lrs, structure, base) as lms:
        launch = lms.launch(structure.aus[0].id, actor)
        page.goto(launch.url)
        page.wait_for_selector("#cp-menu:not([hidden])")
        page.click("#cp-start")
        for _ in range(PAGES_BEFORE_LEAVING - 1):
            drv.next_page(page)
        page.click("#cp-exit")
        page.wait_for_url(launch.return_url + "*")
        sent = ended(lrs, launch.registration)
    assert_valid(sent)
    assert list(warnings) == []
    context.close()
    return sent


def earlier_session(actor: dict, modules: list[str]) -> list[dict]:
    """Generated: what the xAPI package sends for ``modules`` done right (quizzes 100 %, reflections of
    150 characters), a day ago, left with suspended (the course not finished in that session)."""
    return generated_play(actor, datetime.now(timezone.utc) - timedelta(days=1), modules=modules,
                          quiz={m: [1.0] for m in modules}, chars=150, finish=False)


# ---- the report ---------------------------------------------------------------------------------------


def open_rules(row: dict) -> list[tuple[str, str, float | None, float | None]]:
    return [(o["rule"], o["item"], o["value"], o["needed"]) for o in row["open_rules"]]


def everything_open(course: drv.CourseKey, mark: float) -> set[tuple]:
    """The open rules of a learner who completed no module, took no quiz and answered no reflection."""
    return ({("module", m.id, None, None) for m in course.modules}
            | {("quiz", q.id, None, mark) for q in course.quizzes}
            | {("reflection", r.id, 0, course.reflection_min(r, "certificate")) for r in course.reflections})


def html_report(db: Path, out: Path) -> None:
    shown = CliRunner().invoke(main, ["report", "show", "--format", "html", "--out", str(out), "--db", str(db), str(drv.REPO)])
    assert shown.exit_code == 0, shown.output
    assert out.is_file()


def status_counts(page) -> dict[str, int]:
    """The "Learners per status" chart as the page shows it: {status: learners}."""
    return page.evaluate("""() => {
      const table = [...document.querySelectorAll('table')].find(t => t.caption && t.caption.textContent.trim() === 'Learners per status');
      return Object.fromEntries([...table.tBodies[0].rows].map(r => [r.cells[0].textContent.trim(), +r.cells[1].textContent.trim()]));
    }""")


def shown_statuses(page) -> list[str]:
    """The status of each row shown, top to bottom."""
    return page.eval_on_selector_all("#learners tbody tr:not([hidden])", "rows => rows.map(r => r.dataset.status)")


def open_rules_cell(page, name: str) -> str:
    return page.evaluate("""(name) => {
      const heads = [...document.querySelectorAll('#learners thead th')].map(th => th.textContent.trim());
      const row = [...document.querySelectorAll('#learners tbody tr')].find(r => r.cells[0].textContent === name);
      return row.cells[heads.indexOf('Open rules')].textContent;
    }""", name)


def column_button(page, title: str) -> str:
    index = page.evaluate("(t) => [...document.querySelectorAll('#learners thead th')].findIndex(th => th.textContent.trim() === t)", title)
    assert index >= 0, f"no column {title!r}"
    return f"#learners thead th:nth-child({index + 1}) button"


def wait_shown(page, text: str) -> None:
    """The live region's count, once the filter ran (on each input or change event)."""
    from playwright.sync_api import expect  # here: without playwright the browser tests skip (conftest.py)

    expect(page.locator("#shown")).to_have_text(text)


def check_html_page(pw_browser, html: Path, statuses: dict[str, str], named: dict[str, str]) -> None:
    """axe-core at WCAG 2.1 AA, the counts per status, each open rule named (``named``: learner -> text its
    Open rules cell holds), and the table sorted and filtered with Tab, Enter, Space, arrows and typing
    only. ``statuses``: learner name -> status, every learner of the report."""
    context = pw_browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = harness.ConsoleErrors().attach(page)
    page.goto(html.as_uri())
    page.wait_for_selector("#controls:not([hidden])")
    violations = harness.run_axe(page)
    assert violations == [], harness.format_axe(violations)

    expected, total = Counter(statuses.values()), len(statuses)
    assert status_counts(page) == {s: expected[s] for s in STATUSES}
    assert page.text_content("#shown") == f"{total} of {total} learners shown"
    for name, text in named.items():
        assert text in open_rules_cell(page, name), name

    keys = drv.Keyboard(page, page.main_frame, max_presses=40)
    rank = {s: i for i, s in enumerate(STATUSES)}
    button = column_button(page, "Status")
    header = button.removesuffix(" button")
    keys.activate(button, "Enter")
    assert page.get_attribute(header, "aria-sort") == "ascending"
    assert shown_statuses(page) == sorted(statuses.values(), key=rank.__getitem__)
    keys.press("Space")  # focus stays on the button: pressed again, it sorts the other way
    assert keys.focused_is(button) and page.get_attribute(header, "aria-sort") == "descending"
    assert shown_statuses(page) == sorted(statuses.values(), key=rank.__getitem__, reverse=True)
    assert page.eval_on_selector_all("#learners thead th[aria-sort]", "ths => ths.length") == 1

    # the text filter (Shift+Tab back to it), then each status in the status filter (arrow keys)
    keys.tab_to("#filter-text", backwards=True)
    name = next(n for n, s in statuses.items() if s == "in progress")
    keys.type(name.split()[0].lower())
    wait_shown(page, f"1 of {total} learners shown")
    assert shown_statuses(page) == [statuses[name]]
    keys.press("Control+A")
    keys.press("Backspace")
    wait_shown(page, f"{total} of {total} learners shown")
    for status in STATUSES:
        keys.choose_option("#filter-status", status)
        wait_shown(page, f"{expected[status]} of {total} learners shown")
        assert shown_statuses(page) == [status] * expected[status]
    keys.choose_option("#filter-status", "")
    wait_shown(page, f"{total} of {total} learners shown")
    assert list(errors) == []
    context.close()


# ---- the test -----------------------------------------------------------------------------------------


def test_report_per_learner_from_real_plays_and_its_html_page(pw_browser, lrs, lms_server, lrs_packages, example_course, tmp_path) -> None:
    course = example_course
    mark = course.course.certificate.requires.quiz_pass_mark
    first, later = course.modules[0], [m.id for m in course.modules[1:]]
    quiz, reflection = course.quizzes[0], course.reflections[0]
    assert course.pages[quiz.page].module == 0 and course.pages[reflection.page].module == 0
    short = course.reflection_min(reflection, "certificate") - 1
    assert short >= course.reflection_min(reflection, "standard"), "Sam's answer must still count for completion"
    lrs.reset()  # only these learners, so the counts are exact

    base = install(lms_server, lrs_packages["xapi"], "x")
    tries = failing_tries(quiz, mark)
    fay = xapi_learner(pw_browser, lrs, base, course.course.id, FAY,
                       lambda page: play_pages(page, course, len(first.pages), tries={quiz.id: tries}))
    failed = [s["result"]["score"]["scaled"] * 100 for s in fay
              if s["verb"]["id"] == ADL + "failed" and s["object"]["id"].endswith("/quiz/" + quiz.id)]
    assert failed == [pytest.approx(quiz_percent(quiz, wrong), abs=0.01) for wrong in tries], "one failed per attempt"
    sam = xapi_learner(pw_browser, lrs, base, course.course.id, SAM,
                       lambda page: play_pages(page, course, len(first.pages), chars={reflection.id: short}))
    assert "failed" not in verbs(sam)
    nina = xapi_learner(pw_browser, lrs, base, course.course.id, NINA, lambda page: play_pages(page, course, PAGES_BEFORE_LEAVING))
    assert verbs(nina)[-2:] == ["suspended", "terminated"] and "completed" not in verbs(nina)
    assert Counter(verbs(nina))["experienced"] == PAGES_BEFORE_LEAVING
    carl = cmi5_learner_leaving(pw_browser, lrs, lms_server, lrs_packages["cmi5"], CARL)
    assert "terminated" in verbs(carl) and not {"completed", "passed", "failed"} & set(verbs(carl))
    post(lrs, [*earlier_session(FAY, later), *earlier_session(SAM, later),
               *generated_play(EVE, datetime.now(timezone.utc) - timedelta(days=2))])

    db = tmp_path / "report.duckdb"
    rows = report_rows(lrs, db)
    statuses = {name: row["status"] for name, row in rows.items()}
    assert statuses == {EVE["name"]: "eligible", FAY["name"]: "completed", SAM["name"]: "completed",
                        NINA["name"]: "in progress", CARL["name"]: "in progress"}
    n_modules, n_reflections = len(course.modules), len(course.reflections)
    all_right = {q.id: 100.0 for q in course.quizzes}

    row = rows[FAY["name"]]  # her first, better failing attempt is her best: the one rule open
    best = pytest.approx(max(quiz_percent(quiz, wrong) for wrong in tries), abs=0.01)
    assert row["identifier"] == "fay@example.org"
    assert row["modules"] == {"completed": n_modules, "total": n_modules}
    assert row["best_quiz_scores"] == {**all_right, quiz.id: best}
    assert row["reflections"] == {"answered": n_reflections, "required": n_reflections}
    assert open_rules(row) == [("quiz", quiz.id, best, mark)]

    row = rows[SAM["name"]]  # one character short of the certificate's minimum: the one rule open
    assert row["modules"] == {"completed": n_modules, "total": n_modules}
    assert row["best_quiz_scores"] == all_right
    assert row["reflections"] == {"answered": n_reflections - 1, "required": n_reflections}
    assert open_rules(row) == [("reflection", reflection.id, short, short + 1)]

    for actor in (NINA, CARL):  # left early: no module done, every rule open
        row = rows[actor["name"]]
        assert row["modules"] == {"completed": 0, "total": n_modules}, actor["name"]
        assert row["best_quiz_scores"] == {q.id: None for q in course.quizzes}
        assert row["reflections"] == {"answered": 0, "required": n_reflections}
        assert set(open_rules(row)) == everything_open(course, mark)
        assert row["first_activity"] and row["last_activity"]
    assert rows[CARL["name"]]["identifier"] == "carl"
    assert rows[EVE["name"]]["modules"]["completed"] == n_modules and rows[EVE["name"]]["open_rules"] == []

    html = tmp_path / "report.html"
    html_report(db, html)
    check_html_page(pw_browser, html, statuses, {
        FAY["name"]: f"quizzes below {mark:g} %: {quiz.id} (",
        SAM["name"]: f"reflections under {short + 1} characters: {reflection.id} ({short})",
        NINA["name"]: f"modules not completed: {first.id}, ",
        EVE["name"]: "none",
    })
