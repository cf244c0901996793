"""The REAL example course ("AI Literacy for Educators", the repo root) played end to end.

Built once per session with the `coursepack build` command (conftest.py's example_packages),
played in the test LMS (scorm-again as window.API, Moodle's rules checked by harness.check_strict).
Answer keys, pages, reflections and attempt limits are read from the YAML
(tests/browser/course_driver.py), never written here, so these tests keep working when the
authors edit the course.

Each play is slow (44 pages), so one play asserts everything its journey can show:

* test_whole_course_by_keyboard_only: keys only through every page of the certificate edition, the
  full-run results (status, score, interactions, certificate date and code), and axe in every frame
  plus the no-horizontal-scroll check at 360 px: at the first view of each kind while it is shown
  (axe at 360 px), then every view at once as the learner left it (axe at 360 and at 1280 px; class
  Sweep);
* test_resume_half_way_then_unlock_the_certificate: the locked certificate, a suspended and
  resumed session, the last reflection one character short, then long enough (mastery_override
  on, where the keyboard walkthrough has it off);
* test_retake_keeps_the_best_score_and_running_out_of_attempts_fails (mastery_override on):
  fail, retake, fail, and untouched reflections write no interactions;
* test_sco_per_module_first_module_completes: the one-SCO-per-module package of the standard
  edition: its first module played to the completion view, back to the contents by keys, and every
  view of the standard edition swept at 360 px.

test_player_smoke.py covers the scaffold and a generated "full" course (mastery trap, every
question type, codec budget, axe at 1280 px...).
"""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from coursepack.render.course_data import verification_code

from . import course_driver as drv
from . import harness

pytestmark = pytest.mark.browser

# cmi.core.student_name as an LMS sends it ("Last, First"), and as the certificate must print it.
LMS_NAME = "Núñez-Ortiz, José"
PRINTED_NAME = "José Núñez-Ortiz"
NARROW = {"width": 360, "height": 740}   # a phone; WCAG reflow
WIDE = {"width": 1280, "height": 800}    # the browser_context fixture's viewport
# The player keeps every view in one document and hides the others: a sweep checks the first view
# of each kind while it is shown (hidden views left out), then every view shown at once.
HIDDEN_VIEWS = ("section[data-cp-view][hidden]",)


# --------------------------------------------------------------------------- shared checks

def assert_clean(lms) -> None:
    violations = lms.check_strict()
    assert violations == [], "\n".join(map(str, violations))
    assert list(lms.console_errors) == []


def assert_suspend_data_fits(final: dict) -> None:
    text = final.get("suspend_data") or ""
    assert harness.utf16_len(text) <= 4096 and len(text.encode("utf-8")) <= 4096


class Sweep:
    """axe-core (WCAG 2.1 AA) and no horizontal scrolling at 360 px, in two parts, so that every page
    is checked without a run per page:

    * ``first_of``: the first view of each kind (the menu, each mix of blocks a page has, the completion
      and certificate views) while it is shown, in the state it first has: a quiz not answered yet, an
      empty reflection, nothing done; axe at 360 px. The host page is checked at the first view only
      (it does not change).
    * ``every_view``: at the end, every view of the course frame shown at once, each as the learner left
      it (quizzes submitted with their results, reflections written), checked in one axe run at each
      of ``every_view_widths``.
    """

    def __init__(self, lms, frame, every_view_widths: tuple[int, ...] = (NARROW["width"],)) -> None:
        self.lms, self.frame, self.every_view_widths = lms, frame, every_view_widths
        self.axe: list[dict] = []
        self.too_wide: list[str] = []
        self.kinds: set[Any] = set()
        self.views = 0
        self.shown_at_once = 0

    def first_of(self, kind: Any, where: str) -> None:
        if kind not in self.kinds:
            self.kinds.add(kind)
            self.check(where)

    def check(self, where: str, whole: bool = False) -> None:
        self._sweep(where, lambda width: [f"{width}px"], exclude=() if whole else HIDDEN_VIEWS,
                    frames="all" if self.views == 0 else "frames", axe_widths=(NARROW["width"],))
        self.views += 1

    def every_view(self, where: str) -> None:
        """Every view shown at once (the player's hidden views un-hidden, then hidden again)."""
        self.shown_at_once = self.frame.evaluate(SHOW_EVERY_VIEW)
        try:
            self._sweep(where, lambda _width: self.frame.evaluate(WIDE_VIEWS), exclude=(), frames="frames",
                        axe_widths=self.every_view_widths)
        finally:
            self.frame.evaluate(HIDE_AGAIN)

    def _sweep(self, where: str, too_wide: Callable[[int], list[str]], exclude, frames: str,
               axe_widths: tuple[int, ...]) -> None:
        """No sideways scrolling at 360 px (too_wide(width) says what scrolls), then axe at each of
        axe_widths; the viewport back at 1280 px after."""
        page = self.lms.page
        try:
            page.set_viewport_size(NARROW)
            width, inner = self.frame.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if width > inner:
                self.too_wide.extend(f"{where}: {what}" for what in too_wide(width))
            for axe_width in axe_widths:
                page.set_viewport_size(NARROW if axe_width == NARROW["width"] else {**WIDE, "width": axe_width})
                for v in self.lms.run_axe(exclude=exclude, frames=frames):
                    v["help"] = f"{where} at {axe_width}px: {v['help']}"
                    self.axe.append(v)
        finally:
            page.set_viewport_size(WIDE)

    def assert_clean(self) -> None:
        assert self.axe == [], harness.format_axe(self.axe)
        assert self.too_wide == []


