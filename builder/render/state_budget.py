"""Build-time check: the runtime's saved state must fit the target's storage, in the worst case.

The sizes mirror the encoding in builder/runtime/tracking.js (CP.codec); the report copy's framing
and every limit come from the target (StorageLimits, defined by each module in targets/), so this
module names no standard. tests/test_state_budget.py and the browser tests hold the sizes to the
runtime. Everything the codec writes is ASCII, so characters and UTF-8 bytes are the same count.

Reflections are stored twice: packed in the saved state (committed on every edit, what a resumed
session reads) and as plain text in the report copy (written at a clean finish, for the LMS's
reports). A reflection's cap is in storage units: a text's cost is the larger of its packed length
and its UTF-8 bytes, so one cap bounds both stores. Plain English costs 1 per character; any
character of any script, emoji included, costs at most COST_PER_CHAR (4, for a 4-byte emoji; 3 for
other scripts), plus 1 for a wide run. So a learner can always type ``min_chars`` characters when
the cap is at least ``worst_cost(min_chars)``, which the build proves for every reflection.

A target without limits (None: the state lives where size is not counted) has no budget to prove:
a reflection's cap is then its author's max_chars, or the model's ceiling for max_chars.
"""

from __future__ import annotations

import math
from typing import Any

from coursepack.load.errors import Problem
from coursepack.model.quiz import FillIn, Matching, MultipleResponse, Sequencing, SingleChoice, TrueFalse
from coursepack.render.storage_limits import StorageLimits
from coursepack.render.unit_contents import QuizRef, UnitContents, reflection_min

HEADER = 1 + 4  # format digit + structure fingerprint
DONE_CHARS = 4  # completion day, base36
ATTEMPT_CHARS = 2  # attempts used, base36, capped at 1295 ("zz"); limited quizzes allow at most 99 ("2r")
BEST_CHARS = 3  # best score x 100, base36, at most 10000 ("7ps")
# Longest fill-in answer kept in the saved state when it was wrong (packed characters).
FILL_IN_SAVED_CHARS = 48
# Fewest characters an uncapped reflection should get before the build suggests caps.
MIN_USEFUL_REFLECTION = 50
# Storage units one character of any script can take (tracking.js packing, and UTF-8 for the report copy).
COST_PER_CHAR = 4
# The most characters an author may give max_chars (the model's ceiling): no reflection needs more.
MAX_CHARS_CEILING = 4000


def worst_cost(chars: int) -> int:
    """Storage units ``chars`` characters of any script (emoji included) can need."""
    return COST_PER_CHAR * chars + 1 if chars else 0


