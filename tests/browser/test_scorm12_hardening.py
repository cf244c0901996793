"""SCORM 1.2 in the real world (issue 9 §1-§4), played in chromium with scorm-again as the LMS.

* Moodle's grade and completion: every session is replayed through Moodle 4.3's re-grade rule
  (moodle_grading.py, part of check_strict); here the outcomes Moodle would show are asserted for a
  passing, a failing, a completing and a resumed learner.
* Nothing lost when the last tab closes: quiz submissions, reflection edits (debounced) and the
  certificate name are committed at once, within a stated commit budget; a session whose unload
  never reaches the LMS resumes from the last commit with the reflection in place.
* Reflections in any script reach min_chars, are never cut silently, are reported readable.
* Honest interaction data: latency from the quiz being shown, comments in course order with
  code-point lengths, no duplicate reflection interactions after a resume.

A small two-module course is written here, so the ids and their order are under the test's control:
the first reflection's id sorts after the second's.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from . import course_driver as drv
from . import harness, moodle_grading
from .course_driver import readable

pytestmark = pytest.mark.browser

OVERRIDE = [pytest.param(None, id="override-off"), pytest.param({}, id="override-on")]

COURSE = """\
id: https://example.org/courses/hardening
slug: hardening
title: Hardening
description: Two modules.
language: en-US
version: 1.0.0
authors:
  - name: Tester
modules:
  - modules/a.yaml
  - modules/b.yaml
completion:
  required_modules: all
  pass_mark: 80
  reflections_required: true
certificate:
  title: Certificate of Completion
  issuer: Test School
  signatory:
    name: Tester
    role: Facilitator
  requires:
    modules: all
    quiz_pass_mark: 80
    reflection_min_chars: 30
"""
MODULE_A = """\
id: alpha-mod
title: Alpha
objectives: [Think.]
minutes: 5
pages:
  - id: intro
    title: Intro
    blocks:
      - type: text
        text: Hello.
  - id: think
    title: Think
    blocks:
      - type: reflection
        id: zeta-thoughts
        prompt: What do you think?
        min_chars: 30
  - id: check
    title: Check
    blocks:
      - type: quiz
        id: alpha-quiz
        attempts: 2
        questions:
          - id: pick
            type: single_choice
            prompt: Pick b.
            choices:
              - {id: a, text: A}
              - {id: b, text: B}
            answer: b
          - id: word
            type: fill_in
            prompt: Type café.
            accepted: [café]
"""
MODULE_B = """\
id: beta-mod
title: Beta
objectives: [Reflect.]
minutes: 5
pages:
  - id: notes
    title: Notes
    blocks:
      - type: reflection
        id: apple-notes
        prompt: Any notes?
        min_chars: 30
  - id: end
    title: End
    blocks:
      - type: text
        text: Done.