SHOW_EVERY_VIEW = """() => {
  const hidden = [...document.querySelectorAll('section[data-cp-view][hidden]')];
  for (const view of hidden) { view.removeAttribute('hidden'); view.setAttribute('data-sweep-hidden', ''); }
  return document.querySelectorAll('section[data-cp-view]').length;
}"""
HIDE_AGAIN = """() => {
  for (const view of document.querySelectorAll('[data-sweep-hidden]')) {
    view.removeAttribute('data-sweep-hidden'); view.setAttribute('hidden', '');
  }
}"""
# Only when the document scrolls sideways: which views do, each measured alone.
WIDE_VIEWS = """() => {
  const views = [...document.querySelectorAll('section[data-cp-view]')];
  const wide = [];
  for (const view of views) {
    for (const other of views) other.hidden = other !== view;
    const width = document.documentElement.scrollWidth;
    if (width > window.innerWidth) wide.push(`${view.id}: ${width}px`);
  }
  for (const view of views) view.hidden = false;
  return wide;
}"""


def page_kind(course: drv.CourseKey, page: drv.PageKey) -> str:
    """What a page first shows the sweep: a quiz not answered yet, an empty reflection, a module's
    introduction, or content only (each page's content is checked again in every_view)."""
    if course.quizzes_on(page.index):
        return "quiz"
    if course.reflections_on(page.index):
        return "reflection"
    return "module start" if course.modules[page.module].pages[0] == page.index else "content"


def play_pages(frame, course: drv.CourseKey, edition: str, *, start: int = 0, stop: int | None = None,
               texts: dict[str, str] | None = None, answers: dict[str, dict] | None = None,
               skip_reflections: tuple[str, ...] = ()) -> None:
    """From page ``start`` (shown), Next through every page up to ``stop`` (exclusive; default:
    past the last page), answering each quiz right and writing each reflection on the way.
    Records the answers given in ``answers`` and the reflection texts in ``texts``. Acts without
    Playwright's actionability waits (drv: force=True): this traversal runs in several tests."""
    stop = len(course.pages) if stop is None else stop
    texts = {} if texts is None else texts
    answers = {} if answers is None else answers
    for page in course.pages[start:stop]:
        drv.wait_for_images(frame, page.index)  # acting without the waits: clicks land where controls are now
        assert drv.current_page(frame) == page.index, f"expected page {page.index} ({page.key})"
        assert frame.get_attribute(f"#cp-page-{page.index}", "data-cp-page") == page.key
        assert drv.focused_id(frame) == f"cp-page-{page.index}-title"
        for reflection in course.reflections_on(page.index):
            if reflection.id in skip_reflections:
                continue
            texts[reflection.id] = drv.reflection_text(reflection.id)
            drv.write_reflection(frame, reflection, texts[reflection.id], force=True)
        for quiz in course.quizzes_on(page.index):
            answers[quiz.id] = drv.answer_quiz(frame, quiz, force=True)
            assert_quiz_right(frame, quiz)
        if page.index == len(course.pages) - 1:
            assert_last_next_label(frame, edition, done=not skip_reflections)
        drv.next_page(frame, force=True)


