"""`coursepack preview` in Debian's chromium: the LMS page, live reload keeping the learner's place,
the problem overlay over the last good course, and the LMS panel's values (scorm-again as the LMS);
for xAPI and cmi5, the statements the in-process LRS accepts, listed as they arrive."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pytest
from cmi5_rules import check_session

from coursepack.preview.server import PreviewServer
from coursepack.xapi.vocabulary import SESSION_ID_EXT

from . import course_driver as drv

pytestmark = pytest.mark.browser

MODULE = "modules/01-welcome.yaml"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is no longer in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def content(page):
    """The course's frame as it is now (a reload puts a new iframe in)."""
    handle = page.wait_for_selector("#content")
    frame = handle.content_frame()
    frame.wait_for_load_state()
    return frame


def value_of(page, element: str) -> str | None:
    return page.evaluate("(e) => { const r = document.querySelector(`#values tr[data-element='${e}'] td`); return r ? r.textContent : null; }", element)


def wait_value(page, element: str, expected: str) -> None:
    page.wait_for_function("([e, v]) => { const r = document.querySelector(`#values tr[data-element='${e}'] td`); return r && r.textContent === v; }",
                           arg=[element, expected], timeout=5_000)


def interaction_index(page, interaction_id: str) -> int:
    """n of the cmi.interactions.n.id the panel shows with this id (waits for it)."""
    found = page.wait_for_function("""(id) => {
        for (const row of document.querySelectorAll('#values tr')) {
          const m = /^cmi\\.interactions\\.(\\d+)\\.id$/.exec(row.dataset.element);
          if (m && row.querySelector('td').textContent === id) return m[1];
        }
        return null;
      }""", arg=interaction_id, timeout=5_000)
    return int(found.json_value())


def scaffold_copy(tmp_path: Path) -> Path:
    """The scaffold's course, copied where a test may edit it."""
    course = tmp_path / "course"
    shutil.copytree(drv.SCAFFOLD, course, ignore=shutil.ignore_patterns("templates"))
    return course


def page_recording_errors(browser_context, errors: list[str]):
    """A new page whose uncaught script errors are appended to ``errors``."""
    page = browser_context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page


