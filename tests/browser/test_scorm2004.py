"""SCORM 2004 4th edition packages (issue 14), played in chromium with scorm-again's Scorm2004API as
window.API_1484_11 (lms/lms2004.html, lms2004.py), every call checked by lms2004.check_strict.

Few plays, each covering several things:
* certificate edition, two sessions: a failed attempt, a retake that passes, leave, resume where the
  learner left off, finish; passed + completed, score scaled/raw/min/max right, the status committed
  before its score, 0 API errors, every interaction format, reflections in any script reported as
  long-fill-in and comments_from_learner, axe in every frame;
* a skipped reflection: never satisfied, never completed, no score, even with the manifest's passing
  score in the LMS;
* a learner out of attempts: failed, not completed, a score below the passing score.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coursepack.load.course_loader import load_course
from coursepack.targets.package import package_files

from . import harness, lms2004
from .course_driver import CourseKey, answer_quiz, readable

pytestmark = pytest.mark.browser

COURSE = """\
id: https://example.org/courses/twenty-oh-four
slug: twenty-oh-four
title: Twenty oh four
description: Two modules, every question type.
language: en-US
version: 1.0.0
authors:
  - name: Tester
modules:
  - modules/a.yaml
  - modules/b.yaml
completion:
  required_modules: all
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
        id: alpha-thoughts
        prompt: What do you think?
        min_chars: 30
  - id: check
    title: Check
    blocks:
      - type: quiz
        id: alpha-quiz
        title: Alpha check
        attempts: 2
        questions:
          - id: pick
            type: single_choice
            prompt: Pick b.
            choices:
              - {id: a, text: A}
              - {id: b, text: B}
            answer: b
          - id: many
            type: multiple_response
            prompt: Pick a and c.
            choices:
              - {id: a, text: A}
              - {id: b, text: B}
              - {id: c, text: C}
            answers: [a, c]
          - id: sky
            type: true_false
            prompt: The sky is blue.
            answer: true
          - id: word
            type: fill_in
            prompt: Type café.
            accepted: [café]
          - id: match
            type: matching
            prompt: Match each number.
            pairs:
              - {id: one, prompt: One, match: "1"}
              - {id: two, prompt: Two, match: "2"}
              - {id: three, prompt: Three, match: "3"}
          - id: order
            type: sequencing
            prompt: Put them in order.
            items:
              - {id: first, text: First}
              - {id: second, text: Second}
              - {id: third, text: Third}
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
        id: beta-notes
        prompt: Any notes?
        min_chars: 30
  - id: end
    title: End
    blocks:
      - type: text
        text: Done.