def assert_quiz_right(frame, quiz: drv.QuizKey) -> None:
    total = quiz.total_points
    assert f"You scored {total} of {total} points (100%)" in frame.inner_text(f"{drv.quiz_sel(quiz)} [data-cp-quiz-result]")
    assert frame.locator(f"{drv.quiz_sel(quiz)} fieldset.cp-wrong").count() == 0


def assert_last_next_label(frame, edition: str, done: bool) -> None:
    """The last page's button: "Finish" once the course is done (it leads to the completion view,
    issue 10), else where the learner goes next."""
    expected = "Finish" if done else "Certificate" if edition == "certificate" else "Back to contents"
    assert frame.inner_text("#cp-next").strip() == expected


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


def assert_certificate_ready(frame) -> dict[str, str]:
    """The unlocked certificate with the LMS learner's name; returns the name, date and code shown."""
    frame.wait_for_selector("[data-cp-cert-ready]:not([hidden])")
    assert frame.is_hidden("[data-cp-cert-locked]")
    shown = {k: frame.inner_text(f"[data-cp-cert-{k}]").strip() for k in ("name", "date", "code")}
    assert shown["name"] == PRINTED_NAME
    assert shown["date"] and shown["code"]
    return shown


def assert_certificate_dated_and_coded(shown: dict[str, str], final: dict, course: drv.CourseKey) -> None:
    """The certificate's date is the completion day in the saved state (today); its code checks."""
    day = drv.completion_day(final["suspend_data"])
    assert abs((day - datetime.date.today()).days) <= 1
    assert shown["date"] == f"{day:%B} {day.day}, {day.year}"
    c = course.course
    assert shown["code"] == verification_code(c.id, c.version, final["core"]["student_id"], PRINTED_NAME, day.isoformat())


# --------------------------------------------------------------------------- 1. every page, keys only

