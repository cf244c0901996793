"""What an import hands to the store, whatever the source: learners and, per learner, sessions,
per-module progress, quiz results and reflection lengths. xAPI statements will map onto the same
shapes (a session per registration, a module completed statement, a scored quiz, an answered
reflection)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Learner:
    key: str  # the identity used across sources: 'mailto:<email>' (an xAPI mbox) or 'account:<home>#<name>'
    name: str
    email: str | None = None
    lms_user: str | None = None  # the LMS's own id or user name, for people looking the learner up


@dataclass(frozen=True)
class Session:
    """One SCO attempt (later: one xAPI registration)."""

    session_id: str
    started_at: datetime | None  # UTC
    last_at: datetime | None  # UTC
    seconds: float | None  # time the source counted; None when it gives none
    status: str | None
    score: float | None


@dataclass(frozen=True)
class ModuleProgress:
    module_id: str
    completed: bool | None  # the source itself says the module is complete (None: it does not say)
    pages_seen: int | None  # None when the source does not tell which pages were seen
    pages_total: int | None


@dataclass(frozen=True)
class QuizResult:
    quiz_id: str
    module_id: str
    best_percent: float
    attempts: int
    evidence: str  # where the best came from: 'suspend_data' | 'interactions'


@dataclass(frozen=True)
class ReflectionResult:
    reflection_id: str
    module_id: str
    chars: int  # code points of the trimmed answer, as the player counts them
    evidence: str  # 'suspend_data' | 'comments' | 'interactions'


@dataclass
class LearnerEvidence:
    learner: Learner
    sessions: list[Session] = field(default_factory=list)
    modules: dict[str, ModuleProgress] = field(default_factory=dict)
    quizzes: dict[str, QuizResult] = field(default_factory=dict)
    reflections: dict[str, ReflectionResult] = field(default_factory=dict)

    def add_module(self, item: ModuleProgress) -> None:
        old = self.modules.get(item.module_id)
        if old is None:
            self.modules[item.module_id] = item
            return
        completed = True if True in (old.completed, item.completed) else (old.completed if old.completed is not None else item.completed)
        seen = [p for p in (old.pages_seen, item.pages_seen) if p is not None]
        total = [p for p in (old.pages_total, item.pages_total) if p is not None]
        self.modules[item.module_id] = ModuleProgress(
            item.module_id, completed, max(seen) if seen else None, max(total) if total else None
        )

    def add_quiz(self, item: QuizResult) -> None:
        """Across attempts and SCOs of one source: the best score, the attempts summed."""
        old = self.quizzes.get(item.quiz_id)
        if old is None:
            self.quizzes[item.quiz_id] = item
            return
        best = item if item.best_percent > old.best_percent else old
        self.quizzes[item.quiz_id] = QuizResult(
            item.quiz_id, item.module_id, best.best_percent, old.attempts + item.attempts, best.evidence
        )

    def add_reflection(self, item: ReflectionResult) -> None:
        """Across attempts and SCOs of one source: the longest answer."""
        old = self.reflections.get(item.reflection_id)
        if old is None or item.chars > old.chars:
            self.reflections[item.reflection_id] = item


@dataclass
class ImportBatch:
    """Everything one import read from one source (a snapshot: it replaces the source's earlier one)."""

    source: str  # e.g. 'moodle:https://lms.example.org#cmid=12' or 'moodle-files#cmid=12'
    course_id: str
    learners: list[LearnerEvidence]
    warnings: list[str] = field(default_factory=list)
