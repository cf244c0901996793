"""One xAPI statement as the few facts a report needs: who (the Agent's identifier and name), did
what (verb) to what (object id), when, in which registration and session, and the result's score,
success, completion, duration and the length of its response (never the response itself).

Statements are read with coursepack.xapi.statements.parse_statement (xAPI 1.0.x rules); one that
breaks them keeps its id and the first problem, and gives no evidence.

Checking a statement is most of what a sync costs (about 0.4 ms each), and most of that is the parts
that thousands of statements share word for word: the learner, the verb, the activity with its
definition, the context of a launch, the authority. CheckedParts checks each such part once, in its
place in a statement, and hands the checked model to the statement's check, which takes a model of
the right class as it is (pydantic does not check an instance again); the rules that span parts (the
statement's own validators) still run on every statement. A statement with any problem is checked
again whole, so its problem is named exactly as parse_statement names it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from pydantic import BaseModel, ValidationError

from coursepack.report.scorm_data import text_length
from coursepack.xapi import formats
from coursepack.xapi.statements import Activity, Agent, Context, Statement, StatementRef, parse_statement
from coursepack.xapi.vocabulary import CMI5_CATEGORY, SESSION_ID_EXT, VOIDED


@dataclass(frozen=True)
class StatementFacts:
    statement_id: str
    learner_key: str | None  # None: the actor is a Group, or the statement is not valid
    learner_name: str | None
    email: str | None
    verb: str
    object_id: str  # the Activity's id; for a voiding statement, the voided statement's id
    registration: str | None
    session: str | None  # cmi5 session id, else the registration
    at: datetime | None  # the statement's timestamp (else stored), naive UTC
    stored: datetime | None  # naive UTC
    scaled: float | None
    score_raw: float | None
    score_max: float | None
    success: bool | None
    completion: bool | None
    response_chars: int | None  # code points of the trimmed response, as the player counts a reflection
    seconds: float | None  # result.duration
    problem: str | None = None  # why it is not a valid statement (then it gives no evidence)


def learner_identity(agent: Agent) -> tuple[str, str | None]:
    """The key a learner is known by across sources, and the e-mail address when there is one.
    An mbox becomes 'mailto:<address in lower case>', as the Moodle import keys its learners."""
    if agent.mbox is not None:
        email = agent.mbox.removeprefix("mailto:").strip().lower()
        return f"mailto:{email}", email
    if agent.mbox_sha1sum is not None:
        return f"sha1:{agent.mbox_sha1sum.lower()}", None
    if agent.openid is not None:
        return f"openid:{agent.openid}", None
    assert agent.account is not None  # an Agent has exactly one identifier (the model checks it)
    return f"account:{agent.account.home_page}#{agent.account.name}", None


# The form nearly every LRS stores (RFC 3339, at most microseconds), which datetime reads itself, about
# ten times faster than formats.parse_timestamp and to the same moment; anything else goes there.
_PLAIN_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)")


def _utc(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value) if _PLAIN_TIMESTAMP.fullmatch(value) else formats.parse_timestamp(value)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.replace(tzinfo=None)


def _statement_id(raw: Any) -> str:
    """The statement's id; a statement without one (no LRS sends that) is known by a hash of it."""
    sid = raw.get("id") if isinstance(raw, dict) else None
    if isinstance(sid, str) and sid:
        return sid.lower()
    digest = hashlib.sha1(json.dumps(raw, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
    return f"sha1:{digest}"


def _first_problem(error: ValidationError) -> str:
    problem = error.errors()[0]
    where = ".".join(str(part) for part in problem["loc"]) or "(statement)"
    return " ".join(f"{where}: {problem['msg']}".split())[:300]


def _dig(raw: Any, *path: str) -> str:
    for key in path:
        raw = raw.get(key) if isinstance(raw, dict) else None
    return raw if isinstance(raw, str) else ""


def _publisher_id(context: Context | None) -> str | None:
    """For a cmi5-defined statement, the AU's id as the course structure (cmi5.xml) gives it: the object is
    the activityId the LMS made up for the launch (cmi5 §8.1), and the AU's own id is the first grouping
    activity of the LMS's context template (§9.6.2.3). None for any other statement."""
    activities = context.context_activities if context else None
    if not activities or not any(a.id == CMI5_CATEGORY for a in activities.category or ()):
        return None
    grouping = list(activities.grouping or ())
    return grouping[0].id if grouping else None


SHARED_PARTS = ("actor", "verb", "object", "context", "authority")
# A statement that is valid with any one of the shared parts put in: each part is checked in it.
_HOLDER: dict[str, Any] = {
    "actor": {"objectType": "Agent", "mbox": "mailto:holder@example.org"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
    "object": {"objectType": "Activity", "id": "https://example.org/holder"},
}
CACHED_PARTS = 4096  # parts kept checked: the learners at work at one time, their activities and contexts


class CheckedParts:
    """Shared statement parts, checked once: at most CACHED_PARTS, the least recently used dropped first."""

    def __init__(self, size: int = CACHED_PARTS) -> None:
        self._size = size
        self._models: OrderedDict[tuple[str, str], BaseModel] = OrderedDict()

    def part(self, name: str, value: dict[str, Any]) -> BaseModel:
        """The part checked where it stands in a statement; ValidationError when it is not valid."""
        # repr tells 1, 1.0 and True apart, as the strict models do; two spellings of one part
        # (keys in another order) are merely checked twice
        key = (name, repr(value))
        model = self._models.get(key)
        if model is not None:
            self._models.move_to_end(key)
            return model
        model = getattr(Statement.model_validate({**_HOLDER, name: value}), name)
        self._models[key] = model
        if len(self._models) > self._size:
            self._models.popitem(last=False)
        return model

    def parse(self, raw: Any) -> Statement:
        """parse_statement(raw), with the shared parts checked once; the same result and errors."""
        if not isinstance(raw, dict):
            return parse_statement(raw)
        try:
            checked = {name: self.part(name, raw[name]) for name in SHARED_PARTS if isinstance(raw.get(name), dict)}
            return Statement.model_validate({**raw, **checked})
        except ValidationError:
            return parse_statement(raw)  # the problem, named from the statement as it came


_PARTS = CheckedParts()


def statement_facts(raw: Any, parts: CheckedParts = _PARTS) -> StatementFacts:
    sid = _statement_id(raw)
    try:
        statement = parts.parse(raw)
    except ValidationError as error:
        return StatementFacts(
            sid, None, None, None, _dig(raw, "verb", "id"), _dig(raw, "object", "id"), None, None,
            _utc(_dig(raw, "timestamp") or None) or _utc(_dig(raw, "stored") or None), _utc(_dig(raw, "stored") or None),
            None, None, None, None, None, None, None, _first_problem(error),
        )
    key, email, name = None, None, None
    if isinstance(statement.actor, Agent):
        key, email = learner_identity(statement.actor)
        name = (statement.actor.name or "").strip() or None
    obj = statement.object
    object_id = obj.id if isinstance(obj, (Activity, StatementRef)) else ""
    context = statement.context
    object_id = _publisher_id(context) or object_id
    registration = context.registration.lower() if context and context.registration else None
    extensions = (context.extensions or {}) if context else {}
    session = extensions.get(SESSION_ID_EXT)
    result = statement.result
    score = result.score if result else None
    seconds = None
    if result and result.duration:
        seconds = formats.parse_duration(result.duration)
    stored = _utc(statement.stored)
    return StatementFacts(
        statement_id=sid,
        learner_key=key,
        learner_name=name,
        email=email,
        verb=statement.verb.id,
        object_id=object_id.lower() if statement.verb.id == VOIDED and isinstance(obj, StatementRef) else object_id,
        registration=registration,
        session=str(session) if isinstance(session, str) and session else registration,
        at=_utc(statement.timestamp) or stored,
        stored=stored,
        scaled=float(score.scaled) if score and score.scaled is not None else None,
        score_raw=float(score.raw) if score and score.raw is not None else None,
        score_max=float(score.max) if score and score.max is not None else None,
        success=result.success if result else None,
        completion=result.completion if result else None,
        response_chars=text_length(result.response) if result and result.response is not None else None,
        seconds=seconds,
    )
