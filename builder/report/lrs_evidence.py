"""A course's stored xAPI statements turned into the store's evidence (evidence.py), per learner.

Activity ids (builder/targets/xapi_activities.py, builder/runtime/statements.js), with B the course id
without a trailing slash:

  course       B (the course id as course.yaml spells it), or B/course (the whole-course cmi5 AU)
  module       B/<module id>                      page  B/<module id>/<page id>
  quiz         B/<module id>/quiz/<quiz id>       question  B/<module id>/quiz/<quiz id>/<question id>
  reflection   B/<module id>/reflection/<reflection id>

What counts, from coursepack's packages and from any other conformant package or LMS:

- module completed: completed, passed or satisfied (cmi5) on the module;
- course completed: completed, passed or satisfied on the course: every module the course's
  completion requires counts as completed by this source (another tool's package tells no more);
- quiz: every statement on the quiz with result.score.scaled is an attempt (passed, failed, answered,
  scored…); the best counts. Without any, the answered questions are scored as the SCORM
  interactions are (an attempt per run through the questions; points from score.max);
- reflection: responded (any verb) with result.response on the reflection: the latest answer of each
  session, the longest across sessions, in code points of the trimmed text;
- pages seen: experienced pages of a module, when the learner has any there (else unknown);
- a session per cmi5 session id, else per registration: first and last statement, the time of its
  terminated statements' result.duration summed.

Quizzes, reflections and pages are found by their own ids, whichever module the id names, so a
module that moved between versions keeps its learners' evidence.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from coursepack.load.course_loader import LoadedCourse
from coursepack.render.unit_contents import required_module_ids, unit_contents
from coursepack.report.course_map import CourseMap
from coursepack.report.evidence import (
    ImportBatch,
    Learner,
    LearnerEvidence,
    ModuleProgress,
    QuizResult,
    ReflectionResult,
    Session,
)
from coursepack.report.lrs_store import EVIDENCE_COLUMNS
from coursepack.report.scorm_data import Interaction, quiz_attempt_scores
from coursepack.xapi.vocabulary import COMPLETED, FAILED, PASSED, SATISFIED, TERMINATED

FINISHED = frozenset({COMPLETED, PASSED, SATISFIED})
MAX_TARGETS = 100_000  # activity ids whose Target is kept while reading
NO_SESSION = "-"


@dataclass(frozen=True)
class XapiCourse:
    """What reading statements needs to know about the course."""

    course_id: str
    base: str  # the course id without a trailing slash: the prefix of every other activity id
    module_ids: tuple[str, ...]
    module_pages: dict[str, frozenset[str]]  # module id -> its page ids
    quiz_modules: dict[str, str]  # quiz id -> module id
    question_points: dict[str, dict[str, int]]  # quiz id -> question id -> points
    reflection_modules: dict[str, str]
    completion_modules: tuple[str, ...]  # the modules the course's completion requires


def xapi_course(loaded: LoadedCourse, course: CourseMap) -> XapiCourse:
    return XapiCourse(
        course_id=course.course_id,
        base=course.course_id.rstrip("/"),
        module_ids=course.module_ids,
        module_pages={m.module.id: frozenset(p.id for p in m.module.pages) for m in loaded.modules},
        quiz_modules={q.id: q.module_id for q in course.quizzes.values()},
        question_points={q.id: dict(q.points) for q in course.quizzes.values()},
        reflection_modules={r.id: r.module_id for r in course.reflections.values()},
        completion_modules=tuple(required_module_ids(unit_contents(loaded, "standard"))),
    )


@dataclass(frozen=True)
class Target:
    """What a statement's object is in this course."""

    kind: str  # course | module | page | quiz | question | reflection | other
    module_id: str | None = None
    item: str | None = None  # page, quiz or reflection id
    question: str | None = None


def target_of(course: XapiCourse, object_id: str) -> Target:
    if object_id in (course.course_id, course.base, f"{course.base}/course"):
        return Target("course")
    if not object_id.startswith(course.base + "/"):
        return Target("other")
    parts = object_id[len(course.base) + 1 :].split("/")
    module = parts[0]
    if len(parts) == 1:
        return Target("module", module) if module in course.module_pages else Target("other")
    if len(parts) == 2 and parts[1] in course.module_pages.get(module, ()):
        return Target("page", module, parts[1])
    if len(parts) in (3, 4) and parts[1] == "quiz" and parts[2] in course.quiz_modules:
        quiz = parts[2]
        if len(parts) == 3:
            return Target("quiz", course.quiz_modules[quiz], quiz)
        return Target("question", course.quiz_modules[quiz], quiz, parts[3])
    if len(parts) == 3 and parts[1] == "reflection" and parts[2] in course.reflection_modules:
        return Target("reflection", course.reflection_modules[parts[2]], parts[2])
    return Target("other")


@dataclass
class _SessionTimes:
    first: datetime | None = None
    last: datetime | None = None
    seconds: float | None = None
    status: str | None = None
    score: float | None = None

    def saw(self, at: datetime | None) -> None:
        if at is not None:
            self.first = at if self.first is None or at < self.first else self.first
            self.last = at if self.last is None or at > self.last else self.last


