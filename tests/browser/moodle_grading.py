"""Moodle 4.3's server rule for when a SCORM 1.2 learner's grade and completion are re-evaluated,
replayed over the LMS* calls a package made (see ../shared/notes/moodle-rules.md).

What Moodle does (mod/scorm, 4.3.0):
* ``datamodels/scorm_12.js`` posts, on each LMSCommit and at LMSFinish, only the elements whose value
  changed since the last post, walking its ``cmi`` object: ``cmi.core.score.*`` come before
  ``cmi.core.lesson_status`` (the score object is created first), the rest after.
* ``locallib.php`` ``scorm_insert_track()`` stores each posted element in turn and calls
  ``scorm_update_grades()`` (grade *and* activity completion) only when the element is
  ``cmi.core.score.raw``, or when a lesson_status row is *inserted* as completed/passed. An existing
  status row that changes (incomplete -> passed) triggers nothing: 4.3 tests the old row.

So what the gradebook and the completion tick show is what Moodle saw at the last re-evaluation,
which is right only if that moment saw the learner's final status and score. ``replay`` computes
those moments; ``problems`` says when the last one is stale. scorm-again knows none of this, which
is why the browser tests check it here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

STATUS = "cmi.core.lesson_status"
RAW = "cmi.core.score.raw"
_SCORE_FIRST = ("cmi.core.score.raw", "cmi.core.score.max", "cmi.core.score.min")
_DONE = {"completed", "passed"}


@dataclass(frozen=True)
class Regrade:
    """One call of scorm_update_grades(): the stored status and score at that moment."""
    call_index: int
    trigger: str            # the posted element that caused it
    status: str
    score: str | None


@dataclass
class MoodleRecord:
    """What Moodle's tables hold after the session, and when it re-graded."""
    stored: dict[str, str] = field(default_factory=dict)
    regrades: list[Regrade] = field(default_factory=list)
    # (call index, element, status stored at that moment) for every score.raw posted
    score_posts: list[tuple[int, str]] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.stored.get(STATUS, "")

    @property
    def score(self) -> str | None:
        return self.stored.get(RAW)

    @property
    def last_regrade(self) -> Regrade | None:
        return self.regrades[-1] if self.regrades else None

    def grade(self, method: str = "highest") -> float | None:
        """The gradebook value at the last re-evaluation: "highest" (the SCO's score; one SCO) or
        "objects" (Learning objects: 1 when the status was completed/passed)."""
        last = self.last_regrade
        if last is None:
            return None
        if method == "objects":
            return 1.0 if last.status in _DONE else 0.0
        return float(last.score) if last.score not in (None, "") else 0.0

    def complete(self, require: str = "passed", min_score: float | None = None) -> bool:
        """Activity completion as of the last re-evaluation (require "passed": passed only;
        "completed": completed or passed)."""
        last = self.last_regrade
        if last is None:
            return False
        ok = last.status == "passed" if require == "passed" else last.status in _DONE
        if min_score is not None:
            ok = ok and last.score not in (None, "") and float(last.score) >= min_score
        return ok


def _initial_values(initial_cmi: Mapping[str, Any] | None) -> dict[str, str]:
    """The stored rows a resumed session starts from (nested {"core": {...}} or flat keys)."""
    out: dict[str, str] = {}
    if not initial_cmi:
        return out
    core = initial_cmi.get("core") if isinstance(initial_cmi.get("core"), Mapping) else {}
    score = core.get("score") if isinstance(core.get("score"), Mapping) else {}
    flat = {
        STATUS: core.get("lesson_status", initial_cmi.get("core.lesson_status")),
        RAW: score.get("raw", initial_cmi.get("core.score.raw")),
    }
    for element, value in flat.items():
        if value not in (None, "") and not (element == STATUS and value == "not attempted"):
            out[element] = str(value)
    return out


def _post_order(element: str) -> tuple[int, str]:
    if element in _SCORE_FIRST:
        return (0, str(_SCORE_FIRST.index(element)))
    if element.startswith("cmi.core."):
        return (1, "")
    return (2, "")


def replay(calls: Iterable[Any], initial_cmi: Mapping[str, Any] | None = None) -> MoodleRecord:
    """Replay successful LMSSetValue / LMSCommit / LMSFinish calls the way Moodle 4.3 stores them.
    ``calls``: harness.Call objects (name, element, value, ret, error, index)."""
    record = MoodleRecord(stored=_initial_values(initial_cmi))
    if record.stored:   # a resumed session: the earlier session's last re-evaluation stands
        record.regrades.append(Regrade(-1, "an earlier session", record.stored.get(STATUS, ""), record.stored.get(RAW)))
    posted = dict(record.stored)        # what Moodle's JS last sent (or loaded)
    current = dict(record.stored)       # the JS data model now
    pending: list[str] = []             # elements in the order first set since the last post
    for c in calls:
        if c.name == "LMSSetValue" and c.element and c.error in (None, "0") and str(c.ret) == "true":
            current[c.element] = "" if c.value is None else str(c.value)
            if c.element not in pending:
                pending.append(c.element)
        elif c.name in ("LMSCommit", "LMSFinish"):
            changed = [e for e in pending if current.get(e) != posted.get(e)]
            # a stable sort keeps Moodle's walk: score first, other cmi.core next, the rest after
            for element in sorted(changed, key=_post_order):
                value = current[element]
                inserted = element not in record.stored
                record.stored[element] = value
                posted[element] = value
                if element == RAW:
                    record.score_posts.append((c.index, record.stored.get(STATUS, "")))
                if element == RAW or (element == STATUS and inserted and value in _DONE):
                    record.regrades.append(Regrade(c.index, element, record.stored.get(STATUS, ""),
                                                   record.stored.get(RAW)))
            pending = []
    return record


def problems(record: MoodleRecord) -> list[tuple[str, str, int | None]]:
    """(rule, message, call index) for what Moodle would get wrong:
    * ``score-while-incomplete``: a score.raw posted while the stored status was "incomplete":
      Moodle grades and completes against "incomplete", and its "Force completed" setting turns
      that status into "completed";
    * ``moodle-regrade``: the final status or score is not what Moodle last re-evaluated with, so
      the gradebook or the completion tick is stale (nothing later triggers a re-evaluation)."""
    out: list[tuple[str, str, int | None]] = []
    for index, status in record.score_posts:
        if status in ("incomplete", "not attempted"):
            out.append(("score-while-incomplete",
                        f"cmi.core.score.raw posted while Moodle's stored status was {status!r}",
                        index))
    final = (record.status, record.score)
    if record.status in ("completed", "passed", "failed") or record.score is not None:
        last = record.last_regrade
        if last is None:
            out.append(("moodle-regrade",
                        f"final status {record.status!r} / score {record.score!r} never re-graded by Moodle "
                        "(no score.raw posted after it, and the status row was updated, not inserted)", None))
        elif (last.status, last.score) != final:
            out.append(("moodle-regrade",
                        f"Moodle last re-graded with status {last.status!r} / score {last.score!r} "
                        f"(triggered by {last.trigger}), but the final values are {final[0]!r} / {final[1]!r}",
                        last.call_index))
    return out
