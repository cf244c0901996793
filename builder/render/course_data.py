"""The course data the player reads: one compact, deterministic JSON document per launch unit.

The launch page embeds it as <script type="application/json" id="coursepack-data">. It holds what
the JavaScript needs and the HTML does not carry: ids in order (for the saved-state encoding and the
interactions' choice codes, which are positions), answer keys, the completion/certificate rules,
per-reflection character caps and the target's storage limits. Authored Markdown never goes in here;
it is rendered into the page (sanitized) by page.py.

A large unit (its pages in page files) keeps each quiz's questions and answer keys beside its page's
markup (quiz_block_questions): its course data carries per quiz only the answer shape the saved-state codec
reads and the quiz's points, so the launch page does not grow with the quizzes' contents; and per module
its minutes, since the player builds most of its contents' module entries (page.MENU_MODULES_SHIPPED).
"""

from __future__ import annotations

import base64
import hashlib
import json
import unicodedata
from typing import Any

from coursepack.model.quiz import FillIn, Matching, MultipleResponse, QuizBlock, Sequencing, SingleChoice, TrueFalse
from coursepack.render.state_budget import reflection_caps
from coursepack.render.storage_limits import StorageLimits
from coursepack.render.strings import strings_for
from coursepack.render.unit_contents import (
    UnitContents,
    edition_mark,
    module_ids_of,
    page_key,
    quiz_mark,
    reflection_min,
    required_module_ids,
    reveal_answers,
)

DATA_FORMAT = 3  # 3: reflections packed in the saved state, caps in storage units

# Fill-in inputs accept at most this many characters, on every target: the strictest response field
# an LMS keeps (SCORM 1.2's student_response) holds 255.
FILL_IN_MAX = 255


def fill_in_maxlength(question: FillIn) -> int:
    longest = max(len(a) for a in question.accepted)
    return min(FILL_IN_MAX, max(40, 2 * longest))


def fingerprint(unit: UnitContents) -> str:
    """4 characters naming the shape of the saved state; a resume with another shape starts afresh."""
    shape: list[Any] = [DATA_FORMAT, [f"{m.module.id}/{m.module.pages[p].id}" for m, p in unit.pages]]
    for ref in unit.quizzes:
        shape.append([ref.block.id, [[q.id, q.type, _answer_width(q)] for q in ref.block.questions]])
    shape.append([r.block.id for r in unit.reflections])
    digest = hashlib.sha256(json.dumps(shape, separators=(",", ":")).encode("ascii")).digest()
    return _b64url(digest)[:4]


def _answer_width(question: Any) -> int:
    if isinstance(question, (SingleChoice, MultipleResponse)):
        return len(question.choices)
    if isinstance(question, Matching):
        return len(question.pairs)
    if isinstance(question, Sequencing):
        return len(question.items)
    return 0


# one letter per question type in a quiz's answer shape (runtime/tracking.js reads the same letters)
_SHAPE_LETTERS = {"single_choice": "c", "multiple_response": "m", "true_false": "t", "fill_in": "f", "matching": "p", "sequencing": "s"}


def answer_shape(questions: Any) -> str:
    """What the saved-state codec needs of a quiz's questions: per question its type's letter and, for
    the types answered by position, the number of choices, pairs or items ("c4tm5fp3s4")."""
    out = []
    for q in questions:
        width = _answer_width(q)
        out.append(_SHAPE_LETTERS[q.type] + (str(width) if width else ""))
    return "".join(out)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


# ---- the JSON ----------------------------------------------------------------------------------

