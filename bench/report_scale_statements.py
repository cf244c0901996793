"""Made-up but realistic xAPI statements for the example course, for bench/report_scale.py.

Each learner plays the certificate edition's xAPI package (one launch unit: the course) as
builder/runtime/xapi_session.js and statements.js send it: the same activity ids, definitions,
contexts (registration, language, parent, grouping), results and verbs; the LRS adds `stored`,
`authority` and `version`, as Ralph does. Outcomes (share of learners):

  eligible         every module, quizzes passed (some after a failed try), reflections answered
  failed quiz      one quiz failed three times: completed, not eligible
  short reflection one reflection under the block's minimum: that module and the course stay open
  in progress      1-5 modules, then suspended
  launched only    the first page, then suspended (the report shows them in progress: an LRS has
                   no statement about a learner who never launched)

Learners work in one to three launches of the same registration (a Tin Can launch keeps it).
Everything comes from one seeded random generator: the same arguments give the same statements.
Statements come out in `stored` order across learners, as an LRS pages them (oldest first, as Ralph).
"""

from __future__ import annotations

import heapq
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from coursepack.load.course_loader import LoadedCourse, load_course
from coursepack.model.quiz import QuizBlock
from coursepack.model.content import ReflectionBlock

ADL = "http://adlnet.gov/expapi/verbs/"
TYPES = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "module": "http://adlnet.gov/expapi/activities/module",
    "page": "http://adlnet.gov/expapi/activities/lesson",
    "quiz": "http://adlnet.gov/expapi/activities/assessment",
    "question": "http://adlnet.gov/expapi/activities/cmi.interaction",
}
START = datetime(2026, 9, 1, tzinfo=timezone.utc)
ENROL_DAYS_PER_10K = 60  # 10,000 learners start over two months; more over longer (as many at once)
OUTCOMES = (("eligible", 0.50), ("failed quiz", 0.15), ("short reflection", 0.10), ("in progress", 0.20),
            ("launched only", 0.05))
PASS_MARK = 0.8  # the example course's certificate.requires.quiz_pass_mark
AUTHORITY = {"objectType": "Agent", "name": "district-lrs-writer", "mbox": "mailto:lrs-writer@district.example.org"}
WORDS = ("students", "policy", "privacy", "detector", "prompt", "feedback", "draft", "families", "evidence",
         "classroom", "bias", "sources", "integrity", "assessment", "accommodations", "guidance", "tool")
FIRST = ("Alice", "Bartholomew", "Chidinma", "Dmitri", "Eleni", "François", "Guadalupe", "Hiroshi", "Ingrid", "José",
         "Kwame", "Leilani", "Mårten", "Nguyễn", "Olúwaseun", "Priya")
LAST = ("Anders", "Berg", "Okafor", "Ivanov", "Papadopoulou", "Lefèvre", "Hernández", "Tanaka", "Johansson", "Ñúñez",
        "O'Brien", "Kowalczyk", "Haddad", "Schröder", "Mensah", "Rossi")


def _verb(word: str) -> dict[str, Any]:
    return {"id": ADL + word, "display": {"en-US": word}}


@dataclass(frozen=True)
class Question:
    activity: dict[str, Any]  # the question activity with its interaction definition
    right: str  # the response that is correct
    points: int


@dataclass(frozen=True)
class Module:
    activity: dict[str, Any]
    pages: tuple[dict[str, Any], ...]
    quiz: dict[str, Any]
    questions: tuple[Question, ...]
    reflection: dict[str, Any]
    reflection_min: int