"""
CHINESE = "我们今天学习了人工智能的基础知识并讨论了它在课堂上的用途和风险。"[:30]
ARABIC_EMOJI = "ناقشنا استخدام الذكاء الاصطناعي في الصف 🙂👩‍🏫📚 ✅"
LONG = ("{Braces first} and a long English reflection, " * 60)[:2500]  # past SCORM 1.2's 255 per interaction


@pytest.fixture(scope="module")
def course_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("scorm2004-course")
    (root / "modules").mkdir()
    (root / "course.yaml").write_text(COURSE, encoding="utf-8")
    (root / "modules" / "a.yaml").write_text(MODULE_A, encoding="utf-8")
    (root / "modules" / "b.yaml").write_text(MODULE_B, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def key(course_dir) -> CourseKey:
    return CourseKey.load(course_dir)


@pytest.fixture(scope="module")
def cert_pkg(course_dir, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("scorm2004-cert")
    for name, content in package_files(load_course(course_dir), "scorm2004", "certificate").items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.read_bytes() if isinstance(content, Path) else content)
    return out


class Lms2004:
    def __init__(self, page, server, console_errors):
        self.page, self.server, self.console_errors = page, server, console_errors
        self.initial_cmi = None

    def play(self, package=None, **kwargs):
        self.initial_cmi = kwargs.get("cmi")
        return lms2004.open_lms(self.page, self.server, package, **kwargs)

    def calls(self):
        return lms2004.get_calls(self.page)

    def final(self):
        return lms2004.final_cmi(self.page)

    def assert_clean(self):
        violations = lms2004.check_strict(self.calls(), initial_cmi=self.initial_cmi)
        assert violations == [], "\n".join(map(str, violations))
        assert list(self.console_errors) == []


@pytest.fixture
def lms(page, lms_server, console_errors) -> Lms2004:
    return Lms2004(page, lms_server, console_errors)


def page_index(frame) -> int:
    return frame.eval_on_selector_all("[data-cp-page]", "els => els.findIndex(e => !e.hidden)")


def goto(frame, index: int) -> None:
    while page_index(frame) < index:
        frame.click("#cp-next")


def write(frame, rid: str, text: str) -> None:
    box = f'[data-cp-reflection-input="{rid}"]'
    frame.fill(box, text)
    frame.dispatch_event(box, "blur")


def interactions(cmi: dict) -> list[dict]:
    return lms2004.as_list(cmi.get("interactions"))


# --------------------------------------------------------------------------- the passing learner, two sessions

def test_fail_retake_leave_resume_and_pass_in_the_certificate_edition(lms, key, cert_pkg) -> None:
    quiz = key.quizzes[0]
    frame = lms.play(cert_pkg)
    assert lms.page.evaluate("() => window.API_1484_11.cmi.scaled_passing_score") == "0.8"
    frame.click("#cp-start")
    goto(frame, 1)
    write(frame, "alpha-thoughts", CHINESE)
    goto(frame, 2)
    answer_quiz(frame, quiz, right=False)                # attempt 1: all wrong, the course is not lost yet
    frame.click(f'[data-cp-quiz="{quiz.id}"] [data-cp-action=retry]')
    answer_quiz(frame, quiz, right=True)                 # the retake passes the quiz
    goto(frame, 3)
    lms.page.evaluate("() => document.getElementById('content').src = 'about:blank'")  # leave
    first = lms.final()
    lms.assert_clean()
    assert (first["completion_status"], first["success_status"], first["exit"]) == ("incomplete", "unknown", "suspend")
    assert first["score"]["scaled"] == "" and first["score"]["raw"] == ""    # no score while incomplete
    assert first["location"] == "beta-mod/notes"
    assert 0 < float(first["progress_measure"]) < 1
    assert lms2004.DURATION(first["session_time"])
    tried = [it for it in interactions(first) if it["id"] == "alpha-quiz.pick"]
    assert [it["result"] for it in tried] == ["incorrect", "correct"]
    reflection = next(it for it in interactions(first) if it["id"] == "alpha-thoughts")
    assert (reflection["type"], reflection["learner_response"], reflection["result"]) == ("long-fill-in", CHINESE, "neutral")

    # every question type in its 2004 format, learner response and correct pattern
    by_id: dict[str, list[dict]] = {}
    for it in interactions(first):
        by_id.setdefault(it["id"], []).append(it)
    right = {iid: tries[-1] for iid, tries in by_id.items()}
    expected = {
        "alpha-quiz.pick": ("choice", "b", "b"),
        "alpha-quiz.many": ("choice", "a[,]c", "a[,]c"),
        "alpha-quiz.sky": ("true-false", "true", "true"),
        "alpha-quiz.word": ("fill-in", "CAFÉ", "café"),  # as typed; case does not matter
        "alpha-quiz.match": ("matching", "1[.]a[,]2[.]b[,]3[.]c", "1[.]a[,]2[.]b[,]3[.]c"),
        "alpha-quiz.order": ("sequencing", "a[,]b[,]c", "a[,]b[,]c"),
    }
    for iid, (kind, response, pattern) in expected.items():
        it = right[iid]
        got = (it["type"], it["learner_response"], lms2004.as_list(it["correct_responses"])[0]["pattern"])
        assert got == (kind, response, pattern), iid
        assert it["result"] == "correct" and lms2004.TIMESTAMP(it["timestamp"]) and lms2004.DURATION(it["latency"])
        assert it["description"] == f"Alpha check: {iid.split('.')[1]}"
    wrong = {iid: tries[0] for iid, tries in by_id.items() if iid.startswith("alpha-quiz.")}
    assert wrong["alpha-quiz.many"]["learner_response"] == "b"
    assert wrong["alpha-quiz.sky"]["learner_response"] == "false"
    assert wrong["alpha-quiz.order"]["learner_response"] == "c[,]b[,]a"
    assert all(it["result"] == "incorrect" for it in wrong.values())

    # second session: resumes on the page the learner left, finishes, passes
    second = lms2004.next_session_cmi(first)
    assert second["entry"] == "resume"
    frame = lms.play(cert_pkg, cmi=second)
    frame.wait_for_selector('[data-cp-page="beta-mod/notes"]:not([hidden])')
    write(frame, "beta-notes", ARABIC_EMOJI + " " + LONG)
    goto(frame, 4)
    frame.click("#cp-next")                               # Finish: the completion view, then the certificate
    frame.click("#cp-complete [data-cp-goto=certificate]")
    frame.wait_for_selector("[data-cp-cert-ready]:not([hidden])")
    axe = harness.run_axe(lms.page)
    assert axe == [], harness.format_axe(axe)
    lms.page.evaluate("() => document.getElementById('content').src = 'about:blank'")
    final = lms.final()
    lms.assert_clean()
    assert (final["completion_status"], final["success_status"], final["exit"]) == ("completed", "passed", "normal")
    assert final["score"] == {"scaled": "1", "raw": "100", "min": "0", "max": "100"}
    assert final["progress_measure"] == "1"
    calls = lms.calls()
    status_at = max(c.index for c in calls if c.element == "cmi.success_status" and c.value == "passed")
    score_at = min(c.index for c in calls if c.element == "cmi.score.scaled")
    assert any(c.name == "Commit" and status_at < c.index < score_at for c in calls)
    # the long reflection, in its script, whole in the long-fill-in and the comment record
    text = readable(ARABIC_EMOJI + " " + LONG, 4000)
    ids = [it["id"] for it in interactions(final)]
    assert ids.count("alpha-thoughts") == 1 and ids.count("beta-notes") == 1   # restored texts are not reported again
    notes = next(it for it in interactions(final) if it["id"] == "beta-notes")
    assert notes["learner_response"] == text
    comments = {c["location"]: c["comment"] for c in lms2004.as_list(final["comments_from_learner"])}
    assert comments == {"alpha-thoughts": CHINESE, "beta-notes": text}


def test_skipped_reflection_is_never_satisfied(lms, key, cert_pkg) -> None:
    frame = lms.play(cert_pkg)
    frame.click("#cp-start")
    goto(frame, 1)
    write(frame, "alpha-thoughts", "A draft I will delete.")   # committed on blur, then cleared:
    write(frame, "alpha-thoughts", "")                         # the first reflection is left empty
    goto(frame, 2)
    answer_quiz(frame, key.quizzes[0], right=True)
    goto(frame, 3)
    write(frame, "beta-notes", "Notes long enough to count for the rule.")
    goto(frame, 4)
    frame.click("#cp-next")
    lms.page.evaluate("() => document.getElementById('content').src = 'about:blank'")
    final = lms.final()
    lms.assert_clean()
    # scorm-again judges success by measure (scaled_passing_score 0.8): with no score it stays unknown
    assert (final["completion_status"], final["success_status"], final["exit"]) == ("incomplete", "unknown", "suspend")
    assert final["score"]["scaled"] == "" and float(final["progress_measure"]) < 1
    assert not any(c.element and c.element.startswith("cmi.score") for c in lms.calls())
    # the cleared reflection is reported cleared, in place (one interaction, one comment record)
    drafts = [it for it in interactions(final) if it["id"] == "alpha-thoughts"]
    assert [(it["type"], it["learner_response"]) for it in drafts] == [("long-fill-in", "")]
    comments = [(c["location"], c["comment"]) for c in lms2004.as_list(final["comments_from_learner"])]
    assert ("alpha-thoughts", "") in comments and len(comments) == 2


@pytest.mark.parametrize("passing", [lms2004.FROM_MANIFEST, None], ids=["lms-judges-by-measure", "lms-takes-the-status"])
def test_learner_out_of_attempts_fails_and_is_not_completed(lms, key, cert_pkg, passing) -> None:
    """With the manifest's passing score in the LMS (it judges success by the score) and without it
    (it keeps the status the course sent), the outcome is the same: failed."""
    quiz = key.quizzes[0]
    frame = lms.play(cert_pkg, passing=passing)
    frame.click("#cp-start")
    goto(frame, 1)
    write(frame, "alpha-thoughts", CHINESE)
    goto(frame, 2)
    answer_quiz(frame, quiz, right={"pick", "many"})      # 4 of 6 right: 66.66 %
    frame.click(f'[data-cp-quiz="{quiz.id}"] [data-cp-action=retry]')
    answer_quiz(frame, quiz, right={"pick", "many"})
    lms.page.evaluate("() => document.getElementById('content').src = 'about:blank'")
    final = lms.final()
    lms.assert_clean()
    assert (final["completion_status"], final["success_status"], final["exit"]) == ("incomplete", "failed", "suspend")
    assert float(final["score"]["scaled"]) < 0.8 and float(final["score"]["raw"]) < 80
    assert float(final["score"]["scaled"]) == pytest.approx(float(final["score"]["raw"]) / 100)


# --------------------------------------------------------------------------- the strict checker itself

@pytest.mark.parametrize(("element", "value", "rule"), [
    ("cmi.session_time", "00:01:02", "value-format"),          # SCORM 1.2's timespan
    ("cmi.session_time", "PT1.234S", "value-format"),          # more than 2 decimals
    ("cmi.session_time", "PT", "value-format"),
    ("cmi.completion_status", "not attempted", "value-format"),
    ("cmi.success_status", "unknown", "value-format"),
    ("cmi.score.scaled", "80", "value-format"),
    ("cmi.core.lesson_status", "passed", "unknown-element"),
    ("cmi.learner_name", "x", "read-only"),
])
def test_strict_checker_catches_wrong_values(element, value, rule) -> None:
    calls = [lms2004.Call(0, "Initialize", ("",), "true", "0"),
             lms2004.Call(1, "SetValue", (element, value), "true", "0"),
             lms2004.Call(2, "Terminate", ("",), "true", "0")]
    assert rule in {v.rule for v in lms2004.check_strict(calls)}


def test_strict_checker_formats() -> None:
    assert lms2004.TIMESTAMP("2026-12-02T05:01:02.12Z") and lms2004.TIMESTAMP("2026-12-02T05:01:02")
    assert not lms2004.TIMESTAMP("2026-12-02T05:01:02Z")        # a zone only after a fraction
    assert not lms2004.TIMESTAMP("2026-12-02T05:01:02.123Z")    # at most 2 decimals
    assert not lms2004.TIMESTAMP("05:01:02")
    assert lms2004.DURATION("PT1H2M3.4S") and lms2004.DURATION("PT0S") and not lms2004.DURATION("P0S")
    assert lms2004.RESPONSES["matching"][0]("1[.]a[,]2[.]b") and not lms2004.RESPONSES["matching"][0]("1.a,2.b")
    assert lms2004.RESPONSES["choice"][0]("a[,]c") and not lms2004.RESPONSES["choice"][0]("a[,]a")
    assert not lms2004.RESPONSES["true-false"][0]("t")
    assert not lms2004.RESPONSES["long-fill-in"][0]("{not a lang} text")
    assert lms2004.RESPONSES["fill-in"][1]("{case_matters=true}Café")
    calls = [lms2004.Call(0, "Initialize", ("",), "true", "0"),
             lms2004.Call(1, "SetValue", ("cmi.interactions.0.id", "q"), "true", "0"),
             lms2004.Call(2, "SetValue", ("cmi.interactions.0.learner_response", "a"), "true", "0"),
             lms2004.Call(3, "SetValue", ("cmi.completion_status", "completed"), "true", "0"),
             lms2004.Call(4, "SetValue", ("cmi.score.raw", "90"), "true", "0"),
             lms2004.Call(5, "Terminate", ("",), "true", "0")]
    rules = {v.rule for v in lms2004.check_strict(calls)}
    assert {"dependency", "score-after-status"} <= rules


# --------------------------------------------------------------------------- one SCO per module, rolled up

def rollup(manifest: Path, children: list[dict]) -> dict[str, object]:
    """The course's completion, success and measure from its module SCOs' final cmi, by the root item's
    rollup rules as the manifest writes them (SCORM 2004 SN rollup, three-valued: None = unknown).
    scorm-again runs one SCO and no sequencing, so this stands in for the LMS's rollup."""
    from lxml import etree

    ns = lms2004.NS
    root = etree.parse(str(manifest)).getroot()
    item = root.find("cp:organizations/cp:organization/cp:item", ns)

    def value(child: dict, condition: str) -> bool | None:
        success, completion = child.get("success_status", "unknown"), child.get("completion_status", "unknown")
        if condition == "satisfied":
            return None if success == "unknown" else success == "passed"
        if condition == "objectiveStatusKnown":
            return success != "unknown"
        if condition == "completed":
            return None if completion in ("unknown", "not attempted") else completion == "completed"
        raise AssertionError(f"rollup condition {condition} not modelled")

    def holds(rule, child: dict) -> bool | None:
        results = []
        for cond in rule.iterfind("imsss:rollupConditions/imsss:rollupCondition", ns):
            v = value(child, cond.get("condition"))
            results.append(None if v is None else (not v if cond.get("operator") == "not" else v))
        if False in results:
            return False
        return None if None in results else True

    actions: dict[str, bool] = {}
    for rule in item.iterfind("imsss:sequencing/imsss:rollupRules/imsss:rollupRule", ns):
        per_child = [holds(rule, c) for c in children]
        fired = all(v is True for v in per_child) if rule.get("childActivitySet") == "all" else any(v is True for v in per_child)
        actions[rule.find("imsss:rollupAction", ns).get("action")] = fired
    completion = "completed" if actions["completed"] else "incomplete" if actions["incomplete"] else "unknown"
    success = "passed" if actions["satisfied"] else "failed" if actions["notSatisfied"] else "unknown"
    scores = [float(c["score"]["scaled"]) for c in children if c.get("score", {}).get("scaled") not in ("", None)]
    return {"completion": completion, "success": success, "measure": sum(scores) / len(children) if len(scores) == len(children) else None}


