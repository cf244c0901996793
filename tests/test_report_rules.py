"""The eligibility and completion rules (builder/report/rules.py, SQL over the store) on evidence made
for each case: marks at the boundary, reflections one character short, pages not all seen, the best of
several sources, courses without a certificate or with only some modules required."""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import REPO
from coursepack.load.course_loader import load_course
from coursepack.report.course_map import course_map
from coursepack.report.evidence import (
    ImportBatch,
    Learner,
    LearnerEvidence,
    ModuleProgress,
    QuizResult,
    ReflectionResult,
    Session,
)
from coursepack.report.rules import read_report, refresh_course
from coursepack.report.store import StoreError, open_store


def course_copy(tmp_path: Path, edit=None) -> Path:
    root = tmp_path / "course"
    root.mkdir()
    for name in ("modules", "assets"):
        shutil.copytree(REPO / name, root / name)
    text = (REPO / "course.yaml").read_text(encoding="utf-8")
    (root / "course.yaml").write_text(edit(text) if edit else text, encoding="utf-8")
    return root


def full_marks(key: str, course, *, quiz: dict[str, float] | None = None, chars: dict[str, int] | None = None,
               pages: dict[str, tuple[int, int]] | None = None, skip: set[str] = frozenset()) -> LearnerEvidence:
    """A learner who did everything (100 %, 200 characters), but for the overrides given."""
    evidence = LearnerEvidence(Learner(f"mailto:{key}@example.org", key.title(), f"{key}@example.org"))
    evidence.sessions.append(Session("item-course#1", datetime(2026, 12, 1, 9), datetime(2026, 12, 1, 10), 3600.0, "incomplete", None))
    for module in course.module_ids:
        if module in skip:
            continue
        seen, total = (pages or {}).get(module, (None, None))
        evidence.add_module(ModuleProgress(module, None, seen, total))
    for qid, info in course.quizzes.items():
        if info.module_id not in skip:
            evidence.add_quiz(QuizResult(qid, info.module_id, (quiz or {}).get(qid, 100.0), 1, "interactions"))
    for rid, info in course.reflections.items():
        if info.module_id not in skip:
            evidence.add_reflection(ReflectionResult(rid, info.module_id, (chars or {}).get(rid, 200), "comments"))
    return evidence


def report_for(root: Path, *batches_of: list[LearnerEvidence], sources: list[str] | None = None):
    loaded = load_course(root)
    db = root / "r.duckdb"
    with open_store(db) as store:
        for i, learners in enumerate(batches_of):
            source = (sources or [f"test-{n}" for n in range(len(batches_of))])[i]
            store.write_import(ImportBatch(source, loaded.course.id, learners))
        refresh_course(store, loaded)
        report = read_report(store, loaded.course.id)
    return {row.identifier.split("@")[0]: row for row in report.rows}, report


@pytest.fixture
def example(tmp_path):
    root = course_copy(tmp_path)
    return root, course_map(load_course(root))


def test_marks_and_lengths_at_the_boundary(example) -> None:
    root, course = example
    q1, q2 = list(course.quizzes)[:2]
    r1 = list(course.reflections)[0]
    rows, _ = report_for(root, [
        full_marks("exact", course, quiz={q1: 80.0}, chars={r1: 110}),
        full_marks("under", course, quiz={q1: 79.99, q2: 0.0}, chars={r1: 109}),
    ])
    assert rows["exact"].status == "eligible" and rows["exact"].open_rules == []
    under = rows["under"]
    assert under.status == "completed"  # every module done; the certificate's marks not reached
    assert [(o.rule, o.item, o.value, o.needed) for o in under.open_rules] == [
        ("quiz", q1, 79.99, 80.0), ("quiz", q2, 0.0, 80.0), ("reflection", r1, 109.0, 110.0)]
    assert under.reflections_answered == len(course.reflections) - 1


def test_pages_not_all_seen_keep_a_module_open_unless_the_source_says_it_is_complete(example) -> None:
    root, course = example
    first = course.module_ids[0]
    partly = full_marks("partly", course, pages={first: (5, 6)})
    claimed = full_marks("claimed", course, pages={first: (5, 6)})
    claimed.add_module(ModuleProgress(first, True, None, None))
    unknown = full_marks("unknown", course)  # pages not reported: quizzes and reflections decide
    rows, _ = report_for(root, [partly, claimed, unknown])
    assert [(o.rule, o.item) for o in rows["partly"].open_rules] == [("module", first)]
    assert rows["partly"].modules_done == len(course.module_ids) - 1
    assert rows["claimed"].status == "eligible" and rows["unknown"].status == "eligible"


def test_the_best_evidence_of_every_source_counts(example) -> None:
    root, course = example
    q1 = list(course.quizzes)[0]
    r1 = list(course.reflections)[0]
    lms = full_marks("same", course, quiz={q1: 50.0}, chars={r1: 20})
    other = LearnerEvidence(lms.learner)
    other.add_quiz(QuizResult(q1, course.quizzes[q1].module_id, 90.0, 2, "interactions"))
    other.add_reflection(ReflectionResult(r1, course.reflections[r1].module_id, 150, "comments"))
    other.sessions.append(Session("item-course#1", datetime(2026, 11, 30, 8), datetime(2026, 12, 3, 8), 60.0, "passed", 100))
    rows, report = report_for(root, [lms], [other])
    row = rows["same"]
    assert len(report.rows) == 1 and row.status == "eligible" and row.quiz_best[q1] == 90.0
    assert (row.first_activity, row.last_activity, row.seconds) == (datetime(2026, 11, 30, 8), datetime(2026, 12, 3, 8), 3660.0)