def test_preview_live_reload_overlay_and_panel(browser_context, tmp_path: Path) -> None:
    course = scaffold_copy(tmp_path)
    module = course / MODULE
    log: list[str] = []
    errors: list[str] = []
    # complete_after: the certificate edition stays pending (built first when the page switches to it)
    with PreviewServer(course, port=0, complete_after=60, log=log.append) as server:
        page = page_recording_errors(browser_context, errors)
        page.goto(server.url)
        page.wait_for_function("window.__preview && window.__preview.ready")

        # the course shows in the LMS page, with the LMS side's values beside it
        frame = content(page)
        assert frame.url == server.url + "course/standard/index.html"
        frame.click("#cp-start")
        assert drv.current_page(frame) == 0
        assert page.inner_text("#target-label") == "SCORM 1.2"
        wait_value(page, "cmi.core.lesson_status", "incomplete")
        page.wait_for_function("document.getElementById('lms-status').textContent === 'incomplete'")
        assert value_of(page, "cmi.student_data.mastery_score") == "80"  # from the manifest, as an LMS does

        # the LMS side is a real runtime: a value outside the data model is refused, and the panel says so
        assert page.evaluate("API.LMSSetValue('cmi.core.lesson_status', 'finished')") == "false"
        refused = page.inner_text("#log li.refused")
        assert refused == 'cmi.core.lesson_status = "finished" → refused: error 405 (Incorrect Data Type)', refused
        assert value_of(page, "cmi.core.lesson_status") == "incomplete"

        # a page turn: the bookmark is set and committed
        drv.next_page(frame)
        assert drv.current_page(frame) == 1
        wait_value(page, "cmi.core.lesson_location", "welcome/reflect")
        assert page.inner_text("#lms-location") == "welcome/reflect"
        assert 'cmi.core.lesson_location = "welcome/reflect"' in page.inner_text("#log")
        assert "LMSCommit()" in page.inner_text("#log")

        # an edit of the page's title shows without a manual reload, on the page the learner was on
        page.evaluate("window.__notReloaded = true")
        edit(module, "title: Think about it", "title: Think it over")
        page.wait_for_function("window.__preview.reloads === 1")
        frame = content(page)
        frame.wait_for_selector("#cp-page-1 h2:has-text('Think it over')", state="visible")
        assert drv.current_page(frame) == 1
        assert page.evaluate("window.__notReloaded") is True  # the LMS page itself was not reloaded
        assert page.inner_text("#lms-session").startswith("2 (entry \"resume\")")
        assert value_of(page, "cmi.core.entry") == "resume"

        # a quiz submission: interactions, status and score in the panel
        frame.fill("[data-cp-reflection-input=welcome-goal]", "To write courses in YAML and see them tracked.")
        drv.next_page(frame)
        frame.check("[data-cp-question=blocks] input[data-cp-choice=reflection]")
        frame.check("[data-cp-question=yaml-tabs] input[value=false]")
        frame.click("[data-cp-quiz=welcome-check] [data-cp-action=submit]")
        blocks = interaction_index(page, "welcome-check.blocks")
        wait_value(page, f"cmi.interactions.{blocks}.result", "correct")
        wait_value(page, f"cmi.interactions.{blocks}.student_response", "a")
        tabs = interaction_index(page, "welcome-check.yaml-tabs")
        wait_value(page, f"cmi.interactions.{tabs}.student_response", "f")
        assert interaction_index(page, "welcome-goal") >= 0  # the reflection, reported on the page turn's commit
        page.wait_for_function("document.getElementById('lms-status').textContent === 'passed'")
        assert page.inner_text("#lms-score") == "100 (of 0–100)"
        size = page.inner_text("#lms-state-size")
        assert re.fullmatch(r"\d+ / 4,096 characters", size), size
        assert int(size.split()[0]) == len(page.evaluate("API.LMSGetValue('cmi.suspend_data')"))
        page_before = drv.current_page(frame)

        # a broken edit: the overlay names file:line:col, the last good course stays as it was
        edit(module, "minutes: 10", "minutes: [10")
        page.wait_for_selector("#problems", state="visible")
        problem = page.inner_text("#problem-list")
        assert re.search(r"modules/01-welcome\.yaml:\d+:\d+: ", problem), problem
        assert any(line.startswith(problem.strip()) for line in log)  # the terminal says the same
        assert "last good build" in page.inner_text("#problems-note")
        assert page.evaluate("window.__preview.reloads") == 1
        assert drv.current_page(content(page)) == page_before == 2
        assert content(page).is_visible("#cp-page-2 [data-cp-quiz=welcome-check]")

        # the fix: the overlay goes, the course reloads where the learner was
        edit(module, "minutes: [10", "minutes: 10")
        page.wait_for_selector("#problems", state="hidden")
        page.wait_for_function("window.__preview.reloads === 2")
        assert drv.current_page(content(page)) == page_before

        # reset learner: a first launch again
        page.click("#reset-learner")
        page.wait_for_function("document.getElementById('lms-session').textContent.startsWith('1 ')")
        page.wait_for_function("document.getElementById('lms-status').textContent === 'incomplete'")
        assert page.inner_text("#lms-location") == "–"

        # switch edition: the certificate edition's package (not built yet: the page asks for it), in its own session
        assert server.build.pending == {"certificate"}
        page.click("#switch-edition")
        page.wait_for_function("window.__preview.edition === 'certificate'")
        assert content(page).url.endswith("/course/certificate/index.html")
        assert page.inner_text("#edition-label") == "certificate edition"
    assert errors == []


def test_preview_xapi_lists_statements_from_its_own_lrs(browser_context, tmp_path: Path) -> None:
    """--target xapi: the page launches the course with a Tin Can launch onto the server's in-process
    LRS, and a page turn's `experienced` statement shows in the panel."""
    course = scaffold_copy(tmp_path)
    errors: list[str] = []
    with PreviewServer(course, target="xapi", port=0, log=lambda _: None) as server:
        page = page_recording_errors(browser_context, errors)
        page.goto(server.url)
        frame = content(page)
        assert "endpoint=" in frame.url and "registration=" in frame.url
        assert page.inner_text("#target-label") == "xAPI (Tin Can launch)"
        frame.click("#cp-start")
        drv.next_page(frame)
        page.wait_for_selector("#statements tr[data-verb='experienced']")
        registration = page.evaluate("window.__preview.statements[0].registration")
        stored = server.lrs.statements(registration)  # the panel lists what the LRS holds
        assert any(s["verb"]["id"].endswith("/experienced") for s in stored)
        assert page.is_hidden("#values")  # no SCORM data model here
        assert page.evaluate("window.__preview.error") is None
    assert errors == []


def panel_verbs(page) -> list[str]:
    return page.eval_on_selector_all("#statements tr", "rows => rows.map((r) => r.dataset.verb)")