def test_sco_per_module_played_one_by_one_rolls_up_to_the_course(lms, course_dir, tmp_path) -> None:
    out = tmp_path / "per-module"
    for name, content in package_files(load_course(course_dir), "scorm2004", "certificate", per_module=True).items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.read_bytes() if isinstance(content, Path) else content)
    alpha = CourseKey.load(course_dir, ["alpha-mod"])
    frame = lms.play(out, sco=0)
    assert frame.url.endswith("/sco-alpha-mod.html")
    frame.click("#cp-start")
    goto(frame, 1)
    write(frame, "alpha-thoughts", CHINESE)
    goto(frame, 2)
    answer_quiz(frame, alpha.quizzes[0], right=True)
    axe = harness.run_axe(lms.page)
    assert axe == [], harness.format_axe(axe)
    lms.page.evaluate("() => document.getElementById('content').src = 'about:blank'")
    first = lms.final()
    lms.assert_clean()
    assert (first["completion_status"], first["success_status"], first["score"]["scaled"]) == ("completed", "passed", "1")
    # one module done, the other not attempted: the course is neither completed nor judged yet
    # (an unattempted module's completion is unknown, so the course's is unknown too)
    assert rollup(out / "imsmanifest.xml", [first, {}]) == {"completion": "unknown", "success": "unknown", "measure": None}
    assert rollup(out / "imsmanifest.xml", [first, {"completion_status": "incomplete"}])["completion"] == "incomplete"

    frame = lms.play(out, sco=1)
    assert frame.url.endswith("/sco-beta-mod.html")
    frame.click("#cp-start")
    write(frame, "beta-notes", ARABIC_EMOJI)
    goto(frame, 1)
    lms.page.evaluate("() => document.getElementById('content').src = 'about:blank'")
    second = lms.final()
    lms.assert_clean()
    assert (second["completion_status"], second["success_status"]) == ("completed", "passed")
    assert rollup(out / "imsmanifest.xml", [first, second]) == {"completion": "completed", "success": "passed", "measure": 1.0}
    # a module lost would fail the course at once, while another is still unknown
    lost = {"completion_status": "incomplete", "success_status": "failed", "score": {"scaled": "0.5"}}
    assert rollup(out / "imsmanifest.xml", [lost, {}])["success"] == "failed"