class CourseShapes:
    """Activity objects of the example course, built once, as statements.js builds them."""

    def __init__(self, loaded: LoadedCourse) -> None:
        course = loaded.course
        self.language = course.language
        self.course_id = course.id
        self.base = course.id.rstrip("/")
        self.course = self._activity(course.id, "course", course.title)
        self.modules = tuple(self._module(m) for m in loaded.modules)

    def _activity(self, activity_id: str, kind: str, name: str) -> dict[str, Any]:
        return {"objectType": "Activity", "id": activity_id,
                "definition": {"type": TYPES[kind], "name": {self.language: name}}}

    def _module(self, loaded_module: Any) -> Module:
        module = loaded_module.module
        mid = f"{self.base}/{module.id}"
        blocks = [b for p in module.pages for b in p.blocks]
        quiz = next(b for b in blocks if isinstance(b, QuizBlock))
        reflection = next(b for b in blocks if isinstance(b, ReflectionBlock))
        quiz_id = f"{mid}/quiz/{quiz.id}"
        reflection_activity = self._activity(f"{mid}/reflection/{reflection.id}", "question", reflection.id)
        reflection_activity["definition"]["interactionType"] = "long-fill-in"
        return Module(
            activity=self._activity(mid, "module", module.title),
            pages=tuple(self._activity(f"{mid}/{p.id}", "page", p.title) for p in module.pages),
            quiz=self._activity(quiz_id, "quiz", quiz.title or f"{module.title}: quiz"),
            questions=tuple(self._question(quiz_id, q) for q in quiz.questions),
            reflection=reflection_activity,
            reflection_min=reflection.min_chars or 0,
        )

    def _question(self, quiz_id: str, q: Any) -> Question:
        activity = self._activity(f"{quiz_id}/{q.id}", "question", q.prompt.strip().splitlines()[0][:200])
        definition = activity["definition"]
        lang = self.language
        if q.type in ("single_choice", "multiple_response"):
            right = q.answer if q.type == "single_choice" else "[,]".join(q.answers)
            definition.update(interactionType="choice", correctResponsesPattern=[right],
                              choices=[{"id": c.id, "description": {lang: c.text}} for c in q.choices])
        elif q.type == "true_false":
            right = "true" if q.answer else "false"
            definition.update(interactionType="true-false", correctResponsesPattern=[right])
        elif q.type == "fill_in":
            prefix = "{case_matters=true}" if q.case_sensitive else "{case_matters=false}"
            right = q.accepted[0]
            definition.update(interactionType="fill-in", correctResponsesPattern=[prefix + a for a in q.accepted])
        elif q.type == "matching":
            right = "[,]".join(f"{p.id}[.]{p.id}-match" for p in q.pairs)
            definition.update(interactionType="matching", correctResponsesPattern=[right],
                              source=[{"id": p.id, "description": {lang: p.prompt}} for p in q.pairs],
                              target=[{"id": f"{p.id}-match", "description": {lang: p.match}} for p in q.pairs])
        else:  # sequencing
            right = "[,]".join(i.id for i in q.items)
            definition.update(interactionType="sequencing", correctResponsesPattern=[right],
                              choices=[{"id": i.id, "description": {lang: i.text}} for i in q.items])
        return Question(activity, right, q.points)


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _duration(seconds: float) -> str:
    """As lrs.js writes it: PT1H2M3.4S, hundredths at most."""
    cs = max(0, round(seconds * 100))
    h, m, s = cs // 360000, cs % 360000 // 6000, cs % 6000 / 100
    text = f"{s:.2f}".rstrip("0").rstrip(".")
    return "PT" + (f"{h}H" if h else "") + (f"{m}M" if m else "") + (f"{text}S" if s or not (h or m) else "")