def test_whole_course_by_keyboard_only(lms, example_packages, example_course) -> None:
    """The whole course with keys only (Tab, Shift+Tab, Enter, Space, arrows, typing); at every
    view no horizontal scrolling at 360 px and axe in every frame; then the full run's results.
    The certificate edition: its pages are the standard edition's, plus the certificate; the standard
    edition's own ending is played by keys in test_sco_per_module_first_module_completes."""
    course, edition = example_course, "certificate"
    frame = lms.play(example_packages[edition], cmi={"core": {"student_name": LMS_NAME}})
    frame.wait_for_selector("#cp-menu:not([hidden])")
    sweep = Sweep(lms, frame, every_view_widths=(NARROW["width"], WIDE["width"]))
    sweep.check("menu", whole=True)
    sweep.kinds.add("menu")
    kb = drv.Keyboard(lms.page, frame)
    kb.tab_to("#cp-start")  # from the LMS page, into the course frame
    kb.assert_focus_visible("Start button")
    kb.press("Enter")
    rings_checked: set[str] = set()

    def ring_once(kind: str) -> None:
        if kind not in rings_checked:
            rings_checked.add(kind)
            kb.assert_focus_visible(kind)

    texts: dict[str, str] = {}
    answers: dict[str, dict] = {}
    for page in course.pages:
        frame.wait_for_selector(f"#cp-page-{page.index}:not([hidden])")
        assert kb.focused_is(f"#cp-page-{page.index}-title"), f"page {page.index}: focus on {kb.focused()}"
        assert drv.current_page(frame) == page.index
        assert frame.get_attribute(f"#cp-page-{page.index}", "data-cp-page") == page.key
        sweep.first_of(page_kind(course, page), f"page {page.index} ({page.key})")
        if page.index == 1:
            ring_once("page heading after Next")
        for reflection in course.reflections_on(page.index):
            texts[reflection.id] = drv.reflection_text(reflection.id)
            kb.write(reflection, texts[reflection.id])
            ring_once("reflection textarea")
        for quiz in course.quizzes_on(page.index):
            answers[quiz.id] = {}
            for question in quiz.questions:
                answers[quiz.id][question.id] = kb.answer_question(quiz, question)
                ring_once(question.type)
            kb.tab_to(f"{drv.quiz_sel(quiz)} [data-cp-action=submit]")
            ring_once("submit button")
            kb.press("Enter")
            frame.wait_for_selector(f"{drv.quiz_sel(quiz)} [data-cp-action=submit]", state="hidden")
            assert_quiz_right(frame, quiz)
            # focus goes to Try again, or to the result where there is none (issue 10: none at 100%)
            after = "[data-cp-action=retry]" if frame.is_visible(f"{drv.quiz_sel(quiz)} [data-cp-action=retry]") else "[data-cp-quiz-result]"
            assert kb.focused_is(f"{drv.quiz_sel(quiz)} {after}"), kb.focused()
        if page.index == len(course.pages) - 1:
            assert_last_next_label(frame, edition, done=True)
        kb.tab_to("#cp-next")
        ring_once("Next button")
        kb.press("Enter")

    # Finish: the completion view (issue 10), then the certificate
    frame.wait_for_selector("#cp-complete:not([hidden])")
    assert kb.focused_is("#cp-complete-title"), kb.focused()
    sweep.first_of("completion", "completion view")
    kb.activate("#cp-complete [data-cp-goto=certificate]")
    frame.wait_for_selector("#cp-certificate:not([hidden])")
    assert kb.focused_is("#cp-certificate-title")
    assert drv.visible_view(frame) == "certificate"
    shown = assert_certificate_ready(frame)
    sweep.first_of("certificate", "certificate view")
    kb.tab_to("#cp-print")
    ring_once("Print button")
    sweep.every_view("every view after the last page")
    kb.tab_to("#cp-exit", backwards=True)
    ring_once("Exit button")
    kb.press("Enter")
    frame.wait_for_selector("#cp-finished:not([hidden])")
    assert kb.focused_is("#cp-finished-title"), kb.focused()

    final = lms.final_cmi()
    core = final["core"]
    assert (core["lesson_status"], core["score"]["raw"], core["exit"]) == ("passed", "100", "")
    assert drv.TIMESPAN.match(core["session_time"]), core["session_time"]
    assert core["lesson_location"] == course.pages[-1].key
    assert_quiz_interactions(final, course, answers, texts)
    assert_suspend_data_fits(final)
    assert (core["score"]["min"], core["score"]["max"]) == ("0", "100")
    assert_certificate_dated_and_coded(shown, final, course)
    names = [c.name for c in lms.calls() if c.name not in harness.ERROR_FUNCTIONS]
    assert names.count("LMSFinish") == 1 and names[-1] == "LMSFinish"
    distinct = {page_kind(course, page) for page in course.pages}
    assert sweep.views == 1 + len(distinct) + 2, sweep.kinds  # the menu, each kind, completion, certificate
    # every page, the menu, the completion and finished views, and the certificate view
    assert sweep.shown_at_once == len(course.pages) + 4
    sweep.assert_clean()
    assert_clean(lms)


# --------------------------------------------------------------------------- 2. locked, leave half-way, resume, unlock

