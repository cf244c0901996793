"""The REAL example course ("AI Literacy for Educators", the repo root) played end to end.

Built once per module with the `coursepack build` command (click's CliRunner), played in the test
LMS (scorm-again as window.API, Moodle's rules checked by harness.check_strict). Answer keys, pages,
reflections and attempt limits are read from the YAML (tests/browser/course_driver.py), never
written here, so these tests keep working when the authors edit the course.

test_player_smoke.py already covers the scaffold and a generated "full" course (mastery trap,
every question type, codec budget, axe at 360px...); these tests are about whole learner journeys
on the course we ship: certificate and standard editions, a locked certificate, fail/retake/fail,
a resumed session, the whole course by keyboard only, and the one-SCO-per-module package.
"""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from coursepack.cli import main as coursepack
from coursepack.render.course_data import verification_code

from . import course_driver as drv
from . import harness

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
OVERRIDE = [pytest.param(None, id="override-off"), pytest.param({}, id="override-on")]
# cmi.core.student_name as an LMS sends it ("Last, First"), and as the certificate must print it.
LMS_NAME = "Núñez-Ortiz, José"
PRINTED_NAME = "José Núñez-Ortiz"


# --------------------------------------------------------------------------- builds (once per module)

def cli_build(out: Path, *args: str) -> dict[str, Path]:
    """`coursepack build REPO --out OUT ARGS`; returns {"standard"|"certificate": zip}."""
    result = CliRunner().invoke(coursepack, ["build", str(REPO), "--out", str(out), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    zips = sorted(out.glob("*.zip"))
    assert zips, result.output
    return {("certificate" if z.stem.endswith("-certificate") else "standard"): z for z in zips}


@pytest.fixture(scope="module")
def course() -> drv.CourseKey:
    if not (REPO / "course.yaml").exists():
        pytest.skip("no example course at the repo root")
    return drv.CourseKey.load(REPO)


@pytest.fixture(scope="module")
def packages(course, tmp_path_factory) -> dict[str, Path]:
    built = cli_build(tmp_path_factory.mktemp("example-course"), "--edition", "all")
    assert set(built) == {"standard", "certificate"}
    return built


@pytest.fixture(scope="module")
def per_module_package(course, tmp_path_factory) -> Path:
    return cli_build(tmp_path_factory.mktemp("example-per-module"), "--edition", "standard", "--sco-per-module")["standard"]


# --------------------------------------------------------------------------- shared checks

def assert_clean(lms) -> None:
    violations = lms.check_strict()
    assert violations == [], "\n".join(map(str, violations))
    assert list(lms.console_errors) == []


def assert_suspend_data_fits(final: dict) -> None:
    text = final.get("suspend_data") or ""
    assert harness.utf16_len(text) <= 4096 and len(text.encode("utf-8")) <= 4096


def play_pages(frame, course: drv.CourseKey, edition: str, *, start: int = 0, stop: int | None = None,
               texts: dict[str, str] | None = None, answers: dict[str, dict] | None = None,
               skip_reflections: tuple[str, ...] = ()) -> None:
    """From page ``start`` (shown), Next through every page up to ``stop`` (exclusive; default:
    past the last page), answering each quiz right and writing each reflection on the way.
    Records the answers given in ``answers`` and the reflection texts in ``texts``."""
    stop = len(course.pages) if stop is None else stop
    texts = {} if texts is None else texts
    answers = {} if answers is None else answers
    for page in course.pages[start:stop]:
        assert drv.current_page(frame) == page.index, f"expected page {page.index} ({page.key})"
        assert frame.get_attribute(f"#cp-page-{page.index}", "data-cp-page") == page.key
        assert drv.focused_id(frame) == f"cp-page-{page.index}-title"
        for reflection in course.reflections_on(page.index):
            if reflection.id in skip_reflections:
                continue
            texts[reflection.id] = drv.reflection_text(reflection.id)
            drv.write_reflection(frame, reflection, texts[reflection.id])
        for quiz in course.quizzes_on(page.index):
            answers[quiz.id] = drv.answer_quiz(frame, quiz)
            total = quiz.total_points
            assert f"You scored {total} of {total} points (100%)" in frame.inner_text(f"{drv.quiz_sel(quiz)} [data-cp-quiz-result]")
            assert frame.locator(f"{drv.quiz_sel(quiz)} fieldset.cp-wrong").count() == 0
        if page.index == len(course.pages) - 1:
            expected = "Certificate" if edition == "certificate" else "Back to contents"
            assert frame.inner_text("#cp-next").strip() == expected
        drv.next_page(frame)


def assert_quiz_interactions(final: dict, course: drv.CourseKey, answers: dict[str, dict],
                             texts: dict[str, str], reflections_once: bool = True) -> None:
    """One interaction per question (right answers) and one per reflection, in SCORM 1.2 form.
    reflections_once=False: a reflection may have more than one (one per session); the last counts."""
    items = drv.interactions(final)
    by_id: dict[str, list[dict]] = {}
    for it in items:
        by_id.setdefault(it["id"], []).append(it)
    expected_ids = {f"{q.id}.{x.id}" for q in course.quizzes for x in q.questions} | {r.id for r in course.reflections}
    assert set(by_id) == expected_ids
    once = by_id if reflections_once else {k: v for k, v in by_id.items() if k not in {r.id for r in course.reflections}}
    assert all(len(v) == 1 for v in once.values()), {k: len(v) for k, v in once.items() if len(v) > 1}
    for quiz in course.quizzes:
        for q in quiz.questions:
            it = by_id[f"{quiz.id}.{q.id}"][0]
            kind, response, pattern = drv.expected_interaction(q, answers[quiz.id][q.id])
            assert (it["type"], it["student_response"], drv.pattern_of(it), it["result"]) == (kind, response, pattern, "correct"), it["id"]
            assert it["weighting"] == str(q.points)
            assert drv.TIMESPAN.match(it["latency"]) and drv.CMI_TIME.match(it["time"]), it
    for r in course.reflections:
        it = by_id[r.id][-1]
        assert (it["type"], it["result"]) == ("fill-in", "neutral")
        assert it["student_response"] == drv.readable(texts[r.id])


def completion_day(final: dict) -> datetime.date:
    day = final["suspend_data"].split("|")[2]
    return datetime.date(1970, 1, 1) + datetime.timedelta(days=int(day, 36))


def assert_certificate_ready(frame) -> dict[str, str]:
    """The unlocked certificate with the LMS learner's name; returns the name, date and code shown."""
    frame.wait_for_selector("[data-cp-cert-ready]:not([hidden])")
    assert frame.is_hidden("[data-cp-cert-locked]")
    shown = {k: frame.inner_text(f"[data-cp-cert-{k}]").strip() for k in ("name", "date", "code")}
    assert shown["name"] == PRINTED_NAME
    assert shown["date"] and shown["code"]
    return shown


# --------------------------------------------------------------------------- 1. certificate edition, full run

@pytest.mark.parametrize("settings", OVERRIDE)
def test_certificate_edition_full_run_passes(lms, packages, course, settings) -> None:
    frame = lms.play(packages["certificate"], settings=settings, cmi={"core": {"student_name": LMS_NAME}})
    frame.wait_for_selector("#cp-menu:not([hidden])")
    frame.click("#cp-start")
    texts: dict[str, str] = {}
    answers: dict[str, dict] = {}
    play_pages(frame, course, "certificate", texts=texts, answers=answers)

    assert drv.visible_view(frame) == "certificate"
    assert drv.focused_id(frame) == "cp-certificate-title"
    shown = assert_certificate_ready(frame)
    frame.click("#cp-exit")
    frame.wait_for_selector("#cp-finished:not([hidden])")
    assert drv.focused_id(frame) == "cp-finished-title"

    final = lms.final_cmi()
    core = final["core"]
    assert core["lesson_status"] == "passed"
    assert (core["score"]["raw"], core["score"]["min"], core["score"]["max"]) == ("100", "0", "100")
    assert core["exit"] == ""
    assert drv.TIMESPAN.match(core["session_time"]), core["session_time"]
    assert core["lesson_location"] == course.pages[-1].key
    assert_quiz_interactions(final, course, answers, texts)
    assert_suspend_data_fits(final)

    # the certificate: date of completion (the day recorded in the saved state, today) and its code
    day = completion_day(final)
    assert abs((day - datetime.date.today()).days) <= 1
    assert shown["date"] == f"{day:%B} {day.day}, {day.year}"
    c = course.course
    assert shown["code"] == verification_code(c.id, c.version, core["student_id"], PRINTED_NAME, day.isoformat())

    names = [c.name for c in lms.calls() if c.name not in harness.ERROR_FUNCTIONS]
    assert names.count("LMSFinish") == 1 and names[-1] == "LMSFinish"
    assert_clean(lms)


# --------------------------------------------------------------------------- 2. standard edition

def test_standard_edition_full_run_completes(lms, packages, course) -> None:
    frame = lms.play(packages["standard"])
    frame.click("#cp-start")
    texts: dict[str, str] = {}
    answers: dict[str, dict] = {}
    play_pages(frame, course, "standard", texts=texts, answers=answers)
    assert drv.visible_view(frame) == "menu"  # "Back to contents"
    assert "You have completed the course." in frame.inner_text("[data-cp-overall]")
    frame.click("#cp-exit")
    final = lms.final_cmi()
    core = final["core"]
    assert (core["lesson_status"], core["score"]["raw"], core["exit"]) == ("completed", "100", "")
    assert drv.TIMESPAN.match(core["session_time"])
    assert_quiz_interactions(final, course, answers, texts)
    assert_suspend_data_fits(final)
    assert_clean(lms)


# --------------------------------------------------------------------------- 3. locked certificate

def test_certificate_locked_until_the_last_reflection_counts(lms, packages, course) -> None:
    frame = lms.play(packages["certificate"], cmi={"core": {"student_name": LMS_NAME}})
    # before anything: every module lists what it lacks
    frame.click("a[data-cp-goto=certificate]")
    frame.wait_for_selector("[data-cp-cert-locked]:not([hidden])")
    assert frame.is_hidden("[data-cp-cert-ready]")
    missing = frame.locator("[data-cp-cert-missing] a")
    assert missing.count() == len(course.modules) + len(course.reflections) + len(course.quizzes)
    assert "(locked until you finish the course)" in frame.inner_text("[data-cp-cert-state]")

    frame.click("#cp-menu-button")
    frame.click("#cp-start")
    last = course.reflections[-1]
    play_pages(frame, course, "certificate", skip_reflections=(last.id,))
    need = course.reflection_min(last, "certificate")

    # one character short (trailing spaces do not count): still locked, and it says what is missing
    frame.wait_for_selector("[data-cp-cert-locked]:not([hidden])")
    items = frame.locator("[data-cp-cert-missing] a")
    assert items.count() == 1
    assert items.first.inner_text() == f"Write at least {need} characters in the reflection on \u201c{last.page_title}\u201d"
    assert items.first.get_attribute("data-cp-goto") == str(last.page)
    items.first.click()
    assert drv.current_page(frame) == last.page and drv.focused_id(frame) == f"cp-page-{last.page}-title"
    short = drv.exactly(drv.reflection_text(last.id), need - 1) + "     "
    drv.write_reflection(frame, last, short)
    assert "(1 more needed)" in frame.inner_text(f'[data-cp-counter="{last.id}"]')
    frame.click("#cp-menu-button")
    frame.click("a[data-cp-goto=certificate]")
    frame.wait_for_selector("[data-cp-cert-locked]:not([hidden])")
    assert frame.locator("[data-cp-cert-missing] a").count() == 1

    # long enough: unlocked
    frame.click("[data-cp-cert-missing] a")
    drv.write_reflection(frame, last, drv.exactly(drv.reflection_text(last.id), need))
    assert "(enough to count)" in frame.inner_text(f'[data-cp-counter="{last.id}"]')
    frame.click("#cp-menu-button")
    assert "(unlocked)" in frame.inner_text("[data-cp-cert-state]")
    frame.click("a[data-cp-goto=certificate]")
    assert_certificate_ready(frame)
    lms.close_content()
    final = lms.final_cmi()
    assert final["core"]["lesson_status"] == "passed" and final["core"]["score"]["raw"] == "100"
    assert_clean(lms)


# --------------------------------------------------------------------------- 4. fail, retake, run out of attempts

def limited_quizzes(course: drv.CourseKey) -> list[drv.QuizKey]:
    return [q for q in course.quizzes if q.attempts and q.attempts >= 2]


@pytest.mark.parametrize("settings", OVERRIDE)
def test_retake_keeps_the_best_score_and_running_out_of_attempts_fails(lms, packages, course, settings) -> None:
    limited = limited_quizzes(course)
    if len(limited) < 2:
        pytest.skip("the example course needs two quizzes with a limited number of attempts (>= 2)")
    retaken, lost = limited[0], limited[1]
    mark = course.course.certificate.requires.quiz_pass_mark
    frame = lms.play(packages["certificate"], settings=settings)

    # quiz 1: all wrong, then right, then wrong again: the best score stays
    frame.click(f"a[data-cp-goto='{retaken.page}']")
    q = drv.quiz_sel(retaken)
    given = [drv.answer_quiz(frame, retaken, right=False)]
    assert frame.locator(f"{q} fieldset.cp-wrong").count() == len(retaken.questions)
    assert frame.locator(f"{q} fieldset.cp-right").count() == 0
    for question in retaken.questions:
        fs = drv.question_sel(retaken, question)
        assert frame.inner_text(f"{fs} [data-cp-verdict]") == "Not quite."
        if question.explanation:
            assert frame.is_visible(f"{fs} [data-cp-explanation]")
    result = frame.inner_text(f"{q} [data-cp-quiz-result]")
    assert "(0%)" in result and f"The pass mark is {mark}%" in result
    assert frame.evaluate("document.activeElement.dataset.cpAction") == "retry"
    frame.click(f"{q} [data-cp-action=retry]")
    assert frame.locator(f"{q} fieldset.cp-wrong").count() == 0 and frame.is_hidden(f"{q} [data-cp-explanation]")
    given.append(drv.answer_quiz(frame, retaken, right=True))
    assert frame.locator(f"{q} fieldset.cp-right").count() == len(retaken.questions)
    assert "(100%). You passed" in frame.inner_text(f"{q} [data-cp-quiz-result]")
    for attempt in range(2, retaken.attempts):
        frame.click(f"{q} [data-cp-action=retry]")
        given.append(drv.answer_quiz(frame, retaken, right=False))
    status = frame.inner_text(f"{q} [data-cp-quiz-status]")
    assert f"{retaken.attempts} attempts allowed, {retaken.attempts} used" in status and "best score 100%" in status
    assert "Your best score is 100%" in frame.inner_text(f"{q} [data-cp-quiz-result]")
    assert frame.is_hidden(f"{q} [data-cp-action=retry]")

    # quiz 2: every attempt wrong
    frame.click("#cp-menu-button")
    frame.click(f"a[data-cp-goto='{lost.page}']")
    q2 = drv.quiz_sel(lost)
    for attempt in range(lost.attempts):
        if attempt:
            frame.click(f"{q2} [data-cp-action=retry]")
        drv.answer_quiz(frame, lost, right=False)
    assert "You have no attempts left" in frame.inner_text(f"{q2} [data-cp-quiz-result]")
    assert frame.is_hidden(f"{q2} [data-cp-action=retry]") and frame.is_hidden(f"{q2} [data-cp-action=submit]")
    assert frame.evaluate("document.activeElement.hasAttribute('data-cp-quiz-result')")
    frame.click("#cp-menu-button")
    assert "A quiz has no attempts left below its pass mark." in frame.inner_text("[data-cp-overall]")
    frame.click("a[data-cp-goto=certificate]")
    missing = frame.inner_text("[data-cp-cert-missing]")
    assert f"Score at least {mark}% in the quiz \u201c{lost.block.title or 'Quiz'}\u201d (best so far 0%): no attempts left" in missing

    lms.close_content()
    final = lms.final_cmi()
    core = final["core"]
    assert core["lesson_status"] == "failed"
    assert float(core["score"]["raw"]) < mark
    # (reflection interactions are test_untouched_reflections_write_no_interactions' business)
    reflection_ids = {r.id for r in course.reflections}
    items = [it for it in drv.interactions(final) if it["id"] not in reflection_ids]
    assert len(items) == len(retaken.questions) * retaken.attempts + len(lost.questions) * lost.attempts
    # per attempt, per question, in order: the wrong answers recorded as given, "wrong"
    n = 0
    for attempt, answers in enumerate(given):
        for question in retaken.questions:
            it = items[n]
            n += 1
            kind, response, pattern = drv.expected_interaction(question, answers[question.id])
            assert it["id"] == f"{retaken.id}.{question.id}"
            assert (it["type"], it["student_response"], drv.pattern_of(it)) == (kind, response, pattern)
            assert it["result"] == ("correct" if attempt == 1 else "wrong")
    assert {it["result"] for it in items[n:]} == {"wrong"}
    assert_clean(lms)


# --------------------------------------------------------------------------- 5. leave half-way, resume

def test_resume_half_way_then_finish(lms, packages, course) -> None:
    # leave in the third module, after two modules (quizzes, reflections) are done
    stop = course.modules[2].pages[min(2, len(course.modules[2].pages) - 1)] if len(course.modules) > 2 else len(course.pages) // 2
    frame = lms.play(packages["certificate"], cmi={"core": {"student_name": LMS_NAME}})
    frame.click("#cp-start")
    texts: dict[str, str] = {}
    answers: dict[str, dict] = {}
    play_pages(frame, course, "certificate", stop=stop, texts=texts, answers=answers)
    assert drv.current_page(frame) == stop
    lms.close_content()  # pagehide: the player finishes the session
    first = lms.final_cmi()
    assert first["core"]["exit"] == "suspend" and first["core"]["lesson_status"] == "incomplete"
    assert first["core"]["lesson_location"] == course.pages[stop].key
    assert_clean(lms)
    done_quizzes = [q for q in course.quizzes if q.page < stop]
    done_reflections = [r for r in course.reflections if r.page < stop]
    assert done_quizzes and done_reflections

    second = harness.next_session_cmi(first, first["core"]["session_time"])
    assert second["core"]["entry"] == "resume"
    frame = lms.play(packages["certificate"], cmi=second)
    entry = [c.ret for c in lms.calls() if c.element == "cmi.core.entry" and c.name == "LMSGetValue"]
    assert entry == ["resume"]
    # straight back to the page the learner left, and the menu offers to resume there
    frame.wait_for_selector(f"#cp-page-{stop}:not([hidden])")
    assert drv.current_page(frame) == stop
    frame.click("#cp-menu-button")
    assert frame.is_visible("#cp-resume") and frame.is_hidden("#cp-start")
    assert frame.inner_text("[data-cp-resume-title]") == f"({course.pages[stop].title})"
    for mi, module in enumerate(course.modules):
        seen = sum(1 for p in module.pages if p <= stop)
        assert frame.inner_text(f"[data-cp-module-progress='{mi}']") == f"{seen} of {len(module.pages)} pages seen"
        assert frame.is_visible(f"[data-cp-module-done='{mi}']") == (module.pages[-1] < stop)
    frame.click("#cp-resume")
    assert drv.current_page(frame) == stop and drv.focused_id(frame) == f"cp-page-{stop}-title"

    # the answered quizzes show their answers and result; the reflections are back, non-ASCII included
    for quiz in done_quizzes:
        frame.click("#cp-menu-button")
        frame.click(f"a[data-cp-goto='{quiz.page}']")
        qs = drv.quiz_sel(quiz)
        total = quiz.total_points
        assert f"You scored {total} of {total} points (100%)" in frame.inner_text(f"{qs} [data-cp-quiz-result]")
        assert "1 used" in frame.inner_text(f"{qs} [data-cp-quiz-status]")
        assert frame.locator(f"{qs} fieldset.cp-right").count() == len(quiz.questions)
        assert frame.is_hidden(f"{qs} [data-cp-action=submit]")
        for question in quiz.questions:
            assert_restored(frame, quiz, question, answers[quiz.id][question.id])
    for reflection in done_reflections:
        frame.click("#cp-menu-button")
        frame.click(f"a[data-cp-goto='{reflection.page}']")
        assert frame.input_value(f'[data-cp-reflection-input="{reflection.id}"]') == texts[reflection.id]
        assert "é" in texts[reflection.id] and "—" in texts[reflection.id]

    # finish the course from where the learner left off
    frame.click("#cp-menu-button")
    frame.click(f"a[data-cp-goto='{stop}']")
    play_pages(frame, course, "certificate", start=stop, texts=texts, answers=answers)
    assert_certificate_ready(frame)
    frame.click("#cp-exit")
    final = lms.final_cmi()
    core = final["core"]
    assert (core["lesson_status"], core["score"]["raw"], core["exit"]) == ("passed", "100", "")
    # one reflection interaction per session that changed it (reflections left empty in the first
    # session are test_untouched_reflections_write_no_interactions' business)
    assert_quiz_interactions(final, course, answers, texts, reflections_once=False)
    # scorm-again replaces cmi.comments: the second session's write holds every reflection
    assert frame.evaluate("(v) => Coursepack.adapters.scorm12.parseComments(v).texts", final["comments"]) == texts
    assert_suspend_data_fits(final)
    assert_clean(lms)


def assert_restored(frame, quiz: drv.QuizKey, question: Any, answer: Any) -> None:
    fs = drv.question_sel(quiz, question)
    t = question.type
    if t == "single_choice":
        assert frame.is_checked(f'{fs} input[data-cp-choice="{answer}"]')
    elif t == "multiple_response":
        for c in question.choices:
            assert frame.is_checked(f'{fs} input[data-cp-choice="{c.id}"]') == (c.id in answer), (question.id, c.id)
    elif t == "true_false":
        assert frame.is_checked(f'{fs} input[value="{"true" if answer else "false"}"]')
    elif t == "fill_in":
        # a right fill-in is saved as "which accepted answer", not as typed
        value = frame.input_value(f"{fs} input[data-cp-fill-input]")
        assert value in question.accepted, (question.id, value)
    elif t == "matching":
        for pid, match in answer.items():
            assert frame.input_value(f'{fs} select[data-cp-match="{pid}"]') == match
    elif t == "sequencing":
        assert drv.sequence_order(frame, fs) == list(answer)
    assert frame.eval_on_selector_all(f"{fs} input, {fs} select, {fs} button", "els => els.every(e => e.disabled)")


def test_untouched_reflections_write_no_interactions(lms, packages, course) -> None:
    # The player reports every reflection box on each view change; an empty, untouched box
    # must not become an empty cmi.interactions record (it once did, for every reflection).
    frame = lms.play(packages["certificate"])
    frame.click("#cp-start")
    first_reflection = min(r.page for r in course.reflections)
    for _ in range(min(2, first_reflection)):  # a few pages, no reflection reached
        drv.next_page(frame)
    lms.close_content()
    final = lms.final_cmi()
    assert_clean(lms)
    written = [it for it in drv.interactions(final) if it["id"] in {r.id for r in course.reflections}]
    assert written == [], [(it["id"], it["student_response"]) for it in written]


# --------------------------------------------------------------------------- 6. keyboard only

@pytest.mark.parametrize("edition", ["standard", "certificate"])
def test_whole_course_by_keyboard_only(lms, packages, course, edition) -> None:
    frame = lms.play(packages[edition], cmi={"core": {"student_name": LMS_NAME}})
    frame.wait_for_selector("#cp-menu:not([hidden])")
    kb = drv.Keyboard(lms.page, frame)
    kb.tab_to("#cp-start")  # from the LMS page, into the course frame
    kb.assert_focus_visible("Start button")
    kb.press("Enter")
    rings_checked: set[str] = set()

    def ring_once(kind: str) -> None:
        if kind not in rings_checked:
            rings_checked.add(kind)
            kb.assert_focus_visible(kind)

    for page in course.pages:
        frame.wait_for_selector(f"#cp-page-{page.index}:not([hidden])")
        assert kb.focused_is(f"#cp-page-{page.index}-title"), f"page {page.index}: focus on {kb.focused()}"
        if page.index == 1:
            ring_once("page heading after Next")
        for reflection in course.reflections_on(page.index):
            kb.write(reflection, drv.reflection_text(reflection.id))
            ring_once("reflection textarea")
        for quiz in course.quizzes_on(page.index):
            for question in quiz.questions:
                kb.answer_question(quiz, question)
                ring_once(question.type)
            kb.tab_to(f"{drv.quiz_sel(quiz)} [data-cp-action=submit]")
            ring_once("submit button")
            kb.press("Enter")
            frame.wait_for_selector(f"{drv.quiz_sel(quiz)} [data-cp-action=submit]", state="hidden")
            total = quiz.total_points
            assert f"You scored {total} of {total} points (100%)" in frame.inner_text(f"{drv.quiz_sel(quiz)} [data-cp-quiz-result]")
            assert kb.focused_is(f"{drv.quiz_sel(quiz)} [data-cp-action=retry]"), kb.focused()
        kb.tab_to("#cp-next")
        ring_once("Next button")
        kb.press("Enter")

    if edition == "certificate":
        frame.wait_for_selector("#cp-certificate:not([hidden])")
        assert kb.focused_is("#cp-certificate-title")
        assert_certificate_ready(frame)
        kb.tab_to("#cp-print")
        ring_once("Print button")
    else:
        frame.wait_for_selector("#cp-menu:not([hidden])")
        assert kb.focused_is("#cp-menu-title")
    kb.tab_to("#cp-exit", backwards=True)
    ring_once("Exit button")
    kb.press("Enter")
    frame.wait_for_selector("#cp-finished:not([hidden])")
    final = lms.final_cmi()
    core = final["core"]
    expected = "passed" if edition == "certificate" else "completed"
    assert (core["lesson_status"], core["score"]["raw"], core["exit"]) == (expected, "100", "")
    assert len(drv.interactions(final)) == sum(len(q.questions) for q in course.quizzes) + len(course.reflections)
    assert_clean(lms)


# --------------------------------------------------------------------------- 7. one SCO per module

def test_sco_per_module_first_module_completes(lms, per_module_package, course) -> None:
    with zipfile.ZipFile(per_module_package) as zf:
        root = ET.fromstring(zf.read("imsmanifest.xml"))
    ns = {"cp": "http://www.imsproject.org/xsd/imscp_rootv1p1p2"}
    org = root.find("cp:organizations/cp:organization", ns)
    top = org.findall("cp:item", ns)
    assert len(top) == 1 and top[0].get("identifierref") is None  # one non-launchable root item
    children = top[0].findall("cp:item", ns)
    assert len(children) == len(course.modules)
    resources = {r.get("identifier"): r for r in root.find("cp:resources", ns)}
    scorm_type = "{http://www.adlnet.org/xsd/adlcp_rootv1p2}scormtype"
    assert all(resources[i.get("identifierref")].get(scorm_type) == "sco" for i in children)
    first = resources[children[0].get("identifierref")]

    module = drv.CourseKey.load(REPO, module_ids=[course.modules[0].id])
    frame = lms.play(per_module_package, launch=first.get("href"))
    assert frame.evaluate("JSON.parse(document.getElementById('coursepack-data').textContent).pages.length") == len(module.pages)
    frame.click("#cp-start")
    texts: dict[str, str] = {}
    answers: dict[str, dict] = {}
    play_pages(frame, module, "standard", texts=texts, answers=answers)
    assert drv.visible_view(frame) == "menu"
    frame.click("#cp-exit")
    final = lms.final_cmi()
    core = final["core"]
    assert (core["lesson_status"], core["score"]["raw"], core["exit"]) == ("completed", "100", "")
    assert_quiz_interactions(final, module, answers, texts)
    assert_clean(lms)