"""
# 30 characters each, as learners see them (code points), in four scripts
CHINESE = "我们今天学习了人工智能的基础知识并讨论了它在课堂上的用途和风险。"[:30]
RUSSIAN = "Мы обсудили риски ИИ в классе."
ARABIC = "ناقشنا استخدام الذكاء الاصطناعي في الصف"[:30]
EMOJI = ("🙂👩‍🏫📚 ok ✅🎉👍 " * 4)[:30]


@pytest.fixture(scope="module")
def course_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hardening")
    (root / "modules").mkdir()
    (root / "course.yaml").write_text(COURSE, encoding="utf-8")
    (root / "modules" / "a.yaml").write_text(MODULE_A, encoding="utf-8")
    (root / "modules" / "b.yaml").write_text(MODULE_B, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def cert_pkg(course_dir, tmp_path_factory) -> Path:
    return drv.build_dir(course_dir, "certificate", tmp_path_factory.mktemp("hard-cert"))


@pytest.fixture(scope="module")
def standard_pkg(course_dir, tmp_path_factory) -> Path:
    """The standard edition without a pass mark: quizzes are practice, the status is "completed"."""
    root = tmp_path_factory.mktemp("hardening-practice")
    (root / "modules").mkdir()
    (root / "course.yaml").write_text(COURSE.replace("  pass_mark: 80\n", ""), encoding="utf-8")
    for name in ("a.yaml", "b.yaml"):
        (root / "modules" / name).write_bytes((course_dir / "modules" / name).read_bytes())
    return drv.build_dir(root, "standard", tmp_path_factory.mktemp("hard-std"))


# --------------------------------------------------------------------------- driving

def page_index(frame) -> int:
    shown = frame.eval_on_selector_all("[data-cp-page]", "els => els.findIndex(e => !e.hidden)")
    return shown


def goto(frame, index: int) -> None:
    while page_index(frame) < index:
        frame.click("#cp-next")


def start(frame) -> None:
    frame.click("#cp-start")


def write(frame, rid: str, text: str) -> None:
    box = f'[data-cp-reflection-input="{rid}"]'
    frame.fill(box, text)
    frame.dispatch_event(box, "blur")


def answer(frame, right: bool) -> None:
    q = "[data-cp-quiz=alpha-quiz] "
    frame.check(q + "[data-cp-question=pick] input[data-cp-choice=%s]" % ("b" if right else "a"))
    frame.fill(q + "[data-cp-fill-input]", "café" if right else "tea")
    frame.click(q + "[data-cp-action=submit]")


def retry(frame) -> None:
    frame.click("[data-cp-quiz=alpha-quiz] [data-cp-action=retry]")


def commit_count(lms) -> int:
    return sum(1 for c in lms.calls() if c.name == "LMSCommit")


def wait_for_commit_after(lms, count: int, timeout_ms: float = 30_000) -> None:
    """Until the LMS has had more than count LMSCommit calls."""
    lms.page.wait_for_function("n => window.__lms.calls.filter(c => c.name === 'LMSCommit').length > n",
                               arg=count, timeout=timeout_ms)


def interactions(final: dict) -> list[dict]:
    items = final.get("interactions") or {}
    return [items[k] for k in sorted(items, key=int)] if isinstance(items, dict) else list(items)


def assert_clean(lms) -> None:
    violations = lms.check_strict()
    assert violations == [], "\n".join(map(str, violations))
    assert list(lms.console_errors) == []


def moodle(lms) -> moodle_grading.MoodleRecord:
    return moodle_grading.replay(lms.calls(), lms.initial_cmi)


# --------------------------------------------------------------------------- §1 Moodle's grade and completion

@pytest.mark.parametrize("settings", OVERRIDE)
def test_passing_learner_is_graded_and_complete_in_moodle(lms, cert_pkg, settings) -> None:
    frame = lms.play(cert_pkg, settings=settings)
    start(frame)
    goto(frame, 1)
    write(frame, "zeta-thoughts", CHINESE)
    goto(frame, 2)
    before = commit_count(lms)
    answer(frame, right=True)
    # §2: the submitted attempt is committed at once (once its result is drawn), without waiting for a page turn
    wait_for_commit_after(lms, before, timeout_ms=2000)
    assert lms.commits()[-1]["cmi"]["suspend_data"].split("|")[3].startswith("1,")
    goto(frame, 3)
    write(frame, "apple-notes", ARABIC + " " + EMOJI)
    goto(frame, 4)
    frame.click("#cp-next")                       # Finish: the completion view, then the certificate
    frame.click("#cp-complete [data-cp-goto=certificate]")
    frame.wait_for_selector("[data-cp-cert-ready]:not([hidden])")
    lms.close_content()
    final = lms.final_cmi()
    assert (final["core"]["lesson_status"], final["core"]["score"]["raw"]) == ("passed", "100")
    assert_clean(lms)                             # includes Moodle's re-grade rule
    rec = moodle(lms)
    assert rec.grade() == 100 and rec.complete("passed") and rec.complete("passed", min_score=80)
    # the status was committed on its own before the score arrived
    calls = lms.calls()
    status_at = max(c.index for c in calls if c.element == "cmi.core.lesson_status" and c.value == "passed")
    score_at = max(c.index for c in calls if c.element == "cmi.core.score.raw")
    assert any(c.name == "LMSCommit" and status_at < c.index < score_at for c in calls)

    # §3 and §4: readable reflection interactions, comments in course order with code-point lengths
    by_id = {it["id"]: it for it in interactions(final)}
    assert by_id["zeta-thoughts"]["student_response"] == readable(CHINESE)
    assert by_id["apple-notes"]["student_response"] == readable(ARABIC + " " + EMOJI)
    assert by_id["alpha-quiz.word"]["student_response"] == "café"
    comments = final["comments"]
    assert comments.index("#zeta-thoughts:") < comments.index("#apple-notes:")
    assert f"#zeta-thoughts:{len(CHINESE)}:{CHINESE}\n" in comments
    text_b = ARABIC + " " + EMOJI
    assert f"#apple-notes:{len(text_b)}:{text_b}\n" in comments   # Python's len(): code points


def test_failing_learner_is_graded_but_not_complete(lms, cert_pkg) -> None:
    frame = lms.play(cert_pkg)
    start(frame)
    goto(frame, 1)
    write(frame, "zeta-thoughts", RUSSIAN)
    goto(frame, 2)
    answer(frame, right=False)
    retry(frame)
    answer(frame, right=False)
    lms.close_content()
    final = lms.final_cmi()
    assert final["core"]["lesson_status"] == "failed"
    assert float(final["core"]["score"]["raw"]) < 80
    assert_clean(lms)
    rec = moodle(lms)
    assert rec.grade() == float(final["core"]["score"]["raw"]) and not rec.complete("passed")


def test_standard_edition_sends_no_practice_score_and_completes_in_moodle(lms, standard_pkg) -> None:
    frame = lms.play(standard_pkg)
    start(frame)
    goto(frame, 1)
    write(frame, "zeta-thoughts", RUSSIAN)
    goto(frame, 2)
    answer(frame, right=False)                    # a practice score: not sent while incomplete
    assert not any(c.element == "cmi.core.score.raw" for c in lms.calls())
    goto(frame, 3)
    write(frame, "apple-notes", EMOJI)
    goto(frame, 4)
    frame.click("#cp-next")
    lms.close_content()
    final = lms.final_cmi()
    assert final["core"]["lesson_status"] == "completed"
    assert_clean(lms)
    rec = moodle(lms)
    assert rec.grade("objects") == 1 and rec.complete("completed")


def test_learner_who_finishes_in_a_second_session_is_graded_right(lms, cert_pkg) -> None:
    frame = lms.play(cert_pkg)
    start(frame)
    goto(frame, 1)
    write(frame, "zeta-thoughts", CHINESE)
    goto(frame, 2)
    answer(frame, right=True)
    lms.close_content()
    first = lms.final_cmi()
    assert first["core"]["lesson_status"] == "incomplete" and first["core"]["score"]["raw"] == ""
    second = harness.next_session_cmi(first)
    frame = lms.play(cert_pkg, cmi=second)
    goto(frame, 3)
    write(frame, "apple-notes", RUSSIAN)
    goto(frame, 4)
    frame.click("#cp-next")
    lms.close_content()
    final = lms.final_cmi()
    assert final["core"]["lesson_status"] == "passed"
    assert_clean(lms)
    rec = moodle(lms)
    assert rec.complete("passed", min_score=80) and rec.grade() == 100
    # §4: the restored reflection is not reported again; the new one once
    ids = [it["id"] for it in interactions(final)]
    assert ids.count("zeta-thoughts") == 1 and ids.count("apple-notes") == 1


# --------------------------------------------------------------------------- §2 nothing lost when the last tab closes

def test_reflection_edits_are_committed_within_the_budget_and_survive_a_lost_unload(lms, cert_pkg) -> None:
    frame = lms.play(cert_pkg)
    start(frame)
    goto(frame, 1)
    box = '[data-cp-reflection-input="zeta-thoughts"]'
    frame.focus(box)
    before = commit_count(lms)
    # about 5.5 s of steady typing: at most one commit per 5 s while typing
    lms.page.keyboard.type("Пишу отражение по-русски, медленно. ", delay=150)
    during = commit_count(lms) - before
    assert during <= 2, during
    # 1.5 s after the last keystroke the text is committed, with no page turn and no blur
    wait_for_commit_after(lms, before + during, timeout_ms=5000)
    text = frame.input_value(box)
    snapshot = lms.commits()[-1]["cmi"]
    # the saved state ends with the reflections in course order: zeta-thoughts, then apple-notes
    assert frame.evaluate("d => Coursepack.codec.unpack(d.split('|').slice(-2)[0])", snapshot["suspend_data"]) == text

    # the last tab closes and Moodle's unload beacon is refused: the LMS keeps only the last commit
    lost = harness.next_session_cmi(snapshot)
    frame = lms.play(cert_pkg, cmi=lost)
    assert frame.input_value(box) == text
    lms.close_content()
    assert_clean(lms)
    # reported once by the first session's commit; restored from the saved state with cmi.comments
    # empty, it is not reported again as a new interaction
    assert [it["id"] for it in interactions(snapshot)].count("zeta-thoughts") == 1
    assert [it["id"] for it in interactions(lms.final_cmi())].count("zeta-thoughts") == 1


# At every frame of the content: whether page 1 is shown, whether the quiz shows its result, and how many
# commits the LMS has had then.
FRAME_RECORDER = """() => {
  window.__frames = [];
  const commits = () => parent.__lms.calls.filter((c) => c.name === "LMSCommit").length;
  const tick = () => {
    const page = document.getElementById("cp-page-1");
    window.__frames.push({ page: !!page && !page.hidden, result: !!document.querySelector("[data-cp-quiz=alpha-quiz] .cp-right"),
                           commits: commits() });
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""


def test_moodles_synchronous_commit_comes_after_the_frame_that_shows_the_turn(lms, cert_pkg) -> None:
    """Moodle's LMSCommit holds the page's thread until its server answers (a synchronous request): the
    player sends it in the task after the frame that shows the turned page or the quiz's result, so a turn
    is not held for the LMS. A hidden tab commits at once; a page that ends first sends everything in its
    LMSFinish, and the commit that was due is not sent after it."""
    frame = lms.play(cert_pkg, commit_blocks_ms=300)
    start(frame)
    lms.page.wait_for_function("() => window.__lms.calls.some(c => c.name === 'LMSCommit')")  # the start's
    frame.evaluate(FRAME_RECORDER)
    frame.wait_for_timeout(500)  # any commit still due from the start sent
    before = commit_count(lms)
    frame.click("#cp-next")
    wait_for_commit_after(lms, before)
    frames = frame.evaluate("window.__frames")
    shown = next(f for f in frames if f["page"])
    assert shown["commits"] == before, frames  # drawn before the LMS was asked
    key = frame.get_attribute("#cp-page-1", "data-cp-page")
    assert lms.commits()[-1]["cmi"]["core"]["lesson_location"] == key  # then committed, the turn in it

    goto(frame, 2)
    lms.page.wait_for_timeout(500)
    frame.evaluate("window.__frames = []")
    before = commit_count(lms)
    answer(frame, right=True)
    wait_for_commit_after(lms, before)
    frames = frame.evaluate("window.__frames")
    assert next(f for f in frames if f["result"])["commits"] == before, frames
    assert lms.commits()[-1]["cmi"]["suspend_data"].split("|")[3].startswith("1,")  # the attempt, committed

    # hidden right after a turn: committed at once, in the same task
    lms.page.wait_for_timeout(500)
    before = commit_count(lms)
    during = frame.evaluate("""() => {
      document.getElementById("cp-next").click();
      Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
      document.dispatchEvent(new Event("visibilitychange"));
      return parent.__lms.calls.filter((c) => c.name === "LMSCommit").length;
    }""")
    assert during == before + 1
    frame.evaluate("() => { delete document.visibilityState; document.dispatchEvent(new Event('visibilitychange')); }")

    # the page ends right after a turn, before the commit due after its frame: LMSFinish sends the turn
    lms.page.wait_for_timeout(500)
    frame.evaluate("""() => {
      document.getElementById("cp-next").click();
      window.dispatchEvent(new PageTransitionEvent("pagehide", { persisted: false }));
    }""")
    lms.wait_for_finish()
    lms.page.wait_for_timeout(1200)  # past the frame, and past afterFrame's timer for a page that draws none
    calls = lms.calls()
    finish = max(c.index for c in calls if c.name == "LMSFinish")
    late = [str(c) for c in calls if c.index > finish and c.name in ("LMSCommit", "LMSSetValue", "LMSFinish")]
    assert late == []
    assert lms.commits()[-1]["cmi"]["core"]["lesson_location"] == frame.get_attribute("[data-cp-page]:not([hidden])", "data-cp-page")


# --------------------------------------------------------------------------- §3 any script

def test_min_chars_reachable_in_any_script(lms, cert_pkg) -> None:
    """Each script in turn in one box of one play (the counter is recounted on every input)."""
    frame = lms.play(cert_pkg)
    start(frame)
    goto(frame, 1)
    box = '[data-cp-reflection-input="zeta-thoughts"]'
    for script, text in {"chinese": CHINESE, "russian": RUSSIAN, "arabic": ARABIC, "emoji": EMOJI}.items():
        frame.fill(box, "")
        assert frame.inner_text('[data-cp-counter="zeta-thoughts"]').startswith("0 characters"), script
        frame.fill(box, text)
        assert len(text) == 30, script                  # the certificate's minimum, in code points
        counter = frame.inner_text('[data-cp-counter="zeta-thoughts"]')
        assert counter.startswith("30 characters · enough to count"), (script, counter)
        assert frame.input_value(box) == text, script
    lms.close_content()
    assert_clean(lms)


def test_a_paste_too_long_is_cut_visibly_and_saved_whole(lms, cert_pkg) -> None:
    frame = lms.play(cert_pkg)
    start(frame)
    goto(frame, 1)
    box = '[data-cp-reflection-input="zeta-thoughts"]'
    pasted = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(3000))
    frame.fill(box, pasted)
    kept = frame.input_value(box)
    assert 30 <= len(kept) < 3000 and pasted.startswith(kept)
    counter = frame.inner_text('[data-cp-counter="zeta-thoughts"]')
    assert re.search(rf"This reflection is full: {3000 - len(kept):,}".replace(",", "") + r" characters were not added", counter), counter
    assert "no space left" in counter or "space for about" in counter
    # typing more adds nothing, and says so
    frame.focus(box)
    lms.page.keyboard.type("更")
    assert frame.input_value(box) == kept
    frame.dispatch_event(box, "blur")
    lms.close_content()
    final = lms.final_cmi()
    assert_clean(lms)
    again = lms.play(cert_pkg, cmi=harness.next_session_cmi(final))
    assert again.input_value(box) == kept
    it = [i for i in interactions(final) if i["id"] == "zeta-thoughts"][0]
    assert len(it["student_response"]) <= 255 and it["student_response"].endswith("…")


# --------------------------------------------------------------------------- §4 honest interaction data

def test_latency_is_the_time_the_quiz_was_on_screen(lms, cert_pkg) -> None:
    lms.page.clock.install()
    frame = lms.play(cert_pkg)
    start(frame)
    lms.page.clock.fast_forward("00:40")          # 40 s on the first page
    goto(frame, 2)
    lms.page.clock.fast_forward(4000)             # 4 s on the quiz
    answer(frame, right=True)
    lms.close_content()
    final = lms.final_cmi()
    latencies = {it["id"]: it["latency"] for it in interactions(final) if it["id"].startswith("alpha-quiz.")}
    for value in latencies.values():
        h, m, s = value.split(":")
        seconds = int(h) * 3600 + int(m) * 60 + float(s)
        assert 4 <= seconds < 10, latencies
