"""xAPI and cmi5 packages in Debian's chromium against a real LRS (Ralph, tests/lrs), with the LMS side of
cmi5 played by tests/lrs/cmi5_lms.py. Every statement the package sends is checked against the xAPI 1.0.3
rules (tests/xapi_rules.py) and every cmi5 session against the cmi5 rules (tests/cmi5_rules.py)."""

from __future__ import annotations

import time
import uuid
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from cmi5_rules import check_launch_order, check_session
from lrs.cmi5_lms import Cmi5Lms, CourseStructure, xapi_launch_query
from xapi_rules import check_statement

from . import course_driver as drv
from . import harness
from .test_example_course import play_pages

pytestmark = pytest.mark.browser

ADL = "http://adlnet.gov/expapi/verbs/"
XAPI_ACTOR = {"objectType": "Agent", "name": "Ada Lovelace", "mbox": "mailto:ada@example.org"}
CMI5_ACTOR = {"objectType": "Agent", "name": "Grace Hopper", "account": {"homePage": "https://lms.example.org", "name": "grace"}}


def install(server: harness.LmsServer, package: Path, name: str) -> str:
    dest = server.root / name
    with zipfile.ZipFile(package) as zf:
        zf.extractall(dest)
    return server.url(f"/{name}/")


def verbs(statements: list[dict]) -> list[str]:
    return [s["verb"]["id"].rsplit("/", 1)[-1] for s in statements]


def wait_for(condition, timeout: float = 10.0, what: str = "the LRS"):
    end = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def assert_valid(statements: list[dict]) -> None:
    problems = [f"{s['verb']['id']} {v}" for s in statements for v in check_statement(s)]
    assert problems == [], "\n".join(problems)
    ids = Counter(s["id"] for s in statements)
    assert [i for i, n in ids.items() if n > 1] == [], "a statement was stored twice"


class Warnings(list):
    """console.error, page errors and the runtime's own "coursepack:" warnings: none are expected, except
    chromium's note on a 404 for a document the LRS does not hold yet (no saved progress, no preferences):
    the xAPI way of saying "none"."""

    def append(self, text):
        if "status of 404" in text and ("/activities/state?" in text or "/agents/profile?" in text):
            return
        super().append(text)

    def attach(self, page):
        harness.ConsoleErrors.attach(self, page)  # type: ignore[arg-type]
        page.on("console", lambda m: self.append(m.text) if m.type == "warning" and "coursepack:" in m.text else None)
        return self

    _on_console = harness.ConsoleErrors._on_console
    _on_pageerror = harness.ConsoleErrors._on_pageerror


def open_page(pw_browser):
    context = pw_browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    return context, page, Warnings().attach(page)


