"""Build-time check: the runtime's saved state must fit the target's storage, in the worst case.

The sizes mirror the encoding in builder/runtime/tracking.js (CP.codec) and the cmi.comments framing
in builder/runtime/adapters/scorm12.js; tests/test_state_budget.py and the browser tests hold them
to each other. Everything the codec writes is ASCII, so characters and UTF-8 bytes are the same count.
"""

from __future__ import annotations

import math
from typing import Any

from builder.load.course_loader import LoadedCourse
from builder.load.errors import Problem
from builder.model.quiz import FillIn, Matching, MultipleResponse, Sequencing, SingleChoice, TrueFalse
from builder.render.course_data import (
    COMMENTS_MARK,
    FILL_IN_SAVED_CHARS,
    QuizRef,
    ScoPlan,
    comments_record_overhead,
    limits_for,
    plan_sco,
    reflection_caps,
    reflection_min,
)

HEADER = 1 + 4  # format digit + structure fingerprint
DONE_CHARS = 4  # completion day, base36
ATTEMPT_CHARS = 2  # attempts used, base36, capped at 1295 ("zz"); limited quizzes allow at most 99 ("2r")
BEST_CHARS = 3  # best score x 100, base36, at most 10000 ("7ps")
# Fewest characters an uncapped reflection should get before the build suggests caps.
MIN_USEFUL_REFLECTION = 50

_TARGET_NAMES = {"scorm12": "SCORM 1.2"}


def _base36_len(n: int) -> int:
    length = 1
    while n >= 36:
        n //= 36
        length += 1
    return length


def answer_chars(question: Any) -> int:
    """Worst-case characters of one question's last answer in the saved state."""
    if isinstance(question, (SingleChoice, TrueFalse)):
        return 1
    if isinstance(question, MultipleResponse):
        return math.ceil(len(question.choices) / 6)
    if isinstance(question, Matching):
        return len(question.pairs)
    if isinstance(question, Sequencing):
        return len(question.items)
    if isinstance(question, FillIn):
        right = 1 + _base36_len(len(question.accepted) - 1) + 1
        wrong = 1 + FILL_IN_SAVED_CHARS + 1
        return max(right, wrong)
    raise TypeError(f"no saved-state size for question type {type(question).__name__}")


def quiz_chars(ref: QuizRef) -> int:
    """A quiz's record, with the '|' before it."""
    return 1 + ATTEMPT_CHARS + 1 + BEST_CHARS + 1 + sum(answer_chars(q) for q in ref.block.questions)


def suspend_chars(plan: ScoPlan) -> int:
    pages = 1 + math.ceil(len(plan.pages) / 6)
    return HEADER + pages + 1 + DONE_CHARS + sum(quiz_chars(q) for q in plan.quizzes)


def comments_chars(plan: ScoPlan) -> int:
    caps = reflection_caps(plan)
    records = sum(comments_record_overhead(r.block.id) + caps[r.block.id] for r in plan.reflections)
    return COMMENTS_MARK + records if plan.reflections else 0


def _n(value: int) -> str:
    return f"{value:,}"


def check_state_budget(loaded: LoadedCourse, edition: str, adapter: str, module_ids: list[str] | None = None) -> list[Problem]:
    """Problems when this SCO's saved state or reflections could outgrow the target's storage."""
    plan = plan_sco(loaded, edition, adapter, module_ids)
    limits = limits_for(adapter)
    target = _TARGET_NAMES.get(adapter, adapter)
    problems: list[Problem] = []

    if plan.whole_course:
        where_file, (line, col) = loaded.source.file, loaded.source.where(())
        scope = "the course"
    else:
        first = plan.modules[0]
        where_file, (line, col) = first.source.file, first.source.where(())
        scope = f"module '{first.module.id}'"

    size = suspend_chars(plan)
    if size > limits["suspend"]:
        biggest = sorted(plan.quizzes, key=lambda q: (-quiz_chars(q), q.block.id))[:3]
        detail = ", ".join(f"'{q.block.id}' ({_n(quiz_chars(q))})" for q in biggest)
        advice = "split the course with --sco-per-module or " if plan.whole_course else ""
        problems.append(
            Problem(
                where_file,
                line,
                col,
                f"saved state of {scope} can reach {_n(size)} characters; {target} allows {_n(limits['suspend'])} "
                f"(cmi.suspend_data): {advice}shorten its quizzes (each fill_in question takes up to "
                f"{FILL_IN_SAVED_CHARS + 2}, each matching/sequencing item 1; largest quizzes: {detail})",
            )
        )

    caps = reflection_caps(plan)
    total = comments_chars(plan)
    budget = limits["comments"]
    capped = [r for r in plan.reflections if r.block.max_chars is not None]
    uncapped = [r for r in plan.reflections if r.block.max_chars is None]
    if total > budget:
        # Only authors' max_chars can push the total over: uncapped reflections share what is left.
        worst = sorted(capped, key=lambda r: (-(r.block.max_chars or 0), r.block.id))
        names = ", ".join(f"'{r.block.id}' ({_n(r.block.max_chars or 0)})" for r in worst[:3])
        ref = worst[0]
        line, col = ref.module.source.where(ref.path + ("max_chars",))
        problems.append(
            Problem(
                ref.module.source.file,
                line,
                col,
                f"reflections of {scope} can reach {_n(total)} characters; {target} keeps them all in "
                f"cmi.comments, which holds {_n(budget)}: lower max_chars of {names}"
                + (" or split the course with --sco-per-module" if plan.whole_course else ""),
            )
        )
    else:
        for ref in uncapped:
            share = caps[ref.block.id]
            needed = max(reflection_min(plan, ref.block), MIN_USEFUL_REFLECTION if ref.block.required else 1)
            if share >= needed:
                continue
            line, col = ref.module.source.where(ref.path)
            others = ", ".join(f"'{r.block.id}' ({_n(r.block.max_chars or 0)})" for r in sorted(capped, key=lambda r: (-(r.block.max_chars or 0), r.block.id))[:3])
            hint = f"lower max_chars of {others}" if capped else "split the course with --sco-per-module"
            problems.append(
                Problem(
                    ref.module.source.file,
                    line,
                    col,
                    f"reflection '{ref.block.id}' gets only {_n(share)} characters: {target} keeps all "
                    f"{len(plan.reflections)} reflections of {scope} in cmi.comments ({_n(budget)} characters) "
                    f"and it needs at least {_n(needed)}: {hint}, or give it a max_chars",
                )
            )
    return problems