class LearnerPlay:
    """One learner's statements, in time order (each with a `stored` time a moment later)."""

    def __init__(self, shapes: CourseShapes, index: int, rng: random.Random, enrol_days: float) -> None:
        self.shapes = shapes
        self.rng = rng
        self.outcome = rng.choices([o for o, _ in OUTCOMES], [w for _, w in OUTCOMES])[0]
        name = f"{FIRST[index % len(FIRST)]} {LAST[index // len(FIRST) % len(LAST)]}-{index}"
        if index % 5 == 4:  # a fifth of the LMSs launch with an account, not an e-mail address
            self.actor = {"objectType": "Agent", "name": name,
                          "account": {"homePage": "https://lms.district.example.org", "name": f"u{index:07d}"}}
        else:
            self.actor = {"objectType": "Agent", "name": name, "mbox": f"mailto:learner{index}@district.example.org"}
        self.registration = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        self.clock = START + timedelta(seconds=rng.uniform(0, enrol_days * 86400))
        self.launched = self.clock
        self.out: list[dict[str, Any]] = []

    # -- sending, as xapi_session.js does -------------------------------------------------------------

    def _context(self, parents: list[dict[str, Any]], grouping: bool) -> dict[str, Any]:
        context: dict[str, Any] = {"registration": self.registration, "language": self.shapes.language}
        activities: dict[str, Any] = {}
        if parents:
            activities["parent"] = parents
        if grouping:
            activities["grouping"] = [{"objectType": "Activity", "id": self.shapes.course_id}]
        if activities:
            context["contextActivities"] = activities
        return context

    def _send(self, word: str, obj: dict[str, Any], result: dict[str, Any] | None, parents: list[dict[str, Any]],
              grouping: bool = True, gap: tuple[float, float] = (5, 40)) -> dict[str, Any]:
        self.clock += timedelta(seconds=self.rng.uniform(*gap))
        statement: dict[str, Any] = {
            "id": str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
            "actor": self.actor, "verb": _verb(word), "object": obj,
            "context": self._context(parents, grouping), "timestamp": _stamp(self.clock),
        }
        if result is not None:
            statement["result"] = result
        # the player's queue sends every few seconds; the LRS stamps `stored` on arrival
        statement["stored"] = _stamp(self.clock + timedelta(milliseconds=self.rng.randint(200, 6000)))
        statement["authority"] = AUTHORITY
        statement["version"] = "1.0.0"
        self.out.append(statement)
        return statement

    def _unit(self, word: str, result: dict[str, Any] | None = None) -> None:
        self._send(word, self.shapes.course, result, [], grouping=False)

    def _elapsed(self) -> str:
        return _duration((self.clock - self.launched).total_seconds())

    # -- what a learner does -----------------------------------------------------------------------------

    def launch(self, resumed: bool) -> None:
        self.launched = self.clock
        self._unit("initialized")
        if resumed:
            self._send("resumed", self.shapes.course, None, [], gap=(0.1, 1))

    def leave(self, completed: bool) -> None:
        if not completed:
            self._send("suspended", self.shapes.course, {"duration": self._elapsed()}, [], gap=(1, 5))
        self._unit("terminated", {"duration": self._elapsed()})
        self.clock += timedelta(hours=self.rng.uniform(4, 72))  # the next launch, if any

    def quiz(self, module: Module, score_at_most: float | None = None) -> float:
        """One attempt: every question answered, then passed or failed; the scaled score."""
        right = 0
        for q in module.questions:
            correct = self.rng.random() < (0.9 if score_at_most is None else 0.55)
            right += correct and q.points or 0
            self._send("answered", q.activity, {
                "response": q.right if correct else "",
                "success": correct, "duration": _duration(self.rng.uniform(4, 60)),
                "score": {"scaled": 1 if correct else 0, "raw": q.points if correct else 0, "min": 0, "max": q.points},
            }, [module.quiz], gap=(10, 60))
        total = sum(q.points for q in module.questions)
        scaled = right / total
        if score_at_most is not None:
            scaled = min(scaled, score_at_most)
        self._send("passed" if scaled >= PASS_MARK else "failed", module.quiz, {
            "success": scaled >= PASS_MARK, "score": {"scaled": scaled, "raw": round(scaled * 100, 2), "min": 0, "max": 100},
        }, [module.activity], gap=(0.1, 1))
        return scaled

    def reflect(self, module: Module, chars: int) -> None:
        words: list[str] = []
        while len(" ".join(words)) < chars:
            words.append(self.rng.choice(WORDS))
        self._send("responded", module.reflection, {"response": " ".join(words)[:chars].strip() + "."},
                   [module.activity], gap=(60, 300))

    def module(self, module: Module, *, fail_quiz: bool = False, short: bool = False) -> bool:
        """Pages, quiz (retried up to three times), reflection; the module completed when it is."""
        for page in module.pages:
            self._send("experienced", page, None, [module.activity], gap=(30, 240))
        attempts = 0
        while attempts < 3:
            attempts += 1
            scaled = self.quiz(module, 0.66 if fail_quiz else None)
            if scaled >= PASS_MARK:
                break
        minimum = module.reflection_min
        self.reflect(module, self.rng.randint(20, max(21, minimum - 10)) if short else
                     self.rng.randint(max(minimum, 110) + 5, 600))
        if short:
            return False
        self._send("completed", module.activity, {"completion": True}, [self.shapes.course], gap=(0.1, 1))
        return True

    def play(self) -> list[dict[str, Any]]:
        modules = self.shapes.modules
        if self.outcome == "launched only":
            self.launch(False)
            self._send("experienced", modules[0].pages[0], None, [modules[0].activity])
            self.leave(False)
            return self.out
        upto = len(modules) if self.outcome != "in progress" else self.rng.randint(1, len(modules) - 2)
        failing = self.rng.randrange(len(modules)) if self.outcome == "failed quiz" else -1
        short = self.rng.randrange(len(modules)) if self.outcome == "short reflection" else -1
        launches = sorted(self.rng.sample(range(1, upto), min(upto - 1, self.rng.randint(0, 2)))) if upto > 1 else []
        self.launch(False)
        all_done = True
        for i, module in enumerate(modules[:upto]):
            if i in launches:
                self.leave(False)
                self.launch(True)
            all_done &= self.module(module, fail_quiz=i == failing, short=i == short)
        finished = all_done and upto == len(modules)
        if finished:
            self._unit("completed", {"completion": True, "duration": self._elapsed()})
            if failing < 0:
                self._unit("passed", {"success": True, "score": {"scaled": round(self.rng.uniform(0.85, 1), 4)},
                                      "duration": self._elapsed()})
            else:
                self._unit("failed", {"success": False, "score": {"scaled": 0.66}, "duration": self._elapsed()})
        self.leave(finished)
        return self.out


