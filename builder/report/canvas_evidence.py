"""What Canvas can say about a learner of a SCORM assignment, as report evidence.

Canvas's SCORM tool hands Canvas one score per learner (the package's cmi.core.score.raw, scaled to
the assignment's points) and nothing else: no module progress, no quiz scores, no reflections. So:

- a score at or above the pass mark of a *scored* edition (one that reports passed/failed against a
  mark: the certificate edition, or a standard edition with completion.pass_mark) means the player
  said "passed", which it only says when the course's completion rules were met: every module the
  course's completion requires counts as completed (the learner becomes *completed*; never
  *eligible*, as the certificate's quiz and reflection rules cannot be checked from a score);
- any other score, or a submission without one, means the learner started: *in progress*;
- a learner with no submission is listed, *not started*.

The API and the gradebook CSV both come down to CanvasRecord rows, read here the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from coursepack.load.course_loader import LoadedCourse
from coursepack.render.unit_contents import required_module_ids, unit_contents
from coursepack.report.evidence import ImportBatch, Learner, LearnerEvidence, ModuleProgress, Session

# A Canvas workflow_state that means nothing was ever sent (the submission object exists for every student).
UNSUBMITTED = "unsubmitted"


@dataclass(frozen=True)
class CanvasRecord:
    """One student and their submission to the SCORM assignment."""

    user_id: str  # Canvas's user id
    name: str
    login_id: str | None
    email: str | None
    sis_user_id: str | None
    score: float | None  # points, as Canvas holds them
    points_possible: float | None
    workflow_state: str | None  # 'submitted' | 'unsubmitted' | 'graded' | 'pending_review'; None from the CSV
    submitted_at: datetime | None  # naive UTC


def learner_key(record: CanvasRecord) -> tuple[str, str | None]:
    """The key a learner is known by across sources, and the e-mail address when known.

    A login id that is an e-mail address comes first: both the API and the gradebook CSV ("SIS Login
    ID") carry it, so the two imports of one person agree, and it matches a Moodle or LRS learner with
    that address. Else the e-mail address (API only), else the Canvas account."""
    login = (record.login_id or "").strip()
    if "@" in login:
        return f"mailto:{login.lower()}", login.lower()
    email = (record.email or "").strip().lower()
    if email:
        return f"mailto:{email}", email
    account = login or (record.sis_user_id or "").strip() or record.user_id
    return f"account:canvas#{account}", None


def percent(record: CanvasRecord) -> float | None:
    if record.score is None or not record.points_possible:
        return None
    return round(record.score / record.points_possible * 100, 2)


def pass_mark(loaded: LoadedCourse, edition: str) -> int | None:
    """The mark the edition reports passed against; None for an edition that only says completed."""
    return loaded.course.pass_mark_for(edition)


def _evidence(record: CanvasRecord, session_id: str, mark: int | None, required: list[str]) -> LearnerEvidence:
    key, email = learner_key(record)
    evidence = LearnerEvidence(Learner(key, record.name or record.login_id or record.user_id, email, record.login_id or record.user_id))
    started = record.score is not None or (record.workflow_state not in (None, UNSUBMITTED)) or record.submitted_at is not None
    if not started:
        return evidence
    score = percent(record)
    evidence.sessions.append(Session(session_id, None, record.submitted_at, None, record.workflow_state, score))
    if mark is not None and score is not None and score >= mark:
        for module in required:
            evidence.add_module(ModuleProgress(module, True, None, None))
    return evidence


def canvas_batch(records: list[CanvasRecord], loaded: LoadedCourse, edition: str, source: str,
                 warnings: list[str] | None = None) -> ImportBatch:
    """The import of one SCORM assignment: a learner per student record (the same key once: the last wins)."""
    mark = pass_mark(loaded, edition)
    required = required_module_ids(unit_contents(loaded, "standard"))
    session_id = f"{source}#score"
    learners: dict[str, LearnerEvidence] = {}
    for record in records:
        evidence = _evidence(record, session_id, mark, required)
        learners[evidence.learner.key] = evidence
    notes = list(warnings or [])
    if mark is None:
        notes.append(f"the {edition} edition reports no pass mark: a Canvas score cannot show completion, "
                     "so learners with a score are 'in progress'")
    return ImportBatch(source, loaded.course.id, list(learners.values()), notes)