def statements_once_agreed(page, server, registration: str, timeout_s: float = 10) -> tuple[list[dict], list[str]]:
    """The LRS's statements and the ids the panel lists, read again until they agree or timeout_s passes.
    The panel takes a statement only after the LRS has stored it (the AU may still be sending one when
    the test reads both: a fresh-clone CI run and a review run each read the LRS one statement ahead)."""
    deadline = time.monotonic() + timeout_s
    while True:
        stored = server.lrs.statements(registration)
        shown = page.evaluate("window.__preview.statements.map((s) => s.id)")
        if [s["id"] for s in stored] == shown or time.monotonic() > deadline:
            return stored, shown
        page.wait_for_timeout(50)


def sessions_of(statements: list[dict]) -> dict[str, list[dict]]:
    """The statements by cmi5 session id (the LMS's launched statement carries it too), in stored order."""
    found: dict[str, list[dict]] = {}
    for statement in statements:
        found.setdefault(statement["context"]["extensions"][SESSION_ID_EXT], []).append(statement)
    return found


def test_preview_cmi5_lists_statements_as_they_arrive_and_reloads_in_a_new_session(browser_context, tmp_path: Path) -> None:
    """--target cmi5: the page plays the LMS (launched, LMS.LaunchData, the fetch URL) over the
    in-process LRS; the panel lists each statement as the LRS stores it; the LRS refuses none and each
    session keeps cmi5's rules; an edit closes the session (terminated) and launches the rebuilt AU
    in a new session of the same registration, on the learner's page."""
    course = scaffold_copy(tmp_path)
    errors: list[str] = []
    with PreviewServer(course, target="cmi5", port=0, log=lambda _: None) as server:
        events = server.events.subscribe()  # every event the server sends, refusals included
        page = page_recording_errors(browser_context, errors)
        page.goto(server.url)
        frame = content(page)
        assert "fetch=" in frame.url and "registration=" in frame.url
        assert page.inner_text("#target-label") == "cmi5"
        assert page.is_visible("#au-row") and page.inner_text("#au-choice") == "Welcome"

        # statements show as the LRS stores them: the LMS's launched, then the AU's
        frame.click("#cp-start")
        drv.next_page(frame)
        page.wait_for_selector("#statements tr[data-verb='experienced']")
        assert panel_verbs(page)[:2] == ["launched", "initialized"]
        registration = page.evaluate("window.__preview.launches[0].registration")
        stored, shown = statements_once_agreed(page, server, registration)
        assert [s["id"] for s in stored] == shown
        # the panel is drawn after its list takes the statements (a fresh-clone CI run read "(3)" of 4 once)
        page.wait_for_function("(n) => document.getElementById('statement-count').textContent === `(${n})`", arg=len(stored))
        assert "moveOn" in page.inner_text("#lms-status")

        # an edit of the page the learner is on: a new session of the same registration, on that page
        edit(course / MODULE, "title: Think about it", "title: Think it over")
        page.wait_for_function("window.__preview.reloads === 1")
        frame = content(page)
        frame.wait_for_selector("#cp-page-1 h2:has-text('Think it over')", state="visible")
        assert drv.current_page(frame) == 1
        page.wait_for_function("window.__preview.launches.length === 2")
        launches = page.evaluate("window.__preview.launches")
        assert launches[1]["registration"] == registration and launches[1]["sessionId"] != launches[0]["sessionId"]
        page.wait_for_function("(n) => window.__preview.statements.filter((s) => s.verb === 'initialized').length === n", arg=2)
        drv.next_page(frame)  # the new session records the learner's progress too
        page.wait_for_function("window.__preview.statements.filter((s) => s.verb === 'experienced').length >= 2")
        frame.click("#cp-exit")  # the learner leaves: terminated, then the LMS's returnURL
        page.wait_for_function("window.__preview.statements.filter((s) => s.verb === 'terminated').length === 2")
        page.wait_for_selector("#log li.launch:has-text('went back to the LMS')")

        # every session keeps cmi5's rules; the first one ended with terminated as the course closed
        by_session = sessions_of(server.lrs.statements(registration))
        first, second = (by_session[launch["sessionId"]] for launch in launches)
        for launch, session, earlier in ((launches[0], first, []), (launches[1], second, first)):
            problems = check_session(session, launch_data=launch["launchData"], au_activity_id=launch["activityId"],
                                     registration=registration, earlier=earlier, actor=launch["actor"])
            assert problems == [], "\n".join(map(str, problems))
        sent = []
        while not events.empty():
            sent.append(events.get_nowait())
        refused = [message for message in sent if message and message.startswith("event: lrs-refused")]
        assert refused == [] and page.locator("#log li.refused").count() == 0, refused
        assert any(json.loads(m.split("data: ", 1)[1])["build"]["generation"] == 2 for m in sent if m and m.startswith("event: build"))
        assert page.evaluate("window.__preview.error") is None
    assert errors == []
