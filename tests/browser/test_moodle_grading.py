"""Moodle 4.3's re-grade rule (moodle_grading.py) on call sequences, no browser needed.

The sequences are the ones measured on a real Moodle 4.3.0 (issue 9): what the player sent before
the fix gave a stale grade or completion; the fixed order gives the right ones.
"""

from __future__ import annotations

from .harness import Call
from .moodle_grading import problems, replay


def calls(*spec) -> list[Call]:
    out = []
    for i, (name, *args) in enumerate(spec):
        out.append(Call(index=i, name=name, args=tuple(args), ret="true", error="0"))
    return out


def rules(record) -> list[str]:
    return [p[0] for p in problems(record)]


START = (("LMSInitialize", ""), ("LMSSetValue", "cmi.core.lesson_status", "incomplete"), ("LMSCommit", ""))
SCORE_100 = (("LMSSetValue", "cmi.core.score.min", "0"), ("LMSSetValue", "cmi.core.score.max", "100"),
             ("LMSSetValue", "cmi.core.score.raw", "100"))


def test_old_order_passed_learner_graded_but_not_complete():
    # score then status in one commit: Moodle posts score.raw first, re-grades with "incomplete"
    rec = replay(calls(*START, *SCORE_100, ("LMSSetValue", "cmi.core.lesson_status", "passed"), ("LMSFinish", "")))
    assert rec.status == "passed" and rec.score == "100"
    assert rec.grade() == 100 and rec.complete("passed") is False
    assert rules(rec) == ["score-while-incomplete", "moodle-regrade"]


def test_old_practice_scores_leave_the_standard_edition_at_zero_objects():
    # the standard edition posted a practice score while incomplete, then completed with the same score
    rec = replay(calls(*START, *SCORE_100, ("LMSCommit", ""),
                       ("LMSSetValue", "cmi.core.lesson_status", "completed"), ("LMSFinish", "")))
    assert rec.grade("objects") == 0 and rec.complete("completed") is False
    assert "moodle-regrade" in rules(rec)


def test_status_commit_then_score_commit_is_graded_right():
    rec = replay(calls(*START, ("LMSSetValue", "cmi.core.lesson_status", "passed"), ("LMSCommit", ""),
                       *SCORE_100, ("LMSCommit", ""), ("LMSFinish", "")))
    assert rec.grade() == 100 and rec.complete("passed") and rec.complete("passed", min_score=80)
    assert rules(rec) == []
    failed = replay(calls(*START, ("LMSSetValue", "cmi.core.lesson_status", "failed"), ("LMSCommit", ""),
                          ("LMSSetValue", "cmi.core.score.raw", "66.66"), ("LMSFinish", "")))
    assert failed.grade() == 66.66 and failed.complete("passed") is False and rules(failed) == []
    done = replay(calls(*START, ("LMSSetValue", "cmi.core.lesson_status", "completed"), ("LMSCommit", ""),
                        ("LMSSetValue", "cmi.core.score.raw", "80"), ("LMSFinish", "")))
    assert done.grade("objects") == 1 and done.complete("completed") and rules(done) == []


def test_an_unchanged_score_is_not_posted_again():
    # once 100 was posted, re-setting 100 sends nothing, so a later status change is never graded
    rec = replay(calls(*START, ("LMSSetValue", "cmi.core.lesson_status", "passed"), ("LMSCommit", ""),
                       *SCORE_100, ("LMSCommit", ""), ("LMSSetValue", "cmi.core.score.raw", "100"),
                       ("LMSCommit", ""), ("LMSFinish", "")))
    assert len([r for r in rec.regrades if r.trigger.endswith("score.raw")]) == 1


def test_a_status_row_inserted_as_passed_regrades_but_an_updated_one_does_not():
    inserted = replay(calls(("LMSInitialize", ""), ("LMSSetValue", "cmi.core.lesson_status", "passed"),
                            ("LMSFinish", "")))
    assert inserted.complete("passed") and rules(inserted) == []
    updated = replay(calls(*START, ("LMSSetValue", "cmi.core.lesson_status", "passed"), ("LMSFinish", "")))
    assert updated.regrades == [] and rules(updated) == ["moodle-regrade"]


def test_resumed_session_starts_from_the_stored_rows():
    earlier = {"core": {"lesson_status": "incomplete", "score": {"raw": ""}}}
    rec = replay(calls(("LMSInitialize", ""), ("LMSSetValue", "cmi.core.lesson_status", "passed"),
                       ("LMSCommit", ""), ("LMSSetValue", "cmi.core.score.raw", "90"), ("LMSFinish", "")),
                 initial_cmi=earlier)
    assert rec.complete("passed") and rules(rec) == []
    # nothing changed in this session: the earlier session's grading stands
    done = {"core": {"lesson_status": "passed", "score": {"raw": "90"}}}
    again = replay(calls(("LMSInitialize", ""), ("LMSFinish", "")), initial_cmi=done)
    assert rules(again) == [] and again.complete("passed")
