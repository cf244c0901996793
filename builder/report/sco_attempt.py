"""One attempt on one SCO, as any SCORM source delivers it, turned into evidence about the course.

Web services give every element; report downloads give only the status column and the interactions.
Whatever is missing stays unknown (None) rather than read as a zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from coursepack.report.course_map import CourseMap, ScoShape
from coursepack.report.evidence import LearnerEvidence, ModuleProgress, QuizResult, ReflectionResult, Session
from coursepack.report.scorm_data import (
    Interaction,
    SavedState,
    StateError,
    decode_state,
    parse_comments,
    quiz_attempt_scores,
    reflection_texts,
    state_fingerprint,
    text_length,
)

FINISHED = ("passed", "completed")

# Warnings worth one line per import (not one per learner).
OTHER_VERSION = (
    "some saved states (cmi.suspend_data) come from a package of another version of the course: "
    "their pages seen are unknown; quiz scores and reflections are read from the interactions and cmi.comments"
)
DAMAGED_STATE = "some saved states (cmi.suspend_data) could not be read: quiz scores and reflections are read from the interactions and cmi.comments"


@dataclass
class ScoAttempt:
    sco: str  # the manifest item identifier: 'item-course' or 'item-<module id>'
    attempt: int
    status: str | None = None  # cmi.core.lesson_status, lower case
    score: float | None = None
    started_at: datetime | None = None
    last_at: datetime | None = None
    seconds: float | None = None
    comments: str | None = None
    suspend_data: str | None = None
    interactions: list[Interaction] = field(default_factory=list)


def _saved_state(attempt: ScoAttempt, shape: ScoShape, warnings: set[str]) -> SavedState | None:
    if not attempt.suspend_data:
        return None
    fp = state_fingerprint(attempt.suspend_data)
    if fp != shape.fingerprint:
        # positions in a state of another shape may name other quizzes and pages: not read
        warnings.add(OTHER_VERSION)
        return None
    try:
        return decode_state(attempt.suspend_data, len(shape.page_modules), len(shape.quiz_ids), len(shape.reflection_ids))
    except StateError:
        warnings.add(DAMAGED_STATE)
        return None


def apply_attempt(evidence: LearnerEvidence, attempt: ScoAttempt, course: CourseMap, warnings: set[str]) -> None:
    """Add what one SCO attempt shows to the learner's evidence (best and longest across attempts)."""
    shape = course.scos.get(attempt.sco)
    if shape is None:
        warnings.add(f"SCO '{attempt.sco}' is not part of this course: its data was skipped")
        return
    evidence.sessions.append(
        Session(f"{attempt.sco}#{attempt.attempt}", attempt.started_at, attempt.last_at, attempt.seconds, attempt.status, attempt.score)
    )
    state = _saved_state(attempt, shape, warnings)
    touched: set[str] = set()

    # quizzes: the player's own best from the saved state, else recomputed from the interactions
    if state is not None:
        for quiz_id, record in zip(shape.quiz_ids, state.quizzes):
            if record is not None:
                module = course.quizzes[quiz_id].module_id
                evidence.add_quiz(QuizResult(quiz_id, module, record.best_percent, record.attempts, "suspend_data"))
                touched.add(module)
    else:
        def points(quiz: str, question: str) -> int | None:
            info = course.quizzes.get(quiz)
            return info.points.get(question) if info else None

        for quiz_id, scores in quiz_attempt_scores(attempt.interactions, points).items():
            if quiz_id in course.quizzes:
                module = course.quizzes[quiz_id].module_id
                evidence.add_quiz(QuizResult(quiz_id, module, max(scores), len(scores), "interactions"))
                touched.add(module)

    # reflections: the saved state (replaced on every commit), else cmi.comments, else the interactions
    candidates: list[tuple[str, dict[str, str]]] = []
    if state is not None:
        candidates.append(("suspend_data", {rid: t for rid, t in zip(shape.reflection_ids, state.reflections) if t is not None}))
    if attempt.comments:
        candidates.append(("comments", parse_comments(attempt.comments)))
    candidates.append(("interactions", reflection_texts(attempt.interactions)))
    for rid, info in course.reflections.items():
        for kind, texts in candidates:
            if rid in texts:
                evidence.add_reflection(ReflectionResult(rid, info.module_id, text_length(texts[rid]), kind))
                touched.add(info.module_id)
                break

    # modules: pages seen when the state was read; the SCO's own status when it holds one module
    claimed = len(shape.module_ids) == 1 and attempt.status in FINISHED
    for module in shape.module_ids:
        if state is not None:
            pages = [seen for seen, m in zip(state.pages, shape.page_modules) if m == module]
            evidence.add_module(ModuleProgress(module, True if claimed else None, sum(pages), len(pages)))
        elif claimed or module in touched:
            evidence.add_module(ModuleProgress(module, True if claimed else None, None, None))
    for module in touched - set(shape.module_ids):  # an older package's activity that this version moved
        evidence.add_module(ModuleProgress(module, None, None, None))
