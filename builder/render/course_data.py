"""The course data the player reads: one compact, deterministic JSON document per SCO.

The launch page embeds it as <script type="application/json" id="coursepack-data">. It holds what
the JavaScript needs and the HTML does not carry: ids in order (for the saved-state encoding and the
SCORM choice codes, which are positions), answer keys, the completion/certificate rules, per-reflection
character caps and the target's storage limits. Authored Markdown never goes in here; it is rendered
into the page (sanitized) by page.py.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from coursepack.load.course_loader import LoadedCourse, LoadedModule
from coursepack.model.content import ReflectionBlock
from coursepack.model.quiz import FillIn, Matching, MultipleResponse, QuizBlock, Sequencing, SingleChoice, TrueFalse
from coursepack.render.strings import strings_for

DATA_FORMAT = 3  # 3: reflections packed in the saved state, caps in storage units

# Storage limits of each target's run-time data model (characters; see peers-and-standards §4.1).
# "comments": SCORM 1.2's one cmi.comments string for every reflection; SCORM 2004's report copy goes in
# cmi.comments_from_learner.n.comment, one record per reflection, each up to 4,000 characters (§4.2).
LIMITS: dict[str, dict[str, int]] = {
    "scorm12": {"suspend": 4096, "comments": 4096, "location": 255},
    "scorm2004": {"suspend": 64000, "comments": 4000, "location": 1000},
}

# Longest fill-in answer kept in the saved state when it was wrong (packed characters).
FILL_IN_SAVED_CHARS = 48
# Fill-in inputs accept at most this many characters (SCORM 1.2 student_response is 255).
FILL_IN_MAX = 255

class UnknownAdapter(ValueError):
    pass


def limits_for(adapter: str) -> dict[str, int]:
    try:
        return LIMITS[adapter]
    except KeyError:
        raise UnknownAdapter(f"unknown adapter '{adapter}' (expected one of: {', '.join(sorted(LIMITS))})") from None


@dataclass(frozen=True)
class ReflectionRef:
    block: ReflectionBlock
    module: LoadedModule
    path: tuple[str | int, ...]  # data path inside the module file
    page_index: int  # index in the SCO's page list


@dataclass(frozen=True)
class QuizRef:
    block: QuizBlock
    module: LoadedModule
    path: tuple[str | int, ...]
    page_index: int


@dataclass
class ScoPlan:
    """The modules, pages, quizzes and reflections of one SCO, in the order learners meet them."""

    loaded: LoadedCourse
    edition: str
    adapter: str
    modules: list[LoadedModule]
    pages: list[tuple[LoadedModule, int]] = field(default_factory=list)  # (module, page index in module)
    quizzes: list[QuizRef] = field(default_factory=list)
    reflections: list[ReflectionRef] = field(default_factory=list)

    @property
    def whole_course(self) -> bool:
        return len(self.modules) == len(self.loaded.modules)


def plan_sco(loaded: LoadedCourse, edition: str, adapter: str, module_ids: list[str] | None = None) -> ScoPlan:
    if edition not in ("standard", "certificate"):
        raise ValueError(f"unknown edition '{edition}' (expected standard or certificate)")
    if edition == "certificate" and loaded.course.certificate is None:
        raise ValueError("the course defines no certificate edition (course.yaml has no 'certificate')")
    limits_for(adapter)
    if module_ids is None:
        modules = list(loaded.modules)
    else:
        by_id = {m.module.id: m for m in loaded.modules}
        missing = [m for m in module_ids if m not in by_id]
        if missing:
            raise ValueError(f"no module with id {', '.join(missing)}")
        modules = [m for m in loaded.modules if m.module.id in set(module_ids)]
    plan = ScoPlan(loaded, edition, adapter, modules)
    for mod in modules:
        for p, page in enumerate(mod.module.pages):
            plan.pages.append((mod, p))
            for b, block in enumerate(page.blocks):
                path = ("pages", p, "blocks", b)
                if isinstance(block, QuizBlock):
                    plan.quizzes.append(QuizRef(block, mod, path, len(plan.pages) - 1))
                elif isinstance(block, ReflectionBlock):
                    plan.reflections.append(ReflectionRef(block, mod, path, len(plan.pages) - 1))
    return plan


# ---- rules -------------------------------------------------------------------------------------

def edition_mark(plan: ScoPlan) -> int | None:
    """The pass mark the edition reports passed/failed against (the manifest's mastery score), or None."""
    return plan.loaded.course.pass_mark_for(plan.edition)


def quiz_mark(plan: ScoPlan, quiz: QuizBlock) -> int | None:
    if plan.edition == "certificate":
        return edition_mark(plan)
    return quiz.pass_mark if quiz.pass_mark is not None else plan.loaded.course.completion.pass_mark


def required_module_ids(plan: ScoPlan) -> list[str]:
    course = plan.loaded.course
    wanted = course.certificate.requires.modules if plan.edition == "certificate" else course.completion.required_modules  # type: ignore[union-attr]
    ids = [m.module.id for m in plan.modules]
    if wanted == "all":
        return ids
    chosen = [i for i in ids if i in set(wanted)]
    # A SCO holding none of the required modules still asks for its own content.
    return chosen or ids


def reflection_min(plan: ScoPlan, block: ReflectionBlock) -> int:
    """Characters a reflection needs to count as answered in this edition (0 = not gating)."""
    course = plan.loaded.course
    if not block.required:
        return 0
    if plan.edition == "certificate":
        return max(block.min_chars, course.certificate.requires.reflection_min_chars, 1)  # type: ignore[union-attr]
    if not course.completion.reflections_required:
        return 0
    return max(block.min_chars, 1)


def reveal_answers(plan: ScoPlan, quiz: QuizBlock) -> str:
    """"each": explanations and keys after every attempt; "final": only once passed or out of
    attempts. The certificate edition takes the stricter of the quiz's and the certificate's setting."""
    strict = "after_passing_or_last_attempt"
    settings = [quiz.show_answers]
    if plan.edition == "certificate" and plan.loaded.course.certificate is not None:
        settings.append(plan.loaded.course.certificate.show_answers)
    return "final" if strict in settings else "each"


def comments_record_overhead(reflection_id: str) -> int:
    """Characters the cmi.comments framing adds around one reflection: '#' id ':' length ':' text '\\n'."""
    return 1 + len(reflection_id) + 1 + 4 + 1 + 1


# Each cmi.comments write starts with "@<n>" (n up to 4 digits).
# (The per-reflection caps are worked out in state_budget.py, from both stores' sizes.)
COMMENTS_MARK = 5


def fill_in_maxlength(question: FillIn) -> int:
    longest = max(len(a) for a in question.accepted)
    return min(FILL_IN_MAX, max(40, 2 * longest))


def fingerprint(plan: ScoPlan) -> str:
    """4 characters naming the shape of the saved state; a resume with another shape starts afresh."""
    shape: list[Any] = [DATA_FORMAT, [f"{m.module.id}/{m.module.pages[p].id}" for m, p in plan.pages]]
    for ref in plan.quizzes:
        shape.append([ref.block.id, [[q.id, q.type, _answer_width(q)] for q in ref.block.questions]])
    shape.append([r.block.id for r in plan.reflections])
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


def _b64url(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def page_key(mod: LoadedModule, page_index: int) -> str:
    """The page's bookmark (cmi.core.lesson_location): '<module id>/<page id>'."""
    return f"{mod.module.id}/{mod.module.pages[page_index].id}"


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


def course_data(plan: ScoPlan) -> dict[str, Any]:
    course = plan.loaded.course
    page_index = {(m.module.id, p): i for i, (m, p) in enumerate(plan.pages)}
    required = set(required_module_ids(plan))
    from coursepack.render.state_budget import reflection_caps  # late: the budget module builds on this one

    caps = reflection_caps(plan)
    modules = []
    for mod in plan.modules:
        modules.append(
            {
                "id": mod.module.id,
                "title": mod.module.title,
                "required": mod.module.id in required,
                "pages": [page_index[(mod.module.id, p)] for p in range(len(mod.module.pages))],
                "quizzes": [i for i, q in enumerate(plan.quizzes) if q.module is mod],
                "reflections": [i for i, r in enumerate(plan.reflections) if r.module is mod],
            }
        )
    module_pos = {m.module.id: i for i, m in enumerate(plan.modules)}
    pages = [{"key": page_key(m, p), "title": m.module.pages[p].title, "module": module_pos[m.module.id]} for m, p in plan.pages]
    quizzes = []
    default_title = strings_for(course.language, course.strings)["quiz"]
    for ref in plan.quizzes:
        quiz = ref.block
        quizzes.append(
            {
                "id": quiz.id,
                "title": quiz.title or default_title,
                "reveal": reveal_answers(plan, quiz),
                "page": ref.page_index,
                "mark": quiz_mark(plan, quiz),
                "attempts": quiz.max_attempts() or 0,
                "shuffle": quiz.shuffle,
                "questions": [_question(q) for q in quiz.questions],
            }
        )
    reflections = [
        {"id": r.block.id, "page": r.page_index, "required": r.block.required, "min": reflection_min(plan, r.block), "max": caps[r.block.id], "chars": r.block.max_chars}
        for r in plan.reflections
    ]
    mark = edition_mark(plan)
    certificate = None
    if plan.edition == "certificate" and plan.whole_course:
        cert = course.certificate
        assert cert is not None
        certificate = {"title": cert.title, "issuer": cert.issuer, "hours": cert.credit_hours, "standalone": cert.standalone}
    sco = "course" if module_ids_of(plan) is None else "module:" + ",".join(m.module.id for m in plan.modules)
    return {
        "format": DATA_FORMAT,
        "fp": fingerprint(plan),
        "course": {"id": course.id, "version": course.version, "title": course.title, "lang": course.language},
        "edition": plan.edition,
        "adapter": plan.adapter,
        "sco": sco,
        "scored": mark is not None,
        "mark": mark,
        "limits": limits_for(plan.adapter),
        "modules": modules,
        "pages": pages,
        "quizzes": quizzes,
        "reflections": reflections,
        "certificate": certificate,
        "strings": strings_for(course.language, course.strings),
    }


def module_ids_of(plan: ScoPlan) -> list[str] | None:
    return None if plan.whole_course else [m.module.id for m in plan.modules]


def course_data_json(plan: ScoPlan) -> str:
    """Compact, deterministic JSON, safe to place inside a <script> element (no '<', '>' or '&')."""
    text = json.dumps(course_data(plan), ensure_ascii=True, separators=(",", ":"), sort_keys=False)
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