def test_resume_half_way_then_unlock_the_certificate(lms, example_packages, example_course) -> None:
    """Session 1: the certificate locked with everything missing, then two modules done, then the
    tab closes. Session 2 resumes where the learner left, with every answer and reflection back,
    finishes all but the last reflection (certificate locked, one item missing), writes it one
    character short (still locked), then long enough: passed. mastery_override is ON here (the
    keyboard walkthrough plays with it off): the passing status must not depend on it."""
    course, package, settings = example_course, example_packages["certificate"], {}
    frame = lms.play(package, settings=settings, cmi={"core": {"student_name": LMS_NAME}})
    # before anything: every module, reflection and quiz is listed as missing
    frame.click("a[data-cp-goto=certificate]")
    frame.wait_for_selector("[data-cp-cert-locked]:not([hidden])")
    assert frame.is_hidden("[data-cp-cert-ready]")
    missing = frame.locator("[data-cp-cert-missing] a")
    assert missing.count() == len(course.modules) + len(course.reflections) + len(course.quizzes)
    assert "(locked until you finish the course)" in frame.inner_text("[data-cp-cert-state]")

    # leave in the third module, after two modules (quizzes, reflections) are done
    stop = course.modules[2].pages[min(2, len(course.modules[2].pages) - 1)] if len(course.modules) > 2 else len(course.pages) // 2
    last = course.reflections[-1]
    assert last.page >= stop, "the last reflection must come after the page the learner leaves on"
    frame.click("#cp-menu-button")
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
    frame = lms.play(package, settings=settings, cmi=second)
    entry = [c.ret for c in lms.calls() if c.element == "cmi.core.entry" and c.name == "LMSGetValue"]
    assert entry == ["resume"]
    # straight back to the page the learner left, and the menu offers to resume there
    frame.wait_for_selector(f"#cp-page-{stop}:not([hidden])")
    assert drv.current_page(frame) == stop
    module_no = course.pages[stop].module + 1
    assert frame.inner_text("[data-cp-welcome]") == f"Welcome back \u2014 continue with Module {module_no} \u00b7 {course.pages[stop].title}."
    frame.click("#cp-menu-button")
    assert frame.is_visible("#cp-resume") and frame.is_hidden("#cp-start")
    assert frame.inner_text("#cp-resume") == f"Resume: Module {module_no} \u00b7 {course.pages[stop].title}"
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

    # finish the course from where the learner left off, all but the last reflection
    frame.click("#cp-menu-button")
    frame.click(f"a[data-cp-goto='{stop}']")
    play_pages(frame, course, "certificate", start=stop, texts=texts, answers=answers, skip_reflections=(last.id,))
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
    assert " · 1 more needed · " in frame.inner_text(f'[data-cp-counter="{last.id}"]')
    frame.click("#cp-menu-button")
    frame.click("a[data-cp-goto=certificate]")
    frame.wait_for_selector("[data-cp-cert-locked]:not([hidden])")
    assert frame.locator("[data-cp-cert-missing] a").count() == 1

    # long enough: unlocked
    frame.click("[data-cp-cert-missing] a")
    texts[last.id] = drv.exactly(drv.reflection_text(last.id), need)
    drv.write_reflection(frame, last, texts[last.id])
    assert " · enough to count · " in frame.inner_text(f'[data-cp-counter="{last.id}"]')
    frame.click("#cp-menu-button")
    assert "(unlocked)" in frame.inner_text("[data-cp-cert-state]")
    frame.click("a[data-cp-goto=certificate]")
    assert_certificate_ready(frame)
    frame.click("#cp-exit")
    final = lms.final_cmi()
    core = final["core"]
    assert (core["lesson_status"], core["score"]["raw"], core["exit"]) == ("passed", "100", "")
    # one reflection interaction per session that changed it (the last counts)
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
    # locked for review: still focusable (not disabled), marked aria-disabled
    assert frame.eval_on_selector_all(f"{fs} input, {fs} select, {fs} button",
                                      "els => els.every(e => !e.disabled && e.getAttribute('aria-disabled') === 'true')")


# --------------------------------------------------------------------------- 3. fail, retake, run out of attempts

def limited_quizzes(course: drv.CourseKey) -> list[drv.QuizKey]:
    return [q for q in course.quizzes if q.attempts and q.attempts >= 2]