def test_standard_edition_completes_with_its_score_and_no_success(lms, key, course_dir, tmp_path) -> None:
    """No pass mark: completed, success left unknown, the quizzes' score sent once completed; no
    passing score in the manifest, and the course never reads one (an unset one answers 403)."""
    out = tmp_path / "standard"
    for name, content in package_files(load_course(course_dir), "scorm2004", "standard").items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.read_bytes() if isinstance(content, Path) else content)
    assert lms2004.read_scos(out)[0].passing is None
    frame = lms.play(out)
    frame.click("#cp-start")
    goto(frame, 1)
    write(frame, "alpha-thoughts", CHINESE)
    goto(frame, 2)
    answer_quiz(frame, key.quizzes[0], right={"pick", "many"})   # a practice score: not sent while incomplete
    assert not any(c.element and c.element.startswith("cmi.score") for c in lms.calls())
    goto(frame, 3)
    write(frame, "beta-notes", "Notes long enough to count for the rule.")
    goto(frame, 4)
    frame.click("#cp-next")
    lms.page.evaluate("() => document.getElementById('content').src = 'about:blank'")
    final = lms.final()
    lms.assert_clean()
    assert (final["completion_status"], final["success_status"], final["exit"]) == ("completed", "unknown", "normal")
    assert final["score"]["raw"] == "66.66" and final["score"]["scaled"] == "0.6666"
    assert not any(c.element == "cmi.scaled_passing_score" for c in lms.calls())