def test_statuses_and_the_module_funnel(example) -> None:
    root, course = example
    idle = LearnerEvidence(Learner("mailto:idle@example.org", "Idle", "idle@example.org"))
    opened = LearnerEvidence(Learner("mailto:opened@example.org", "Opened", "opened@example.org"))
    opened.sessions.append(Session("item-course#1", datetime(2026, 12, 1), None, None, "incomplete", None))
    half = full_marks("half", course, skip=set(course.module_ids[3:]))
    rows, report = report_for(root, [idle, opened, half, full_marks("done", course)])
    assert {k: r.status for k, r in rows.items()} == {
        "idle": "not started", "opened": "in progress", "half": "in progress", "done": "eligible"}
    assert rows["opened"].first_activity == datetime(2026, 12, 1) and rows["opened"].last_activity == datetime(2026, 12, 1)
    funnel = [report.module_done_counts[m] for m in course.module_ids]
    assert funnel == [2, 2, 2, 1, 1, 1, 1]


def test_a_course_without_a_certificate_reports_completion(tmp_path) -> None:
    root = course_copy(tmp_path, lambda t: re.sub(r"\ncertificate:.*?(?=\nreviewed:)", "", t, flags=re.S))
    course = course_map(load_course(root))
    q1 = list(course.quizzes)[0]
    r1 = list(course.reflections)[0]
    rows, report = report_for(root, [
        full_marks("low", course, quiz={q1: 10.0}, chars={r1: 100}),  # no pass mark: any attempt will do
        full_marks("short", course, chars={r1: 99}),  # the block's own min_chars is 100
    ])
    assert not report.has_certificate
    assert rows["low"].status == "completed" and rows["low"].open_rules == []
    assert rows["short"].status == "in progress"
    assert [(o.rule, o.item) for o in rows["short"].open_rules] == [("module", course.module_ids[0])]


def test_required_modules_and_a_completion_pass_mark_come_from_course_yaml(tmp_path) -> None:
    def edit(text: str) -> str:
        text = text.replace("  required_modules: all\n", "  required_modules: all\n  pass_mark: 70\n")
        return text.replace("    modules: all\n    quiz_pass_mark: 80", "    modules: [what-is-ai, how-generative-ai-works]\n    quiz_pass_mark: 90")

    root = course_copy(tmp_path, edit)
    course = course_map(load_course(root))
    quizzes = list(course.quizzes)
    rows, _ = report_for(root, [
        full_marks("firsttwo", course, skip=set(course.module_ids[2:])),
        full_marks("lastbelow", course, quiz={quizzes[-1]: 60.0}),
        full_marks("firstbelow", course, quiz={quizzes[0]: 85.0}),
    ])
    assert rows["firsttwo"].status == "eligible"  # the certificate asks for two modules only
    assert rows["lastbelow"].status == "eligible"  # a quiz of a module the certificate does not require
    assert rows["firstbelow"].status == "completed"  # 85 passes completion's 70, not the certificate's 90
    assert [(o.rule, o.item, o.needed) for o in rows["firstbelow"].open_rules] == [("quiz", quizzes[0], 90.0)]


def test_rules_follow_course_yaml_as_it_is_now(tmp_path) -> None:
    root = course_copy(tmp_path)
    course = course_map(load_course(root))
    q1 = list(course.quizzes)[0]
    rows, _ = report_for(root, [full_marks("seventy", course, quiz={q1: 70.0})])
    assert rows["seventy"].status == "completed"
    (root / "course.yaml").write_text((root / "course.yaml").read_text().replace("quiz_pass_mark: 80", "quiz_pass_mark: 70"))
    loaded = load_course(root)
    with open_store(root / "r.duckdb") as store:
        refresh_course(store, loaded)
        assert read_report(store, loaded.course.id).rows[0].status == "eligible"


def test_store_locations_it_cannot_use(tmp_path) -> None:
    with pytest.raises(StoreError, match="DuckDB file path or a postgresql:// URL"):
        open_store("mysql://report@127.0.0.1/coursepack")
    with pytest.raises(StoreError, match="cannot open the report store"):  # port 9: nothing listens there
        open_store("postgresql://report@127.0.0.1:9/coursepack")
    not_a_store = tmp_path / "notes.duckdb"
    not_a_store.write_text("just text")
    with pytest.raises(StoreError, match="notes.duckdb: cannot open the report store"):
        open_store(not_a_store)


def test_the_report_reads_a_row_per_learner_of_best_scores_and_no_decimals(example, monkeypatch) -> None:
    """What keeps `report show` cheap at 100,000 learners: the best scores come as one row per learner
    (not one per learner and quiz), and no NUMERIC reaches Python as a Decimal (building those cost
    more than the queries)."""
    from coursepack.report.store import Store

    fetched: list[tuple[str, list[tuple]]] = []
    for name in ("execute", "stream"):
        real = getattr(Store, name)

        def recording(self, sql, params=(), _real=real):
            rows = list(_real(self, sql, params))
            fetched.append((sql, rows))
            return rows

        monkeypatch.setattr(Store, name, recording)
    root, course = example
    learners = [full_marks("ada", course), full_marks("bo", course, quiz={next(iter(course.quizzes)): 50.0}),
                full_marks("cy", course, skip=set(course.module_ids))]
    rows, report = report_for(root, learners)
    assert rows["bo"].quiz_best[next(iter(course.quizzes))] == 50.0 and len(report.quizzes) > 1
    (best,) = [found for sql, found in fetched if "quiz_best" in sql and "array_agg" in sql]
    assert len(best) == len(learners)
    decimals = [(sql, row) for sql, found in fetched for row in found if any(isinstance(v, Decimal) for v in row)]
    assert decimals == []