def test_xapi_full_run_resume_new_registration_and_outage(pw_browser, lrs, lms_server, lrs_packages, example_course, tmp_path) -> None:
    course = example_course
    course_id = course.course.id
    base = install(lms_server, lrs_packages["xapi"], "x")
    registration = str(uuid.uuid4())
    context, page, warnings = open_page(pw_browser)
    page.goto(base + "index.html?" + xapi_launch_query(lrs, XAPI_ACTOR, registration, course_id))
    page.wait_for_selector("#cp-menu:not([hidden])")
    assert page.is_hidden("[data-cp-notice]"), "an LRS launch is not standalone"
    page.click("#cp-start")
    texts: dict[str, str] = {}
    play_pages(page, course, "certificate", texts=texts)
    page.click("#cp-exit")
    mine = lambda: lrs.statements(registration=registration)  # noqa: E731
    sent = wait_for(lambda: (lambda s: s if s and verbs(s)[-1] == "terminated" else None)(mine()), what="terminated")
    assert_valid(sent)
    v = verbs(sent)
    assert v[0] == "initialized" and v[-1] == "terminated"
    counts = Counter(v)
    assert counts["experienced"] == len(course.pages)
    assert counts["answered"] == sum(len(q.questions) for q in course.quizzes)
    assert counts["responded"] == len(course.reflections)
    assert counts["completed"] == len(course.modules) + 1  # every module, then the course
    assert counts["passed"] == len(course.quizzes) + 1  # every quiz, then the course
    assert "failed" not in counts and "suspended" not in counts
    course_passed = [s for s in sent if s["verb"]["id"] == ADL + "passed" and s["object"]["id"] == course_id]
    assert len(course_passed) == 1 and course_passed[0]["result"]["score"]["scaled"] >= 0.8
    for s in sent:
        assert s["context"]["registration"] == registration
        assert s["actor"]["mbox"] == XAPI_ACTOR["mbox"]
    responded = {s["object"]["id"].rsplit("/", 1)[-1]: s["result"]["response"] for s in sent if s["verb"]["id"] == ADL + "responded"}
    assert responded == texts, "each reflection's full text, once"
    answered = [s for s in sent if s["verb"]["id"] == ADL + "answered"]
    kinds = {s["object"]["definition"]["interactionType"] for s in answered}
    assert {"choice", "true-false"} <= kinds
    assert all(s["result"]["success"] is True and s["object"]["definition"]["correctResponsesPattern"] == [s["result"]["response"]]
               for s in answered if s["object"]["definition"]["interactionType"] in ("choice", "true-false", "sequencing", "matching"))
    assert all(lrs.endpoint not in s["object"]["id"] for s in sent)
    # the package carries no credential: nothing like the launch's auth in any file
    with zipfile.ZipFile(lrs_packages["xapi"]) as zf:
        assert not any(b"Basic " in zf.read(n) and n.endswith(".html") for n in zf.namelist())
    assert list(warnings) == []

    # resume with the same registration: back on the last page, every answer kept, "resumed" sent
    page.goto(base + "index.html?" + xapi_launch_query(lrs, XAPI_ACTOR, registration, course_id))
    page.wait_for_selector("[data-cp-welcome]:not([hidden])")
    assert drv.current_page(page) == len(course.pages) - 1
    total = course.quizzes[0].total_points
    assert f"You scored {total} of {total} points" in page.text_content(f"{drv.quiz_sel(course.quizzes[0])} [data-cp-quiz-result]")
    assert page.input_value(f'[data-cp-reflection-input="{course.reflections[0].id}"]') == texts[course.reflections[0].id]
    page.click("#cp-exit")
    again = wait_for(lambda: (lambda s: s if verbs(s).count("terminated") == 2 else None)(mine()), what="the second session")
    second = again[len(sent):]
    assert verbs(second)[:2] == ["initialized", "resumed"]
    assert "completed" not in verbs(second) and "passed" not in verbs(second), "completed/passed once per registration"
    page.close()

    # a new registration starts afresh: no progress, no resume cue
    page = context.new_page()
    warnings.attach(page)
    fresh = str(uuid.uuid4())
    page.goto(base + "index.html?" + xapi_launch_query(lrs, XAPI_ACTOR, fresh, course_id))
    page.wait_for_selector("#cp-menu:not([hidden])")
    assert page.is_hidden("[data-cp-welcome]")
    page.click("#cp-start")
    # outage: the LRS cannot be reached after the first page (every request refused at the connection,
    # as from a stopped server, without the seconds a restart of Ralph costs); the learner goes on; it
    # comes back
    wait_for(lambda: "experienced" in verbs(lrs.statements(registration=fresh)), what="the first page")
    refused: list[str] = []

    def refuse(route) -> None:
        refused.append(route.request.url)
        route.abort("connectionrefused")

    page.route(lrs.endpoint + "**", refuse)
    for _ in range(3):
        drv.next_page(page)
    wait_for(lambda: refused, what="a statement sent during the outage")
    page.unroute(lrs.endpoint + "**", refuse)
    wait_for(lambda: Counter(verbs(lrs.statements(registration=fresh)))["experienced"] >= 4, timeout=20, what="the queued statements")
    page.click("#cp-exit")
    after = wait_for(lambda: (lambda s: s if s and verbs(s)[-1] == "terminated" else None)(lrs.statements(registration=fresh)), timeout=20, what="terminated after the outage")
    assert_valid(after)
    assert Counter(verbs(after))["experienced"] == 4, "every page once, none lost, none twice"
    assert all("coursepack: the LRS refused" not in w for w in warnings)
    context.close()
    # what the package sent decides the certificate: the report reads it back from the LRS
    ada = report_rows(lrs, tmp_path / "report.duckdb")["Ada Lovelace"]
    assert ada["status"] == "eligible" and ada["modules"] == {"completed": len(course.modules), "total": len(course.modules)}, ada
    assert ada["open_rules"] == [] and all(score == 100 for score in ada["best_quiz_scores"].values()), ada