def _question(question: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": question.id, "type": question.type, "points": question.points}
    if isinstance(question, SingleChoice):
        ids = [c.id for c in question.choices]
        out.update(choices=ids, answer=ids.index(question.answer))
    elif isinstance(question, MultipleResponse):
        ids = [c.id for c in question.choices]
        out.update(choices=ids, answers=sorted(ids.index(a) for a in question.answers))
    elif isinstance(question, TrueFalse):
        out.update(answer=question.answer)
    elif isinstance(question, FillIn):
        out.update(accepted=list(question.accepted), case=question.case_sensitive, ws=question.whitespace, maxlength=fill_in_maxlength(question))
    elif isinstance(question, Matching):
        out.update(pairs=[p.id for p in question.pairs])
    elif isinstance(question, Sequencing):
        out.update(items=[i.id for i in question.items])
    return out


def quiz_block_questions(block: QuizBlock) -> list[dict[str, Any]]:
    """One quiz's questions and answer keys as the player reads them."""
    return [_question(q) for q in block.questions]


def course_data(unit: UnitContents, adapter: str, limits: StorageLimits | None, paged: bool = False) -> dict[str, Any]:
    """The player's data for one unit of a target: its runtime adapter, and its storage limits
    (None for a target whose store has none). paged: a large unit, its pages in page files: the quizzes'
    questions go there, each quiz keeping its answer shape and points here, and each module gives its
    minutes (the player builds the contents' entries the launch page leaves out)."""
    course = unit.loaded.course
    page_index = {(m.module.id, p): i for i, (m, p) in enumerate(unit.pages)}
    required = set(required_module_ids(unit))
    caps = reflection_caps(unit, limits)
    # each module's quizzes and reflections, in one pass (a unit may hold every module)
    quizzes_of: dict[int, list[int]] = {id(m): [] for m in unit.modules}
    reflections_of: dict[int, list[int]] = {id(m): [] for m in unit.modules}
    for i, q in enumerate(unit.quizzes):
        quizzes_of[id(q.module)].append(i)
    for i, r in enumerate(unit.reflections):
        reflections_of[id(r.module)].append(i)
    modules = []
    for mod in unit.modules:
        modules.append(
            {
                "id": mod.module.id,
                "title": mod.module.title,
                "required": mod.module.id in required,
                "pages": [page_index[(mod.module.id, p)] for p in range(len(mod.module.pages))],
                "quizzes": quizzes_of[id(mod)],
                "reflections": reflections_of[id(mod)],
            }
        )
        if paged:
            modules[-1]["minutes"] = mod.module.minutes
    module_pos = {m.module.id: i for i, m in enumerate(unit.modules)}
    pages = [{"key": page_key(m, p), "title": m.module.pages[p].title, "module": module_pos[m.module.id]} for m, p in unit.pages]
    quizzes = []
    default_title = strings_for(course.language, course.strings)["quiz"]
    for ref in unit.quizzes:
        quiz = ref.block
        entry: dict[str, Any] = {
            "id": quiz.id,
            "title": quiz.title or default_title,
            "reveal": reveal_answers(unit, quiz),
            "page": ref.page_index,
            "mark": quiz_mark(unit, quiz),
            "attempts": quiz.max_attempts() or 0,
            "shuffle": quiz.shuffle,
        }
        if paged:
            entry.update(shape=answer_shape(quiz.questions), points=sum(q.points for q in quiz.questions))
        else:
            entry["questions"] = [_question(q) for q in quiz.questions]
        quizzes.append(entry)
    reflections = [
        {"id": r.block.id, "page": r.page_index, "required": r.block.required, "min": reflection_min(unit, r.block), "max": caps[r.block.id], "chars": r.block.max_chars}
        for r in unit.reflections
    ]
    mark = edition_mark(unit)
    certificate = None
    if unit.edition == "certificate" and unit.whole_course:
        cert = course.certificate
        assert cert is not None
        certificate = {"title": cert.title, "issuer": cert.issuer, "hours": cert.credit_hours, "standalone": cert.standalone}
    sco = "course" if module_ids_of(unit) is None else "module:" + ",".join(m.module.id for m in unit.modules)
    return {
        "format": DATA_FORMAT,
        "fp": fingerprint(unit),
        "course": {"id": course.id, "version": course.version, "title": course.title, "lang": course.language},
        "edition": unit.edition,
        "adapter": adapter,
        "sco": sco,  # the player's name for "which unit": kept for the runtime
        "scored": mark is not None,
        "mark": mark,
        "limits": limits.as_json() if limits is not None else None,
        "modules": modules,
        "pages": pages,
        "quizzes": quizzes,
        "reflections": reflections,
        "certificate": certificate,
        "strings": strings_for(course.language, course.strings),
    }


def course_data_json(unit: UnitContents, adapter: str, limits: StorageLimits | None, paged: bool = False) -> str:
    """Compact, deterministic JSON, safe to place inside a <script> element (no '<', '>' or '&')."""
    text = json.dumps(course_data(unit, adapter, limits, paged), ensure_ascii=True, separators=(",", ":"), sort_keys=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# ---- certificate verification code ---------------------------------------------------------------

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def learner_key(learner_id: str, learner_name: str) -> str:
    """Who the certificate is for: the LMS learner id when there is one, else the name as printed."""
    if learner_id.strip():
        return "id:" + learner_id.strip()
    name = " ".join(unicodedata.normalize("NFC", learner_name).split()).lower()
    return "name:" + name


def verification_code(course_id: str, version: str, learner_id: str, learner_name: str, completed_on: str) -> str:
    """The 10-character code printed on certificates (player.js computes the same).

    Algorithm: SHA-256 of the UTF-8 text "<course id>|<version>|<learner key>|<YYYY-MM-DD>", where the
    learner key is "id:<LMS learner id>" or, without one, "name:<name, spaces collapsed, lowercased>";
    the first 50 bits of the digest in Crockford base32 (0-9, A-Z without I, L, O, U), shown as
    XXXXX-XXXXX. To check a certificate, recompute from the same four values and compare.
    """
    text = f"{course_id}|{version}|{learner_key(learner_id, learner_name)}|{completed_on}"
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    bits = int.from_bytes(digest[:7], "big") >> 6  # top 50 bits
    chars = "".join(CROCKFORD[(bits >> (5 * (9 - i))) & 31] for i in range(10))
    return f"{chars[:5]}-{chars[5:]}"
