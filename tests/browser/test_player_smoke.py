"""The player played for real: scorm-again as window.API, Moodle's rules, axe on every view.

The lead's play-through tests go further; these check the player's own promises: the status and
score rules (the mastery-score trap with override on and off), every question type by keyboard,
resume, the standalone fallback and the certificate. Packages are built once per session
(conftest.py: scaffold_packages, full_packages); the example course's every-view axe sweep at
360 px is part of test_example_course.py's keyboard walkthrough.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from coursepack.load.course_loader import load_course
from coursepack.render.course_data import verification_code
from coursepack.render.state_budget import suspend_chars
from coursepack.render.unit_contents import unit_contents
from coursepack.targets.limits import SCORM12_LIMITS as SCORM12

from . import course_driver as drv
from . import harness

pytestmark = pytest.mark.browser

OVERRIDE = [pytest.param(None, id="override-off"), pytest.param({}, id="override-on")]
GOAL = "I want to learn how to write a course in YAML and ship it to our LMS."


@pytest.fixture(scope="module")
def paged_full_packages(full_course, tmp_path_factory) -> dict[str, Path]:
    """The full course with its pages' markup in page files, one page per file (the course is small
    enough to keep it in the launch page): every turn needs a file, so a turn that runs ahead of its
    file, or a place that reads a page not loaded, shows here."""
    from coursepack.render import page as page_render

    out = tmp_path_factory.mktemp("full-paged")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(page_render, "INLINE_PAGES_MAX", 0)
        patch.setattr(page_render, "PAGE_FILE_BYTES", 1)
        return {e: drv.build_dir(full_course, e, out / e) for e in ("standard", "certificate")}


LAYOUTS = [pytest.param("inline", id="pages-inline"), pytest.param("files", id="page-files")]


@pytest.fixture(params=LAYOUTS)
def full_cert(request, full_packages, paged_full_packages) -> Path:
    return (full_packages if request.param == "inline" else paged_full_packages)["certificate"]


@pytest.fixture(params=LAYOUTS)
def full_standard(request, full_packages, paged_full_packages) -> Path:
    return (full_packages if request.param == "inline" else paged_full_packages)["standard"]


# Where the layout cannot change what a test checks (the saved state's codec, the comments' framing),
# or where the mastery setting is what varies, the layouts are not multiplied in: each pairing once.
LAYOUT_AND_OVERRIDE = [pytest.param("inline", None, id="pages-inline-override-off"),
                       pytest.param("files", {}, id="page-files-override-on")]


def cert_package(layout: str, full_packages: dict[str, Path], paged_full_packages: dict[str, Path]) -> Path:
    return (full_packages if layout == "inline" else paged_full_packages)["certificate"]


@pytest.fixture
def full_cert_inline(full_packages) -> Path:
    return full_packages["certificate"]


@pytest.fixture
def scaffold_cert(scaffold_packages) -> Path:
    return scaffold_packages["certificate"]


def assert_clean(lms, axe: list | None = None) -> None:
    violations = lms.check_strict()
    assert violations == [], "\n".join(map(str, violations))
    assert list(lms.console_errors) == []
    if axe is not None:
        assert axe == [], harness.format_axe(axe)


def axe_here(lms, seen: list | None) -> None:
    if seen is not None:
        seen.extend(lms.run_axe())


def answer_basics(frame, right: bool = True) -> None:
    quiz = "[data-cp-quiz=basics-quiz] "
    frame.check(quiz + "[data-cp-question=single] input[data-cp-choice=%s]" % ("b" if right else "a"))
    frame.check(quiz + "[data-cp-question=multi] input[data-cp-choice=a]")
    frame.check(quiz + "[data-cp-question=multi] input[data-cp-choice=c]")
    frame.check(quiz + "[data-cp-question=tf] input[value=true]")
    frame.click(quiz + "[data-cp-action=submit]")


def order_by_keyboard(frame, page, quiz: str, wanted: list[str]) -> None:
    """Put the sequencing items in `wanted` order with the Move up buttons, keyboard only."""
    for target_pos, item in enumerate(wanted):
        while True:
            items = frame.eval_on_selector_all(quiz + "[data-cp-item]", "els => els.map(e => e.dataset.cpItem)")
            pos = items.index(item)
            if pos == target_pos:
                break
            frame.focus(quiz + f'[data-cp-item="{item}"] [data-cp-move=up]')
            page.keyboard.press("Enter")
            # focus stays on the button that was pressed
            assert frame.evaluate("document.activeElement.closest('[data-cp-item]').dataset.cpItem") == item


def answer_advanced(frame, page) -> None:
    quiz = "[data-cp-quiz=advanced-quiz] "
    frame.fill(quiz + "[data-cp-fill-input]", "  yaml ")
    for pair in ["one", "two", "three"]:  # the right option's value is the prompt's own pair id
        frame.select_option(quiz + f'select[data-cp-match="{pair}"]', value=pair)
    order_by_keyboard(frame, page, quiz, ["first", "second", "third"])
    frame.click(quiz + "[data-cp-action=submit]")


def interactions(final: dict) -> list[dict]:
    items = final.get("interactions") or {}
    return [items[k] for k in sorted(items, key=int)] if isinstance(items, dict) else list(items)


@pytest.mark.parametrize("settings", OVERRIDE)
def test_scaffold_certificate_passes(lms, scaffold_cert, settings) -> None:
    frame = lms.play(scaffold_cert, settings=settings)
    # the views do not depend on mastery_override: axe runs in one of the two plays
    axe: list | None = [] if settings is None else None
    frame.wait_for_selector("#cp-menu-title")
    axe_here(lms, axe)
    frame.click("#cp-start")
    assert frame.evaluate("document.activeElement.id") == "cp-page-0-title"
    axe_here(lms, axe)
    drv.next_page(frame)
    frame.fill("[data-cp-reflection-input=welcome-goal]", GOAL)
    assert "enough to count" in frame.inner_text("[data-cp-counter=welcome-goal]")
    axe_here(lms, axe)
    drv.next_page(frame)
    frame.check("[data-cp-question=blocks] input[data-cp-choice=reflection]")
    frame.check("[data-cp-question=yaml-tabs] input[value=false]")
    frame.click("[data-cp-action=submit]")
    assert "2 of 2 points (100%)" in frame.inner_text("[data-cp-quiz-result]")
    axe_here(lms, axe)
    assert frame.inner_text("#cp-next") == "Finish"
    drv.next_page(frame)  # the completion view, then the certificate
    assert frame.is_visible("#cp-complete") and "Congratulations" in frame.inner_text("#cp-complete-title")
    axe_here(lms, axe)
    frame.click("#cp-complete [data-cp-goto=certificate]")
    frame.wait_for_selector("[data-cp-cert-ready]:not([hidden])")
    assert frame.inner_text("[data-cp-cert-name]") == "Test Learner"  # "Learner, Test" from the LMS
    code = frame.inner_text("[data-cp-cert-code]")
    axe_here(lms, axe)
    lms.close_content()
    final = lms.final_cmi()
    core = final["core"]
    assert (core["lesson_status"], core["score"]["raw"], core["exit"]) == ("passed", "100", "")
    assert core["lesson_location"] == "welcome/check"
    iso = drv.completion_day(final["suspend_data"]).isoformat()
    assert code == verification_code("https://example.org/courses/my-course", "0.1.0", core["student_id"], "", iso)
    assert "#welcome-goal:%d:%s\n" % (len(GOAL), GOAL) in final["comments"]
    assert_clean(lms, axe)


@pytest.mark.parametrize("layout, settings", LAYOUT_AND_OVERRIDE)
def test_mastery_trap_skipped_reflection_stays_incomplete(lms, full_packages, paged_full_packages, layout, settings) -> None:
    frame = lms.play(cert_package(layout, full_packages, paged_full_packages), settings=settings)
    frame.click("#cp-start")
    for _ in range(3):
        drv.next_page(frame)  # media, reflect (left empty), check
    answer_basics(frame)
    drv.next_page(frame)
    answer_advanced(frame, lms.page)
    assert "3 of 3 points (100%)" in frame.inner_text("[data-cp-quiz=advanced-quiz] [data-cp-quiz-result]")
    drv.next_page(frame)  # certificate: locked, says what is missing, with a link to it
    frame.wait_for_selector("[data-cp-cert-locked]:not([hidden])")
    missing = frame.inner_text("[data-cp-cert-missing]")
    assert "Write at least 30 characters in the reflection on \u201cReflect\u201d" in missing
    frame.click("[data-cp-cert-missing] a")
    drv.settled(frame)
    assert frame.evaluate("document.activeElement.id") == "cp-page-2-title"
    lms.close_content()
    core = lms.final_cmi()["core"]
    assert core["lesson_status"] == "incomplete" and core["score"]["raw"] == "" and core["exit"] == "suspend"
    assert_clean(lms)


@pytest.mark.parametrize("layout, settings", LAYOUT_AND_OVERRIDE)
def test_failed_when_attempts_run_out(lms, full_packages, paged_full_packages, layout, settings) -> None:
    frame = lms.play(cert_package(layout, full_packages, paged_full_packages), settings=settings)
    frame.click("[data-cp-goto='3']")
    for attempt in range(3):
        answer_basics(frame, right=False)  # 2 of 4 points: 50%
        if attempt < 2:
            frame.click("[data-cp-quiz=basics-quiz] [data-cp-action=retry]")
    assert frame.is_hidden("[data-cp-quiz=basics-quiz] [data-cp-action=retry]")
    assert "no attempts left" in frame.inner_text("[data-cp-quiz=basics-quiz] [data-cp-quiz-result]")
    lms.close_content()
    core = lms.final_cmi()["core"]
    assert core["lesson_status"] == "failed" and float(core["score"]["raw"]) < 80
    assert_clean(lms)


def test_every_question_type_and_interactions(lms, full_standard) -> None:
    frame = lms.play(full_standard)
    axe: list = []
    frame.click("#cp-start")
    axe_here(lms, axe)
    drv.next_page(frame)
    axe_here(lms, axe)
    drv.next_page(frame)
    frame.fill("[data-cp-reflection-input=basics-goal]", GOAL)
    frame.fill("[data-cp-reflection-input=basics-extra]", "Caf\u00e9 \u2014 d\u00e9j\u00e0 vu.")
    axe_here(lms, axe)
    drv.next_page(frame)
    answer_basics(frame)
    axe_here(lms, axe)
    drv.next_page(frame)
    # unanswered questions are pointed out, no attempt used
    frame.click("[data-cp-quiz=advanced-quiz] [data-cp-action=submit]")
    assert "Question 1 has no answer yet" in frame.inner_text("[data-cp-quiz=advanced-quiz] [data-cp-quiz-result]")
    answer_advanced(frame, lms.page)
    axe_here(lms, axe)
    # all right: no "Try again" at 100%; focus goes to the announced result
    assert frame.evaluate("document.activeElement.hasAttribute('data-cp-quiz-result')")
    drv.next_page(frame)  # standard edition, course completed: the completion view
    assert frame.is_visible("#cp-complete")
    axe_here(lms, axe)
    lms.close_content()
    final = lms.final_cmi()
    core = final["core"]
    by_id = {i["id"]: i for i in interactions(final)}
    assert (core["lesson_status"], core["score"]["raw"], core["exit"]) == ("completed", "100", "")
    assert (by_id["basics-quiz.single"]["type"], by_id["basics-quiz.single"]["student_response"]) == ("choice", "b")
    assert by_id["basics-quiz.single"]["weighting"] == "2" and by_id["basics-quiz.single"]["result"] == "correct"
    assert by_id["basics-quiz.multi"]["student_response"] == "a,c"
    assert by_id["basics-quiz.tf"]["student_response"] == "t"
    assert by_id["advanced-quiz.fill"]["student_response"] == "  yaml "
    assert by_id["advanced-quiz.match"]["student_response"] == "1.a,2.b,3.c"
    assert by_id["advanced-quiz.order"]["student_response"] == "a,b,c"
    assert by_id["basics-extra"]["student_response"] == "Café — déjà vu."  # the learner's own script
    assert by_id["basics-goal"]["type"] == "fill-in" and by_id["basics-goal"]["result"] == "neutral"
    assert_clean(lms, axe)


def test_resume_restores_everything(lms, full_cert) -> None:
    frame = lms.play(full_cert)
    frame.click("#cp-start")
    drv.next_page(frame)
    drv.next_page(frame)
    frame.fill("[data-cp-reflection-input=basics-goal]", GOAL)
    drv.next_page(frame)
    answer_basics(frame, right=False)
    lms.close_content()
    first = lms.final_cmi()
    assert first["core"]["exit"] == "suspend" and first["core"]["lesson_location"] == "basics/check"
    assert_clean(lms)

    second = harness.next_session_cmi(first, first["core"]["session_time"])
    frame = lms.play(full_cert, cmi=second)
    frame.wait_for_selector("#cp-page-3:not([hidden])")  # straight back to where the learner was
    result = frame.inner_text("[data-cp-quiz=basics-quiz] [data-cp-quiz-result]")
    assert "2 of 5 points" not in result and "(50%)" in result
    assert "3 attempts allowed, 1 used" in frame.inner_text("[data-cp-quiz=basics-quiz] [data-cp-quiz-status]")
    assert frame.is_checked("[data-cp-quiz=basics-quiz] [data-cp-question=single] input[data-cp-choice=a]")
    frame.click("#cp-menu-button")
    assert frame.is_visible("[data-cp-resume]") and frame.inner_text("#cp-resume") == "Resume: Module 1 \u00b7 Check"
    # a large unit's module entries are content-visibility: auto, laid out (and so given innerText) at
    # the next frame after the contents show
    frame.wait_for_function("document.querySelector(\"[data-cp-module-progress='0']\").innerText !== ''")
    assert "4 of 4 pages seen" in frame.inner_text("[data-cp-module-progress='0']")
    frame.click("[data-cp-goto='2']")
    assert frame.input_value("[data-cp-reflection-input=basics-goal]") == GOAL
    frame.fill("[data-cp-reflection-input=basics-goal]", GOAL + " And more.")
    lms.close_content()
    final = lms.final_cmi()
    # one cmi.comments write per session; whether the LMS appends or replaces, the last record wins
    assert final["comments"].startswith("@2#basics-goal:")
    assert_clean(lms)


def test_standalone_without_lms(page, lms_server, console_errors, full_standard) -> None:
    lms_server.install_package(full_standard)
    page.goto(lms_server.url("/pkg/index.html"))
    page.wait_for_selector("#cp-menu-title")
    assert page.is_visible("[data-cp-notice]") and "saved in this browser only" in page.inner_text("[data-cp-notice]")
    assert page.is_hidden("#cp-exit")
    page.click("#cp-start")
    page.click("#cp-next")
    page.reload()
    page.wait_for_selector("#cp-page-1:not([hidden])")
    assert list(console_errors) == []


def test_certificate_in_standalone_asks_for_a_name(page, lms_server, console_errors, scaffold_cert) -> None:
    lms_server.install_package(scaffold_cert)
    page.goto(lms_server.url("/pkg/index.html"))
    page.click("#cp-start")
    page.click("#cp-next")
    page.fill("[data-cp-reflection-input=welcome-goal]", GOAL)
    page.click("#cp-next")
    page.check("[data-cp-question=blocks] input[data-cp-choice=reflection]")
    page.check("[data-cp-question=yaml-tabs] input[value=false]")
    page.click("[data-cp-action=submit]")
    page.click("#cp-next")  # Finish: the completion view
    page.click("#cp-complete [data-cp-goto=certificate]")
    page.wait_for_selector("[data-cp-cert-form]:not([hidden])")
    page.fill("[data-cp-cert-name-input]", "  Ada   Lovelace ")
    page.click("[data-cp-action=cert-name]")
    assert page.inner_text("[data-cp-cert-name]") == "Ada Lovelace"
    assert page.evaluate("document.activeElement.id") == "cp-print"
    page.emulate_media(media="print")
    assert page.is_hidden(".cp-nav") and page.is_hidden(".cp-header") and page.is_visible("#cp-cert")
    for paper in ("A4", "Letter"):  # the certificate prints on exactly one sheet
        pdf = page.pdf(format=paper, print_background=True)
        assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1, paper
    assert list(console_errors) == []


def test_codec_worst_case_matches_the_build_budget(lms, full_cert_inline, full_course) -> None:
    frame = lms.play(full_cert_inline)
    plan = unit_contents(load_course(full_course), "certificate")
    # every quiz used its attempts, best 100%, every fill-in wrong with long non-ASCII text
    text = frame.evaluate(
        """() => {
        const data = JSON.parse(document.getElementById('coursepack-data').textContent);
        const state = {pages: data.pages.map(() => true), done: 36 ** 4 - 1, quizzes: data.quizzes.map(q => ({
            attempts: q.attempts || 5000, best: 10000,
            last: q.questions.map(x => x.type === 'fill_in' ? {ok: false, text: '\u00e9'.repeat(200)}
                : x.type === 'matching' ? x.pairs.map((p, i) => i) : x.type === 'sequencing' ? x.items.map((p, i) => i)
                : x.type === 'multiple_response' ? [0] : x.type === 'true_false' ? true : 0)})),
            // every reflection far past its cap, in characters that escape to the most room
            reflections: Object.fromEntries(data.reflections.map(r => [r.id, 'é|%~\\n\\u{1F600}'.repeat(2000)]))};
        const text = Coursepack.codec.encode(state, data);
        const back = Coursepack.codec.decode(text, data);
        return {text, roundtrip: JSON.stringify(back.quizzes.map(q => q.attempts)),
                reflections: data.reflections.map(r => back.reflections[r.id]), caps: data.reflections.map(r => r.max)};
    }"""
    )
    assert len(text["text"]) <= suspend_chars(plan, SCORM12)
    assert text["text"].isascii()
    assert json.loads(text["roundtrip"]) == [3, 2]
    for saved, cap in zip(text["reflections"], text["caps"]):  # cut at the cap, still decodable
        assert saved and ("é|%~\n\U0001F600" * 2000).startswith(saved) and len(saved) * 3 <= cap
    lms.close_content()


def test_comments_framing_works_whether_the_lms_appends_or_replaces(lms, full_cert_inline) -> None:
    # a value as Moodle keeps it after two sessions: both writes, appended
    appended = "@1#basics-goal:5:first\n#basics-extra:4:kept\n@2#basics-goal:6:second\n"
    frame = lms.play(full_cert_inline, cmi={"comments": appended})
    parsed = frame.evaluate("(v) => Coursepack.adapters.scorm12.parseComments(v)", appended)
    assert parsed == {"texts": {"basics-goal": "second", "basics-extra": "kept"}, "marks": [1, 2]}
    assert frame.evaluate("(m) => Coursepack.adapters.scorm12.commentsMode(m)", [1, 2]) == "append"
    assert frame.evaluate("(m) => Coursepack.adapters.scorm12.commentsMode(m)", [2]) == "replace"
    assert frame.evaluate("(m) => Coursepack.adapters.scorm12.commentsMode(m)", [1]) == "unknown"
    frame.click("[data-cp-goto='2']")
    assert frame.input_value("[data-cp-reflection-input=basics-goal]") == "second"
    assert frame.input_value("[data-cp-reflection-input=basics-extra]") == "kept"
    frame.fill("[data-cp-reflection-input=basics-goal]", "third:with #hash:3:and @9 marks\n")
    lms.close_content()
    written = [c.value for c in lms.calls() if c.element == "cmi.comments" and c.name == "LMSSetValue"]
    # an appending LMS gets only what changed, once; appended, it still reads right
    text = "third:with #hash:3:and @9 marks\n"
    assert written == ["@3#basics-goal:%d:%s\n" % (len(text), text)]
    assert_clean(lms)
    # appended as Moodle would, the next session reads the new text and keeps the old one
    frame = lms.play(full_cert_inline, cmi={"comments": appended + written[0]})
    frame.click("[data-cp-goto='2']")
    assert frame.input_value("[data-cp-reflection-input=basics-goal]") == text
    assert frame.input_value("[data-cp-reflection-input=basics-extra]") == "kept"


def test_reflection_max_chars_counts_characters_in_any_script(lms, tmp_path) -> None:
    """max_chars counts characters as the learner sees them, in any script; both stores still fit."""
    course = tmp_path / "course"
    import shutil

    shutil.copytree(drv.SCAFFOLD, course)
    module = course / "modules" / "01-welcome.yaml"
    module.write_text(module.read_text().replace("min_chars: 20", "min_chars: 20\n        max_chars: 60"))
    (course / "course.yaml").write_text((course / "course.yaml").read_text().replace("reflection_min_chars: 50", "reflection_min_chars: 20"))
    frame = lms.play(drv.build_dir(course, "standard", tmp_path / "pkg"))
    frame.click("#cp-start")
    drv.next_page(frame)
    box = "[data-cp-reflection-input=welcome-goal]"
    frame.fill(box, "\u00e9" * 50 + "\U0001F642" * 20)  # 70 characters typed into a 60-character cap
    assert frame.input_value(box) == "\u00e9" * 50 + "\U0001F642" * 10
    counter = frame.inner_text("[data-cp-counter=welcome-goal]")
    assert counter.startswith("60 characters \u00b7 enough to count \u00b7 at most 60"), counter
    assert "10 characters were not added" in counter
    frame.click("#cp-prev")  # blur saves the text
    lms.close_content()
    final = lms.final_cmi()
    assert "#welcome-goal:60:" + "\u00e9" * 50 + "\U0001F642" * 10 + "\n" in final["comments"]
    assert_clean(lms)


def test_browse_mode_reports_browsed_and_no_score(lms, scaffold_cert) -> None:
    """An LMS preview (lesson_mode browse, no credit) must not turn into a completion or a grade."""
    frame = lms.play(scaffold_cert, cmi={"core": {"lesson_mode": "browse", "credit": "no-credit"}})
    frame.click("#cp-start")
    drv.next_page(frame)
    frame.fill("[data-cp-reflection-input=welcome-goal]", GOAL)
    drv.next_page(frame)
    frame.check("[data-cp-question=blocks] input[data-cp-choice=reflection]")
    frame.check("[data-cp-question=yaml-tabs] input[value=false]")
    frame.click("[data-cp-action=submit]")
    drv.next_page(frame)
    lms.close_content()
    core = lms.final_cmi()["core"]
    assert core["lesson_status"] == "browsed"
    assert core["score"]["raw"] == ""
    assert_clean(lms)


def test_reflections_survive_a_session_that_never_finishes(lms, scaffold_packages) -> None:
    """Browsers drop synchronous requests during unload, so an LMS may never get the LMSFinish of a
    closed tab; what the last page-turn commit stored must be enough to resume with the reflection."""
    pkg = scaffold_packages["standard"]
    frame = lms.play(pkg)
    frame.click("#cp-start")
    drv.next_page(frame)
    text = "Café talk: I want my students to question AI answers — not just copy them.\nSecond line."
    frame.fill("[data-cp-reflection-input=welcome-goal]", text)
    drv.next_page(frame)  # the page turn commits
    stored = lms.commits()[-1]
    assert stored["name"] == "LMSCommit"
    cmi = stored["cmi"]
    assert "welcome-goal" not in (cmi.get("comments") or "")  # the comments copy waits for a clean finish
    assert cmi["core"]["lesson_location"] == "welcome/check"
    # the tab dies here: no LMSFinish reaches the LMS, which relaunches from what it stored
    second = harness.next_session_cmi(cmi)
    frame = lms.play(pkg, cmi=second)
    frame.wait_for_selector("#cp-page-2:not([hidden])")
    assert frame.input_value("[data-cp-reflection-input=welcome-goal]") == text
    assert list(lms.console_errors) == []


def test_a_page_file_that_does_not_load_leaves_its_page_titled(page, lms_server, console_errors, paged_full_packages) -> None:
    """A page file missing (an LMS that dropped it): its page still opens, titled and focused, with a
    warning, and the other pages work."""
    site = lms_server.install_package(paged_full_packages["standard"])
    (site / "pages" / "course" / "2.js").unlink()  # one page per file: page 2's
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    page.goto(lms_server.url("/pkg/index.html"))
    page.click("#cp-start")
    page.click("#cp-next")
    page.click("#cp-next")
    page.wait_for_selector("#cp-page-2:not([hidden])")
    assert page.evaluate("document.activeElement.id") == "cp-page-2-title"
    assert page.inner_text("#cp-page-2-title") == "Reflect"
    assert any("page file pages/course/2.js did not load" in w for w in warnings), warnings
    page.click("#cp-next")
    page.wait_for_selector("#cp-page-3:not([hidden]) [data-cp-quiz=basics-quiz]")
    # the browser reports the missing file itself; nothing else went wrong
    assert [e for e in console_errors if "404" not in str(e)] == []