def report_rows(lrs, db: Path) -> dict[str, dict]:
    """`coursepack report sync` from the LRS, then `report show --format json`: the rows by learner name."""
    import json

    from click.testing import CliRunner

    from coursepack.cli import main

    runner = CliRunner()
    synced = runner.invoke(main, ["report", "sync", "--lrs", lrs.endpoint, "--user", lrs.admin.username,
                                  "--password-stdin", "--db", str(db), str(drv.REPO)], input=lrs.admin.password + "\n")
    assert synced.exit_code == 0, synced.output
    shown = runner.invoke(main, ["report", "show", "--format", "json", "--db", str(db), str(drv.REPO)])
    assert shown.exit_code == 0, shown.output
    return {row["name"]: row for row in json.loads(shown.output)["learners"]}


def ended(lrs, registration: str, sessions: int = 1) -> list[dict]:
    """The registration's statements (the LMS's launched left out) once `sessions` terminated statements
    arrived: the AU sends terminated with fetch keepalive as its page goes, so it may land a moment later."""
    def read():
        found = [s for s in lrs.statements(registration=registration) if s["verb"]["id"] != ADL + "launched"]
        return found if verbs(found).count("terminated") >= sessions else None
    return wait_for(read, timeout=20, what=f"terminated #{sessions} of {registration}")


def play_au(page, lms: Cmi5Lms, au_id: str, key: drv.CourseKey, edition: str, **launch_options):
    """Launch an AU as the LMS would, play every page of it, press Exit: the launch and the session's
    statements once terminated arrived (the browser is then on the LMS's return page)."""
    launch = lms.launch(au_id, CMI5_ACTOR, **launch_options)
    page.goto(launch.url)
    page.wait_for_selector("#cp-menu:not([hidden])")
    page.click("#cp-start")
    play_pages(page, key, edition)
    page.click("#cp-exit")
    page.wait_for_url(launch.return_url + "*")
    return launch, ended(lms.lrs, launch.registration)


def cmi5_package(lms_server, package: Path, name: str) -> tuple[str, CourseStructure]:
    base = install(lms_server, package, name)
    return base, CourseStructure.parse((lms_server.root / name / "cmi5.xml").read_bytes())