@dataclass
class _Learner:
    key: str
    name: str | None = None
    email: str | None = None
    sessions: dict[str, _SessionTimes] = field(default_factory=lambda: defaultdict(_SessionTimes))
    claimed: set[str] = field(default_factory=set)  # modules a source said are completed
    course_done: bool = False
    touched: set[str] = field(default_factory=set)  # modules with any evidence
    pages: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    quiz_scores: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    answers: dict[tuple[str, str], list[Interaction]] = field(default_factory=lambda: defaultdict(list))  # (quiz, session)
    responses: dict[tuple[str, str], int] = field(default_factory=dict)  # (reflection, session) -> chars, latest wins


def _percent(scaled: float) -> float:
    return round(scaled * 100, 2)


def _read(course: XapiCourse, person: _Learner, row: dict[str, Any], target: Target) -> None:
    if row["learner_name"]:
        person.name = row["learner_name"]  # rows come in time order: the latest name wins
    if row["email"]:
        person.email = row["email"]
    session_key = row["session_key"] or NO_SESSION
    session = person.sessions[session_key]
    session.saw(row["happened_at"])
    verb = row["verb"]
    if verb == TERMINATED and row["seconds"] is not None:
        session.seconds = (session.seconds or 0.0) + row["seconds"]
    if target.kind == "course":
        if verb in FINISHED:
            person.course_done = True
        if verb in (PASSED, FAILED, COMPLETED) and session.status != "passed":
            session.status = verb.rsplit("/", 1)[-1]
        if row["scaled"] is not None:
            session.score = max(session.score or 0.0, _percent(row["scaled"]))
        return
    if target.module_id is None:
        return
    module = target.module_id
    if target.kind == "module":
        if verb in FINISHED:
            person.claimed.add(module)
            person.touched.add(module)
    elif target.kind == "page":
        person.pages[module].add(target.item or "")
        person.touched.add(module)
    elif target.kind == "quiz" and row["scaled"] is not None:
        person.quiz_scores[target.item or ""].append(_percent(row["scaled"]))
        person.touched.add(module)
    elif target.kind == "question" and row["success"] is not None:
        answers = person.answers[(target.item or "", session_key)]
        answers.append(Interaction(len(answers), f"{target.item}.{target.question}",
                                   result="correct" if row["success"] else "wrong", weighting=row["score_max"]))
        person.touched.add(module)
    elif target.kind == "reflection" and row["response_chars"] is not None:
        person.responses[(target.item or "", session_key)] = row["response_chars"]
        person.touched.add(module)


def _evidence(course: XapiCourse, person: _Learner) -> LearnerEvidence:
    identifier = person.email or person.key.split("#", 1)[-1]
    evidence = LearnerEvidence(Learner(person.key, person.name or identifier, person.email, None))
    for key, times in sorted(person.sessions.items()):
        evidence.sessions.append(Session(key, times.first, times.last, times.seconds, times.status, times.score))
    claimed = person.claimed | (set(course.completion_modules) if person.course_done else set())
    for module in course.module_ids:
        if module not in claimed and module not in person.touched:
            continue
        seen = person.pages.get(module)
        evidence.add_module(ModuleProgress(
            module, True if module in claimed else None,
            len(seen) if seen else None, len(course.module_pages[module]) if seen else None,
        ))
    for quiz, scores in person.quiz_scores.items():
        evidence.add_quiz(QuizResult(quiz, course.quiz_modules[quiz], max(scores), len(scores), "statements"))
    points = course.question_points
    for (quiz, _session), answers in sorted(person.answers.items()):
        if quiz in person.quiz_scores:
            continue  # the quiz's own scores are the player's; questions are only a fallback
        scores = quiz_attempt_scores(answers, lambda q, question: points.get(q, {}).get(question)).get(quiz, [])
        if scores:
            evidence.add_quiz(QuizResult(quiz, course.quiz_modules[quiz], max(scores), len(scores), "answers"))
    for (reflection, _session), chars in sorted(person.responses.items()):
        evidence.add_reflection(ReflectionResult(reflection, course.reflection_modules[reflection], chars, "statements"))
    return evidence


def build_batch(course: XapiCourse, source: str, rows: Iterable[tuple[Any, ...]]) -> ImportBatch:
    """Evidence for every learner in rows (lrs_store.evidence_rows: per learner, in time order). A
    learner's statements are summed up as soon as the next learner's begin, so only one learner's
    working state (every answer of every quiz) is held at a time, however many statements there are."""
    learners: list[LearnerEvidence] = []
    person: _Learner | None = None
    # a course has a few hundred activity ids, seen again in every learner's statements: each is
    # parsed once (parsing was about 40 % of reading a statement)
    targets: dict[str, Target] = {}
    for values in rows:
        row = dict(zip(EVIDENCE_COLUMNS, values))
        if person is None or row["learner_key"] != person.key:
            if person is not None:
                learners.append(_evidence(course, person))
            person = _Learner(row["learner_key"])
        object_id = row["object_id"]
        target = targets.get(object_id)
        if target is None:
            target = targets[object_id] = target_of(course, object_id)
            if len(targets) > MAX_TARGETS:  # another tool's ids may all differ: keep the cache bounded
                targets.clear()
        _read(course, person, row, target)
    if person is not None:
        learners.append(_evidence(course, person))
    return ImportBatch(source, course.course_id, learners)