def chars_always_fitting(cap: int) -> int:
    """Characters of any script a cap always holds."""
    return max((cap - 1) // COST_PER_CHAR, 0)


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


def progress_chars(unit: UnitContents) -> int:
    """The saved state without reflections: pages seen, completion day, quizzes."""
    pages = 1 + math.ceil(len(unit.pages) / 6)
    return HEADER + pages + 1 + DONE_CHARS + sum(quiz_chars(q) for q in unit.quizzes)


def suspend_chars(unit: UnitContents, limits: StorageLimits | None, *, caps: dict[str, int] | None = None,
                  progress: int | None = None) -> int:
    """Worst case of the whole saved state: progress, then each reflection at its cap after a '|'.
    (caps, progress: reflection_caps and progress_chars when already worked out.)"""
    caps = reflection_caps(unit, limits) if caps is None else caps
    progress = progress_chars(unit) if progress is None else progress
    return progress + sum(1 + caps[r.block.id] for r in unit.reflections)


def authored_cap(max_chars: int) -> int:
    """Storage an author's max_chars (characters the learner sees, in any script) needs."""
    return worst_cost(max_chars)


def reflection_caps(unit: UnitContents, limits: StorageLimits | None, *, progress: int | None = None) -> dict[str, int]:
    """Storage units each reflection may fill: enough for the author's max_chars in any script, else
    an even share of the room both stores have left (the saved state after its progress part, and
    the report copy); never more than the model's ceiling for max_chars needs."""
    ceiling = authored_cap(MAX_CHARS_CEILING)
    uncapped = [r for r in unit.reflections if r.block.max_chars is None]
    if limits is None:
        share = ceiling  # no store to share: as much as any max_chars could ask
    elif not uncapped:
        share = 0
    else:
        authored = sum(authored_cap(r.block.max_chars) for r in unit.reflections if r.block.max_chars is not None)
        progress = progress_chars(unit) if progress is None else progress
        in_state = limits.suspend - progress - len(unit.reflections) - authored
        if limits.comments_per_reflection:
            # each reflection has its own record of limits.comments characters (units count at least as many)
            share = min(max(in_state // len(uncapped), 0), limits.comments)
        else:
            framing = limits.comments_mark + sum(limits.comments_record_overhead(r.block.id) for r in unit.reflections)
            in_comments = limits.comments - framing - authored
            share = max(min(in_state, in_comments) // len(uncapped), 0)
        share = min(share, ceiling)
    return {r.block.id: (authored_cap(r.block.max_chars) if r.block.max_chars is not None else share) for r in unit.reflections}


def comments_chars(unit: UnitContents, limits: StorageLimits, *, caps: dict[str, int] | None = None) -> int:
    """Characters of the reflections' report copy: all of a shared copy with its framing, or the largest
    one record when each reflection has its own (capped reflections: max_chars is at most 4,000)."""
    caps = reflection_caps(unit, limits) if caps is None else caps
    if limits.comments_per_reflection:
        return max([min(caps[r.block.id], r.block.max_chars or caps[r.block.id]) for r in unit.reflections], default=0)
    records = sum(limits.comments_record_overhead(r.block.id) + caps[r.block.id] for r in unit.reflections)
    return limits.comments_mark + records if unit.reflections else 0


def _n(value: int) -> str:
    return f"{value:,}"


def check_state_budget(unit: UnitContents, limits: StorageLimits | None) -> list[Problem]:
    """Problems when this unit's saved state or reflections could outgrow the target's storage
    (none when the target has no limits)."""
    if limits is None:
        return []
    loaded = unit.loaded
    target = limits.standard
    problems: list[Problem] = []

    # where a problem of the whole unit points: its file's first value (looked up only for a problem:
    # a file's positions are worked out when first asked for)
    source = loaded.source if unit.whole_course else unit.modules[0].source
    scope = "the course" if unit.whole_course else f"module '{unit.modules[0].module.id}'"

    progress = progress_chars(unit)
    if progress > limits.suspend:
        where_file, (line, col) = source.file, source.where(())
        biggest = sorted(unit.quizzes, key=lambda q: (-quiz_chars(q), q.block.id))[:3]
        detail = ", ".join(f"'{q.block.id}' ({_n(quiz_chars(q))})" for q in biggest)
        advice = "split the course with --sco-per-module or " if unit.whole_course else ""
        problems.append(
            Problem(
                where_file,
                line,
                col,
                f"saved state of {scope} can reach {_n(progress)} characters; {target} allows {_n(limits.suspend)} "
                f"({limits.suspend_store}): {advice}shorten its quizzes (each fill_in question takes up to "
                f"{FILL_IN_SAVED_CHARS + 2}, each matching/sequencing item 1; largest quizzes: {detail})",
            )
        )
        return problems  # the reflections' share cannot be judged until the quizzes fit

    caps = reflection_caps(unit, limits, progress=progress)
    capped = [r for r in unit.reflections if r.block.max_chars is not None]
    uncapped = [r for r in unit.reflections if r.block.max_chars is None]
    largest = ", ".join(f"'{r.block.id}' ({_n(r.block.max_chars or 0)})" for r in sorted(capped, key=lambda r: (-(r.block.max_chars or 0), r.block.id))[:3])
    split = " or split the course with --sco-per-module" if unit.whole_course else ""
    # Only authors' max_chars can overflow a store: uncapped reflections share what is left.
    overflow = [
        (suspend_chars(unit, limits, caps=caps, progress=progress), limits.suspend, f"{limits.suspend_store}, with the saved state ({_n(progress)} characters of it for pages and quizzes)"),
        (comments_chars(unit, limits, caps=caps), limits.comments, f"{limits.comments_store}, for the LMS's reports"),
    ]
    for total, budget, store in overflow:
        if total > budget and capped:
            ref = sorted(capped, key=lambda r: (-(r.block.max_chars or 0), r.block.id))[0]
            line, col = ref.module.source.where(ref.path + ("max_chars",))
            problems.append(
                Problem(
                    ref.module.source.file,
                    line,
                    col,
                    f"reflections of {scope} can reach {_n(total)} characters; {target} keeps them in "
                    f"{store}, which holds {_n(budget)}: lower max_chars of {largest}{split}",
                )
            )
            return problems
    for ref in uncapped:
        share = caps[ref.block.id]
        least = reflection_min(unit, ref.block)
        needed = max(worst_cost(least), MIN_USEFUL_REFLECTION if ref.block.required else 1)
        if share >= needed:
            continue
        line, col = ref.module.source.where(ref.path)
        hint = f"lower max_chars of {largest}" if capped else "split the course with --sco-per-module"
        why = (f"{_n(least)} characters in any script need up to {_n(needed)} ({COST_PER_CHAR} per character "
               f"for emoji, 3 for most scripts, 1 for English), so a learner writing in Chinese or with emoji "
               f"could never reach the minimum; lower min_chars to {_n(chars_always_fitting(share))}, " if least and share < worst_cost(least)
               else f"it needs at least {_n(needed)}: ")
        problems.append(
            Problem(
                ref.module.source.file,
                line,
                col,
                f"reflection '{ref.block.id}' gets only {_n(share)} characters of storage: {target} keeps all "
                f"{len(unit.reflections)} reflections of {scope} both in {limits.suspend_store}, with the saved state "
                f"({_n(limits.suspend)} characters, {_n(progress)} of them for pages and quizzes), and in "
                f"{limits.comments_store} ({_n(limits.comments)}"
                f"{' each' if limits.comments_per_reflection else ''}); {why}{hint}, or give it a max_chars",
            )
        )
    return problems