def test_cmi5_first_module_normal_then_again_browse_and_review(pw_browser, lrs, lms_server, lrs_packages, example_course, tmp_path) -> None:
    base, structure = cmi5_package(lms_server, lrs_packages["cmi5"], "c")
    module = example_course.modules[0]
    key = drv.CourseKey.load(drv.REPO, [module.id])
    au = structure.aus[0]
    assert au.move_on == "CompletedAndPassed" and au.mastery_score == 0.8
    context, page, warnings = open_page(pw_browser)
    with Cmi5Lms(lrs, structure, base) as lms:
        launch, session = play_au(page, lms, au.id, key, "certificate")
        mine = session
        assert_valid(session)
        problems = check_session(session, launch_data=launch.launch_data, au_activity_id=launch.activity_id,
                                 registration=launch.registration, actor=CMI5_ACTOR)
        assert problems == [], "\n".join(map(str, problems))
        order = check_launch_order([r for r in lrs.requests() if r["user"] == launch.credential.username])
        assert order == [], "\n".join(map(str, order))
        defined = [verbs([s])[0] for s in session if s["object"]["id"] == launch.activity_id]
        assert defined[0] == "initialized" and defined[-1] == "terminated"
        assert {"completed", "passed"} <= set(defined)
        assert lms.satisfied(launch.registration).aus[au.id] is True
        grace = report_rows(lrs, tmp_path / "report.duckdb")["Grace Hopper"]  # cmi5: the AU's id from the grouping
        assert grace["status"] == "in progress" and grace["modules"]["completed"] == 1, grace
        fetch_path = launch.fetch_url.split(lms.base_url, 1)[1]
        assert [c.method for c in lms.fetch_calls if c.path == fetch_path] == ["POST"], "the fetch URL is POSTed once"

        # a second session of the same registration sends neither completed nor passed again
        again = lms.launch(au.id, CMI5_ACTOR, registration=launch.registration)
        page.goto(again.url)
        page.wait_for_selector("[data-cp-welcome]:not([hidden]), #cp-menu:not([hidden])")
        page.click("#cp-exit")
        page.wait_for_url(again.return_url + "*")
        later = [s for s in ended(lrs, launch.registration, 2) if s["id"] not in {x["id"] for x in mine}]
        problems = check_session(later, launch_data=again.launch_data, au_activity_id=again.activity_id,
                                 registration=again.registration, earlier=session, actor=CMI5_ACTOR)
        assert problems == [], "\n".join(map(str, problems))

        # Browse: the learner can do everything, nothing is judged; Review: answers shown read-only
        for mode in ("Browse", "Review"):
            look = lms.launch(au.id, CMI5_ACTOR, mode=mode)
            page.goto(look.url)
            page.wait_for_selector("#cp-mode-notice:not([hidden])")
            page.click("#cp-start")
            quiz = key.quizzes[0]
            for _ in range(quiz.page):
                drv.next_page(page)
            if mode == "Browse":
                drv.answer_quiz(page, quiz)
            else:
                assert page.locator(f"{drv.quiz_sel(quiz)} [data-cp-action=submit]").is_hidden()
            page.click("#cp-exit")
            page.wait_for_url(look.return_url + "*")
            stored = ended(lrs, look.registration)
            problems = check_session(stored, launch_data=look.launch_data, au_activity_id=look.activity_id,
                                     registration=look.registration, actor=CMI5_ACTOR)
            assert problems == [], mode + "\n" + "\n".join(map(str, problems))
            assert not {"completed", "passed", "failed"} & set(verbs(stored)), mode
    assert list(warnings) == []
    context.close()


@pytest.mark.parametrize("move_on", ["Passed", "CompletedOrPassed"])
def test_cmi5_move_on_passed_makes_the_standard_edition_judge(pw_browser, lrs, lms_server, lrs_packages, example_course, move_on) -> None:
    """The standard edition has no pass mark; an LMS that asks for Passed (with a masteryScore) gets
    passed/failed judged against its masteryScore."""
    base, structure = cmi5_package(lms_server, lrs_packages["cmi5-standard"], "s")
    au = structure.aus[0]
    assert au.move_on == "Completed" and au.mastery_score is None
    key = drv.CourseKey.load(drv.REPO, [example_course.modules[0].id])
    context, page, warnings = open_page(pw_browser)
    with Cmi5Lms(lrs, structure, base) as lms:
        launch, session = play_au(page, lms, au.id, key, "standard", move_on=move_on, mastery_score=0.5)
        problems = check_session(session, launch_data=launch.launch_data, au_activity_id=launch.activity_id,
                                 registration=launch.registration, actor=CMI5_ACTOR)
        assert problems == [], "\n".join(map(str, problems))
        passed = [s for s in session if s["verb"]["id"] == ADL + "passed" and s["object"]["id"] == launch.activity_id]
        assert len(passed) == 1 and passed[0]["result"]["score"]["scaled"] >= 0.5
        assert lms.satisfied(launch.registration).aus[au.id] is True
    assert list(warnings) == []
    context.close()
