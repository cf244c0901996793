"""Decoding what coursepack's SCORM 1.2 packages write, in Python: cmi.comments (reflection texts),
cmi.suspend_data (the player's saved state, formats "3" and "2") and cmi.interactions (one per
submitted question per attempt, one per reflection per session).

The formats are defined in builder/runtime/adapters/scorm12.js and builder/runtime/tracking.js;
this module reads them the way those files do, so a report agrees with what the player showed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import unquote

# ---- cmi.comments ---------------------------------------------------------------------------------

_MARK = re.compile(r"@(\d{1,4})")
_REFLECTION_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


def _after_utf16_units(text: str, start: int, units: int) -> int:
    """Index just past `units` UTF-16 code units from start, or -1 (too short, or inside a pair)."""
    i, counted = start, 0
    while counted < units:
        if i >= len(text):
            return -1
        counted += 2 if ord(text[i]) > 0xFFFF else 1
        i += 1
    return i if counted == units else -1


def _on_boundary(text: str, end: int) -> bool:
    """A record ends with '\\n' followed by the next record, the next write's mark, or the end."""
    if end == len(text):
        return True
    return text[end] == "\n" and (end + 1 == len(text) or text[end + 1] in "#@")


def parse_comments(value: str) -> dict[str, str]:
    """Reflection id -> text from cmi.comments; the last record of an id wins (Moodle appends).

    Records are '#<id>:<length>:<text>\\n' after '@<n>' write marks. The length counts Unicode code
    points; packages before that counted UTF-16 units, which is tried when the code-point length
    does not end on a record boundary (texts with characters outside the BMP). CRLF, which Moodle's
    unload beacon stores instead of LF, is read as LF (the player's textarea never yields CR).
    """
    text = value.replace("\r\n", "\n")
    texts: dict[str, str] = {}
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char == "@":
            mark = _MARK.match(text, pos)
            if mark:
                pos = mark.end()
                continue
        elif char == "#":
            colon1 = text.find(":", pos + 1)
            colon2 = text.find(":", colon1 + 1) if colon1 >= 0 else -1
            rid = text[pos + 1 : colon1] if colon1 >= 0 else ""
            digits = text[colon1 + 1 : colon2] if colon2 >= 0 else ""
            if _REFLECTION_ID.fullmatch(rid) and digits.isdigit():
                start, length = colon2 + 1, int(digits)
                end = start + length if start + length <= len(text) else -1
                if end < 0 or not _on_boundary(text, end):
                    by_units = _after_utf16_units(text, start, length)
                    if by_units >= 0 and _on_boundary(text, by_units):
                        end = by_units
                if end >= 0:  # as the player reads it: a record whose end is no boundary still counts
                    texts[rid] = text[start:end]
                    pos = end
                    continue
        pos += 1
    return texts


# ---- cmi.suspend_data -------------------------------------------------------------------------------

B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_ALPHA = "".join(chr(c) for c in range(32, 127) if chr(c) not in "|~`")
_DIGIT = {c: i for i, c in enumerate(_ALPHA)}
_BASE = len(_ALPHA)  # 92
_WIDE = "`"
READABLE_FORMATS = ("2", "3")


class StateError(ValueError):
    """The saved state cannot be read as the given shape."""


def unpack(text: str) -> str:
    """The player's packed text (format 3) back to the learner's text."""
    out: list[str] = []
    wide, i, high = False, 0, None
    while i < len(text):
        char = text[i]
        if char == _WIDE:
            wide = not wide
            i += 1
            continue
        if not wide:
            out.append(char)
            i += 1
            continue
        try:
            value = (_DIGIT[text[i]] * _BASE + _DIGIT[text[i + 1]]) * _BASE + _DIGIT[text[i + 2]]
        except (KeyError, IndexError):
            raise StateError("damaged packed text") from None
        i += 3
        if 0xD800 <= value < 0xDC00:  # high half of a surrogate pair: its low half follows
            high = value
            continue
        if high is not None and 0xDC00 <= value < 0xE000:
            value = 0x10000 + ((high - 0xD800) << 10) + (value - 0xDC00)
        elif value >= 0x60000:  # planes 14-16 are stored moved down to 0x60000
            value = value - 0x60000 + 0xE0000
        high = None
        out.append(chr(value))
    return "".join(out)


def _bits(text: str, count: int) -> list[bool]:
    flags = []
    for i in range(count):
        index = i // 6
        value = B64.find(text[index]) if index < len(text) else -1
        if value < 0:
            raise StateError("damaged page set")
        flags.append(bool(value & (1 << (i % 6))))
    return flags


@dataclass(frozen=True)
class QuizRecord:
    attempts: int
    best_percent: float  # the player's best attempt, 0..100 with two decimals


@dataclass(frozen=True)
class SavedState:
    format: str
    fingerprint: str
    pages: list[bool]
    completed_day: int | None  # days since 1970-01-01 when the course was first completed
    quizzes: list[QuizRecord | None]  # in the SCO's course order; None = never submitted
    reflections: list[str | None]