def statements(learners: int, seed: int, course_dir: Path) -> Iterator[dict[str, Any]]:
    """Every learner's statements, merged in `stored` order (ties by id, so the order is fixed). A
    learner's statements are made when the merge reaches their first launch and dropped once sent, so
    only the learners under way are in memory (the enrolment window grows with the learners)."""
    shapes = CourseShapes(load_course(course_dir))
    rng = random.Random(seed)
    enrol_days = ENROL_DAYS_PER_10K * max(1.0, learners / 10_000)
    plays = sorted((LearnerPlay(shapes, i, random.Random(rng.getrandbits(64)), enrol_days) for i in range(learners)),
                   key=lambda p: p.clock)
    heap: list[tuple[str, str, int, list[dict[str, Any]]]] = []
    waiting = iter(plays)
    upcoming = next(waiting, None)
    while heap or upcoming is not None:
        # every statement is stored after its learner's first launch: start each learner whose
        # launch comes before the next statement due
        while upcoming is not None and (not heap or _stamp(upcoming.clock) <= heap[0][0]):
            made = upcoming.play()
            made.sort(key=lambda s: (s["stored"], s["id"]))
            made.reverse()  # popped from the end
            first = made[-1]
            heapq.heappush(heap, (first["stored"], first["id"], id(made), made))
            upcoming = next(waiting, None)
        _, _, _, made = heapq.heappop(heap)
        yield made.pop()
        if made:
            top = made[-1]
            heapq.heappush(heap, (top["stored"], top["id"], id(made), made))