def test_retake_keeps_the_best_score_and_running_out_of_attempts_fails(lms, example_packages, example_course) -> None:
    """Quiz 1 wrong, right, wrong: the best score stays; quiz 2 wrong until no attempts are left:
    failed. The learner never types in a reflection box, and the player reports every box on
    each view change: no reflection may become an (empty) interaction. mastery_override is ON (the
    LMS may judge by the score), where "failed" is easiest to lose; test_player_smoke.py's
    test_failed_when_attempts_run_out runs out of attempts with it off and on."""
    settings: dict = {}
    course = example_course
    limited = limited_quizzes(course)
    if len(limited) < 2:
        pytest.skip("the example course needs two quizzes with a limited number of attempts (>= 2)")
    retaken, lost = limited[0], limited[1]
    mark = course.course.certificate.requires.quiz_pass_mark
    frame = lms.play(example_packages["certificate"], settings=settings)

    # quiz 1: all wrong, then right. The certificate edition shows explanations and keys only once
    # a quiz is passed or out of attempts (certificate.show_answers), and offers no "Try again" at 100%
    frame.click(f"a[data-cp-goto='{retaken.page}']")
    q = drv.quiz_sel(retaken)
    given = [drv.answer_quiz(frame, retaken, right=False)]
    assert frame.locator(f"{q} fieldset.cp-wrong").count() == len(retaken.questions)
    assert frame.locator(f"{q} fieldset.cp-right").count() == 0
    for question in retaken.questions:
        fs = drv.question_sel(retaken, question)
        assert frame.inner_text(f"{fs} [data-cp-verdict]") == "Not quite."
        if question.explanation:
            assert frame.is_hidden(f"{fs} [data-cp-explanation]")
    result = frame.inner_text(f"{q} [data-cp-quiz-result]")
    assert "(0%)" in result and f"The pass mark is {mark}%" in result and "Explanations appear once you pass" in result
    assert frame.evaluate("document.activeElement.dataset.cpAction") == "retry"
    frame.click(f"{q} [data-cp-action=retry]")
    assert frame.locator(f"{q} fieldset.cp-wrong").count() == 0 and frame.is_hidden(f"{q} [data-cp-explanation]")
    given.append(drv.answer_quiz(frame, retaken, right=True))
    assert frame.locator(f"{q} fieldset.cp-right").count() == len(retaken.questions)
    assert "(100%). You passed" in frame.inner_text(f"{q} [data-cp-quiz-result]")
    for question in retaken.questions:
        if question.explanation:
            assert frame.is_visible(f"{drv.question_sel(retaken, question)} [data-cp-explanation]")
    status = frame.inner_text(f"{q} [data-cp-quiz-status]")
    assert f"{retaken.attempts} attempts allowed, 2 used" in status and "best score 100%" in status
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
    overall = frame.inner_text("[data-cp-overall]")
    assert "You can no longer pass the course in this attempt" in overall and f"\u201c{lost.block.title or 'Quiz'}\u201d" in overall
    assert frame.is_visible("[data-cp-failed-help]")   # course.yaml's completion.if_failed
    frame.click("a[data-cp-goto=certificate]")
    missing = frame.inner_text("[data-cp-cert-missing]")
    assert f"Score at least {mark}% in the quiz \u201c{lost.block.title or 'Quiz'}\u201d (best so far 0%): no attempts left" in missing

    lms.close_content()
    final = lms.final_cmi()
    core = final["core"]
    assert core["lesson_status"] == "failed"
    assert float(core["score"]["raw"]) < mark
    reflection_ids = {r.id for r in course.reflections}
    written = [it for it in drv.interactions(final) if it["id"] in reflection_ids]
    assert written == [], [(it["id"], it["student_response"]) for it in written]
    items = drv.interactions(final)
    assert len(items) == len(retaken.questions) * 2 + len(lost.questions) * lost.attempts
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


# --------------------------------------------------------------------------- 4. one SCO per module

def test_sco_per_module_first_module_completes(lms, example_per_module, example_course) -> None:
    course, per_module_package = example_course, example_per_module
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

    module = drv.CourseKey.load(drv.REPO, module_ids=[course.modules[0].id])
    frame = lms.play(per_module_package, launch=first.get("href"))
    assert frame.evaluate("JSON.parse(document.getElementById('coursepack-data').textContent).pages.length") == len(module.pages)
    frame.click("#cp-start")
    texts: dict[str, str] = {}
    answers: dict[str, dict] = {}
    play_pages(frame, module, "standard", texts=texts, answers=answers)
    assert drv.visible_view(frame) == "complete"  # Finish (issue 10)
    # the standard edition's ending, by keys: no certificate, back to the contents, which say so
    kb = drv.Keyboard(lms.page, frame)
    assert kb.focused_is("#cp-complete-title"), kb.focused()
    kb.activate("#cp-complete [data-cp-action=menu]")  # "Back to contents"
    frame.wait_for_selector("#cp-menu:not([hidden])")
    assert kb.focused_is("#cp-menu-title"), kb.focused()
    assert drv.visible_view(frame) == "menu"
    assert "You have completed the course." in frame.inner_text("[data-cp-overall]")
    sweep = Sweep(lms, frame)
    sweep.every_view("every view of the standard edition's SCO")
    assert sweep.shown_at_once == len(module.pages) + 3  # the pages, the menu, completion, finished
    sweep.assert_clean()
    frame.click("#cp-exit")
    final = lms.final_cmi()
    core = final["core"]
    assert (core["lesson_status"], core["score"]["raw"], core["exit"]) == ("completed", "100", "")
    assert_quiz_interactions(final, module, answers, texts)
    assert_clean(lms)