def state_fingerprint(value: str) -> str | None:
    """The shape fingerprint of a saved state in a format this reader knows, else None."""
    if len(value) >= 5 and value[0] in READABLE_FORMATS:
        return value[1:5]
    return None


def decode_state(value: str, pages: int, quizzes: int, reflections: int) -> SavedState:
    """Decode suspend_data of the shape given by the counts (the caller checks the fingerprint).

    state := format fp4 "|" pages "|" done ("|" quiz)* ("|" reflection)*; quiz := attempts36 ","
    best36 "," answers (best = percent x 100). Answers are not needed for a report and not read.
    """
    fp = state_fingerprint(value)
    if fp is None:
        raise StateError("not a coursepack saved state")
    parts = value[5:].split("|")
    if parts[0] != "" or len(parts) != 3 + quizzes + reflections:
        raise StateError("saved state of another shape")
    done = int(parts[2], 36) if parts[2] else None
    records: list[QuizRecord | None] = []
    for rec in parts[3 : 3 + quizzes]:
        if not rec:
            records.append(None)
            continue
        fields = rec.split(",", 2)
        try:
            attempts, best = int(fields[0], 36), int(fields[1], 36)
        except (ValueError, IndexError):
            raise StateError("damaged quiz record") from None
        if attempts <= 0:
            raise StateError("damaged quiz record")
        records.append(QuizRecord(attempts, best / 100))
    texts: list[str | None] = []
    for body in parts[3 + quizzes :]:
        if not body:
            texts.append(None)
        elif value[0] == "2":
            texts.append(unquote(body, errors="replace"))  # format 2: percent escapes of UTF-8
        else:
            texts.append(unpack(body))
    return SavedState(value[0], fp, _bits(parts[1], pages), done, records, texts)


# ---- cmi.interactions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interaction:
    index: int
    id: str
    type: str | None = None
    result: str | None = None  # correct | wrong | unanticipated | neutral | a number
    response: str | None = None
    weighting: float | None = None


def quiz_attempt_scores(
    interactions: Iterable[Interaction], points: Callable[[str, str], int | None]
) -> dict[str, list[float]]:
    """Percent of each submitted attempt per quiz, from the per-question interactions.

    Question interactions are named '<quiz id>.<question id>'; a quiz's next attempt starts when a
    question of it appears again. Points: the interaction's weighting, else points(quiz, question)
    from the course, else 1. Percent as the player computes it: floor(earned x 10000 / total) / 100.
    """
    current: dict[str, dict[str, tuple[bool, float]]] = {}
    scores: dict[str, list[float]] = {}

    def close(quiz: str) -> None:
        answers = current.pop(quiz, None)
        if answers:
            total = sum(w for _, w in answers.values())
            earned = sum(w for ok, w in answers.values() if ok)
            scores.setdefault(quiz, []).append(math.floor(earned * 10000 / total) / 100 if total else 0.0)

    for ix in sorted(interactions, key=lambda i: i.index):
        if "." not in ix.id or ix.result == "neutral":
            continue
        quiz, question = ix.id.split(".", 1)
        weight = ix.weighting if ix.weighting is not None else points(quiz, question)
        if question in current.get(quiz, {}):
            close(quiz)
        current.setdefault(quiz, {})[question] = (ix.result == "correct", float(weight if weight is not None else 1))
    for quiz in list(current):
        close(quiz)
    return scores


def reflection_texts(interactions: Iterable[Interaction]) -> dict[str, str]:
    """Reflection id -> the text of its last interaction (a one-line copy, cut to 255 characters)."""
    out: dict[str, str] = {}
    for ix in sorted(interactions, key=lambda i: i.index):
        if "." not in ix.id and ix.response is not None:
            out[ix.id] = ix.response
    return out


def text_length(text: str) -> int:
    """Characters as the player counts a reflection: code points of the trimmed text."""
    return len(text.strip())


# ---- SCORM 1.2 values -------------------------------------------------------------------------------

_TIMESPAN = re.compile(r"(\d{1,4}):(\d{1,2}):(\d{1,2}(?:\.\d{1,2})?)")


def timespan_seconds(value: str | None) -> float | None:
    """SCORM 1.2 CMITimespan 'HHHH:MM:SS.SS' in seconds, or None when absent or malformed."""
    match = _TIMESPAN.fullmatch((value or "").strip())
    if not match:
        return None
    hours, minutes, seconds = match.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def score_value(value: object) -> float | None:
    """A score that may arrive as a number, a numeric string or '' (none): rounded to 2 decimals,
    which also undoes Moodle's 17-digit floats (66.659999999999997 -> 66.66)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return round(float(value), 2)
    text = str(value).strip()
    if not text:
        return None
    try:
        return round(float(text), 2)
    except ValueError:
        return None
