"""The cmi5 rules (Quartz, AICC/CMI-5_Spec_Current cmi5_spec.md) over one AU session.

Ralph neither implements the Document APIs nor judges statements, so the tests check what
an LMS would: `check_session` takes one launch's statements as the LRS stored them (with the
LMS.LaunchData the AU was given) and names every §-numbered rule they break;
`check_launch_order` proves from the LRS's request log that the AU read LMS.LaunchData and
the learner preferences before it sent its first statement. Each statement should also pass
xapi_rules.check_statement; that is not repeated here.

Terms (§7.1.3): "cmi5 defined" statements carry the cmi5 category activity and one of the
AU's cmi5 verbs; "cmi5 allowed" statements use any verb, the context template, and no cmi5
category. A statement with a cmi5 verb about the AU itself but no category is reported as a
cmi5-defined statement missing its category. Statements with the LMS's verbs (launched,
abandoned, waived, satisfied) are the LMS's and are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs

from coursepack.xapi import formats
from coursepack.xapi.vocabulary import (
    CMI5_AU_VERBS,
    CMI5_CATEGORY,
    CMI5_LMS_VERBS,
    COMPLETED,
    FAILED,
    INITIALIZED,
    LAUNCH_DATA_STATE_ID,
    LEARNER_PREFERENCES_PROFILE_ID,
    MASTERY_SCORE_EXT,
    MOVEON_CATEGORY,
    PASSED,
    PROGRESS_EXT,
    SESSION_ID_EXT,
    TERMINATED,
)
from xapi_rules import Violation

FIRST_INITIALIZED = "cmi5 §7.1.1 the first statement of a session is initialized"
LAST_TERMINATED = "cmi5 §7.1.2 the last statement of a session is terminated"
NOTHING_AFTER_TERMINATED = "cmi5 §9.3.8 no statement after terminated"
ALLOWED_BETWEEN = "cmi5 §7.1.3 cmi5-allowed statements between initialized and terminated"
DUPLICATE_VERB = "cmi5 §9.3 a cmi5-defined verb at most once per session"
PASSED_OR_FAILED = "cmi5 §9.3 passed or failed, not both, in a session"
COMPLETED_ONCE = "cmi5 §9.3.3 completed at most once per registration"
PASSED_ONCE = "cmi5 §9.3.4 passed at most once per registration"
FAILED_AFTER_PASSED = "cmi5 §9.3 no failed after passed in a registration"
CATEGORY = "cmi5 §9.6.2.1 cmi5-defined statements carry the cmi5 category"
CATEGORY_VERB = "cmi5 §9.3 the cmi5 category only with initialized, completed, passed, failed, terminated"
ACTOR = "cmi5 §9.2 cmi5-defined statements' actor is an Agent with an account"
LAUNCH_ACTOR = "cmi5 §8.1 statements use the launch actor"
OBJECT = "cmi5 §9.4 cmi5-defined statements' object is the launch activityId"
REGISTRATION = "cmi5 §9.6.1 context.registration is the launch registration"
TEMPLATE = "cmi5 §10 contextTemplate kept in every statement (§9.6.2 contextActivities, extensions)"
SESSION_ID = "cmi5 §9.6.3.1 session id extension on every statement"
SCORE_VERBS = "cmi5 §9.5.1 score only on passed and failed"
SCORE_FORMAT = "cmi5 §9.5.1 score: scaled 0..1, raw an integer with integer min and max"
SUCCESS = "cmi5 §9.5.2 success true on passed, false on failed, absent on other cmi5-defined statements"
COMPLETION = "cmi5 §9.5.3 completion true on completed, absent on other cmi5-defined statements"
DURATION = "cmi5 §9.5.4.1 duration on completed, passed, failed and terminated"
PROGRESS_RANGE = "cmi5 §9.5.5.1 progress is an integer 0..100"
PROGRESS_AFTER_COMPLETED = "cmi5 §9.5.5.1 no progress on or after completed in a registration (SHOULD NOT)"
MOVEON = "cmi5 §9.6.2.2 moveon category exactly on cmi5-defined statements with success or completion"
MASTERY_EXTENSION = "cmi5 §9.6.3.2 passed and failed carry the launch masteryScore extension"
PASSED_MASTERY = "cmi5 §9.3.4 passed: score.scaled at least masteryScore"
FAILED_MASTERY = "cmi5 §9.3.5 failed: score.scaled below masteryScore"
MASTERY_JUDGED = "cmi5 §10 with a masteryScore, passed and failed report the score.scaled they were judged on"
LAUNCH_MODE = "cmi5 §10 Browse and Review: no cmi5-defined statements but initialized and terminated"
TIMESTAMP_UTC = "cmi5 §9.7 timestamps in UTC"

LAUNCH_DATA_READ = "cmi5 §10 LMS.LaunchData read before the first statement"
LAUNCH_DATA_KEPT = "cmi5 §10 the AU does not modify or delete LMS.LaunchData"
PREFERENCES_READ = "cmi5 §11 cmi5LearnerPreferences read on startup, before the first statement"
FETCH_ONCE = "cmi5 §8.2 the fetch URL is POSTed (MUST), once (SHOULD), never with GET"
STATEMENT_SENT = "cmi5 §7.1.1 the AU sends statements (initialized first)"

_SUCCESS_BY_VERB = {PASSED: True, FAILED: False}


def _get(obj: Any, *keys: str) -> Any:
    """obj[k1][k2]…, or None where a level is missing or not an object."""
    for key in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _category_ids(stmt: dict) -> list[str]:
    return [_get(a, "id") for a in _as_list(_get(stmt, "context", "contextActivities", "category"))]


def _is_integer(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, float) and value.is_integer())


def _moment(stmt: dict) -> datetime | None:
    try:
        moment = formats.parse_timestamp(stmt.get("timestamp"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _in_time_order(indexed: list[tuple[int, dict]]) -> list[tuple[int, dict]]:
    """§9.3: "the order is determined by the value of the timestamp property"; equal
    timestamps keep the stored order. Unreadable timestamps (reported under §9.7) leave the
    stored order as it is."""
    moments = [_moment(stmt) for _, stmt in indexed]
    if any(moment is None for moment in moments):
        return indexed
    return [pair for _, pair in sorted(zip(moments, indexed), key=lambda item: (item[0], item[1][0]))]


class _SessionChecker:
    def __init__(self, launch_data: Mapping[str, Any], au_activity_id: str, registration: str, actor: Any):
        self.template = launch_data.get("contextTemplate") or {}
        self.mode = launch_data.get("launchMode", "Normal")
        self.mastery = launch_data.get("masteryScore")
        self.session_id = _get(self.template, "extensions", SESSION_ID_EXT)
        self.au = au_activity_id
        self.registration = registration
        self.actor = actor
        self.found: list[Violation] = []

    def add(self, rule: str, path: str, message: str) -> None:
        self.found.append(Violation(rule, path, message))

    def is_defined(self, stmt: dict) -> bool:
        """cmi5 defined: the category, or a cmi5 verb about the AU itself (its category missing)."""
        return CMI5_CATEGORY in _category_ids(stmt) or (
            _get(stmt, "verb", "id") in CMI5_AU_VERBS and _get(stmt, "object", "id") == self.au
        )

    # ------------------------------------------------------------ every statement

    def every_statement(self, stmt: dict, path: str) -> None:
        timestamp = stmt.get("timestamp")
        if not (isinstance(timestamp, str) and formats.is_utc_timestamp(timestamp)):
            self.add(TIMESTAMP_UTC, f"{path}.timestamp", f"{timestamp!r} is not a UTC timestamp (Z or +00:00)")
        if self.actor is not None and stmt.get("actor") != self.actor:
            self.add(LAUNCH_ACTOR, f"{path}.actor", f"{stmt.get('actor')!r}, launched with {self.actor!r}")
        context = stmt.get("context") if isinstance(stmt.get("context"), dict) else {}
        registration = context.get("registration")
        if registration is not None and registration != self.registration:
            self.add(REGISTRATION, f"{path}.context.registration", f"{registration!r}, launched with {self.registration!r}")
        self.template_kept(context, f"{path}.context")
        session = _get(context, "extensions", SESSION_ID_EXT)
        if session is None or (self.session_id is not None and session != self.session_id):
            self.add(SESSION_ID, f"{path}.context.extensions", f"session id {session!r}, launched with {self.session_id!r}")
        if PROGRESS_EXT in (_get(stmt, "result", "extensions") or {}):
            progress = stmt["result"]["extensions"][PROGRESS_EXT]
            if not (isinstance(progress, int) and not isinstance(progress, bool) and 0 <= progress <= 100):
                self.add(PROGRESS_RANGE, f"{path}.result.extensions", f"progress {progress!r}")

    def template_kept(self, context: dict, path: str) -> None:
        """§10: the AU uses the contextTemplate as the template of every statement's context
        and MUST NOT overwrite its values: its contextActivities entries stay at their
        positions, its extensions (the session id has its own rule) and other values unchanged."""
        for key, expected in self.template.items():
            if key == "contextActivities":
                for list_name, entries in (expected or {}).items():
                    actual = _as_list(_get(context, "contextActivities", list_name))
                    for position, entry in enumerate(_as_list(entries)):
                        if position >= len(actual) or not _same_activity(actual[position], entry):
                            found = actual[position] if position < len(actual) else None
                            self.add(TEMPLATE, f"{path}.contextActivities.{list_name}[{position}]",
                                     f"template entry {entry!r}, found {found!r}")
            elif key == "extensions":
                actual_extensions = context.get("extensions") or {}
                for iri, value in (expected or {}).items():
                    if iri != SESSION_ID_EXT and actual_extensions.get(iri, _MISSING) != value:
                        self.add(TEMPLATE, f"{path}.extensions", f"template extension {iri} = {value!r} not kept")
            elif context.get(key, _MISSING) != expected:
                self.add(TEMPLATE, f"{path}.{key}", f"template value {expected!r}, found {context.get(key)!r}")

    # ------------------------------------------------------------ cmi5 defined statements

    def defined_statement(self, stmt: dict, path: str) -> None:
        verb = _get(stmt, "verb", "id")
        categories = _category_ids(stmt)
        if CMI5_CATEGORY not in categories:
            self.add(CATEGORY, f"{path}.context.contextActivities.category", f"{verb} about the AU without {CMI5_CATEGORY}")
        if verb not in CMI5_AU_VERBS:
            self.add(CATEGORY_VERB, f"{path}.verb.id", f"{verb!r} with the cmi5 category")
        if _get(stmt, "object", "id") != self.au:
            self.add(OBJECT, f"{path}.object.id", f"{_get(stmt, 'object', 'id')!r}, launched with {self.au!r}")
        actor = stmt.get("actor")
        if not (isinstance(actor, dict) and actor.get("objectType", "Agent") == "Agent" and "account" in actor):
            self.add(ACTOR, f"{path}.actor", f"{actor!r}")
        if _get(stmt, "context", "registration") is None:  # a different one: every_statement says so
            self.add(REGISTRATION, f"{path}.context.registration", f"missing, launched with {self.registration!r}")
        if self.mode in ("Browse", "Review") and verb not in (INITIALIZED, TERMINATED):
            self.add(LAUNCH_MODE, f"{path}.verb.id", f"{verb} in {self.mode} mode")
        self.defined_result(stmt, verb, path)

    def defined_result(self, stmt: dict, verb: str, path: str) -> None:
        result = stmt.get("result") if isinstance(stmt.get("result"), dict) else {}
        if verb == COMPLETED:
            if result.get("completion") is not True:
                self.add(COMPLETION, f"{path}.result.completion", f"{result.get('completion')!r}, must be true")
        elif "completion" in result:
            self.add(COMPLETION, f"{path}.result.completion", f"present on {verb}")
        if verb in _SUCCESS_BY_VERB:
            if result.get("success") is not _SUCCESS_BY_VERB[verb]:
                self.add(SUCCESS, f"{path}.result.success", f"{result.get('success')!r} on {verb}")
        elif "success" in result:
            self.add(SUCCESS, f"{path}.result.success", f"present on {verb}")
        if verb in (COMPLETED, PASSED, FAILED, TERMINATED) and "duration" not in result:
            self.add(DURATION, f"{path}.result", f"{verb} without a duration")
        has_moveon = MOVEON_CATEGORY in _category_ids(stmt)
        if has_moveon != ("success" in result or "completion" in result):
            self.add(MOVEON, f"{path}.context.contextActivities.category",
                     f"moveon category {'present' if has_moveon else 'missing'}; result {sorted(result)}")
        score = result.get("score")
        if score is not None and verb not in _SUCCESS_BY_VERB:
            self.add(SCORE_VERBS, f"{path}.result.score", f"a score on {verb}")
        if isinstance(score, dict):
            self.score_format(score, f"{path}.result.score")
        if verb in _SUCCESS_BY_VERB and self.mastery is not None:
            self.judged_on_mastery(stmt, verb, score, path)

    def score_format(self, score: dict, path: str) -> None:
        scaled = score.get("scaled")
        if scaled is not None and not (isinstance(scaled, (int, float)) and not isinstance(scaled, bool) and 0 <= scaled <= 1):
            self.add(SCORE_FORMAT, f"{path}.scaled", f"{scaled!r} is not within 0..1")
        if "raw" in score and not all(_is_integer(score.get(key)) for key in ("raw", "min", "max")):
            self.add(SCORE_FORMAT, path, f"raw, min and max are integers, all three given: {score!r}")

    def judged_on_mastery(self, stmt: dict, verb: str, score: Any, path: str) -> None:
        extension = _get(stmt, "context", "extensions", MASTERY_SCORE_EXT)
        if extension != self.mastery:
            self.add(MASTERY_EXTENSION, f"{path}.context.extensions", f"masteryscore {extension!r}, launch data {self.mastery!r}")
        scaled = _get(score, "scaled")
        if not isinstance(scaled, (int, float)) or isinstance(scaled, bool):
            self.add(MASTERY_JUDGED, f"{path}.result.score.scaled", f"{verb} without score.scaled")
        elif verb == PASSED and scaled < self.mastery:
            self.add(PASSED_MASTERY, f"{path}.result.score.scaled", f"{scaled} < masteryScore {self.mastery}")
        elif verb == FAILED and scaled >= self.mastery:
            self.add(FAILED_MASTERY, f"{path}.result.score.scaled", f"{scaled} >= masteryScore {self.mastery}")

    # ------------------------------------------------------------ order (§7.1, §9.3)

    def order(self, ordered: list[tuple[int, dict]], earlier: list[dict]) -> None:
        if not ordered:
            self.add(FIRST_INITIALIZED, "statements", "the session has no statements from the AU")
            return
        defined = [self.is_defined(stmt) for _, stmt in ordered]
        verbs = [_get(stmt, "verb", "id") for _, stmt in ordered]
        first_index = ordered[0][0]
        if not (defined[0] and verbs[0] == INITIALIZED):
            self.add(FIRST_INITIALIZED, f"statements[{first_index}]", f"the session starts with {verbs[0]}")
        starts = [pos for pos, verb in enumerate(verbs) if verb == INITIALIZED and defined[pos]]
        ends = [pos for pos, verb in enumerate(verbs) if verb == TERMINATED and defined[pos]]
        if not ends:
            self.add(LAST_TERMINATED, "statements", "the session has no terminated statement")
        start = starts[0] if starts else len(ordered)
        end = ends[0] if ends else len(ordered)
        for pos, (index, _) in enumerate(ordered):
            if pos > end:
                self.add(NOTHING_AFTER_TERMINATED, f"statements[{index}]", f"{verbs[pos]} after terminated")
            if not defined[pos] and not start < pos < end:
                self.add(ALLOWED_BETWEEN, f"statements[{index}]", f"cmi5-allowed {verbs[pos]} outside the session")
        seen: set[str] = set()
        for pos, (index, _) in enumerate(ordered):
            if defined[pos] and verbs[pos] in seen:
                self.add(DUPLICATE_VERB, f"statements[{index}]", f"a second {verbs[pos]}")
            if defined[pos] and verbs[pos] in _SUCCESS_BY_VERB and seen & (set(_SUCCESS_BY_VERB) - {verbs[pos]}):
                self.add(PASSED_OR_FAILED, f"statements[{index}]", f"{verbs[pos]} after the other one")
            if defined[pos]:
                seen.add(verbs[pos])
        self.registration_order(ordered, defined, verbs, earlier)

    def registration_order(
        self, ordered: list[tuple[int, dict]], defined: list[bool], verbs: list[Any], earlier: list[dict]
    ) -> None:
        """§9.3 rules within a registration: earlier sessions' cmi5-defined statements count."""
        done = {_get(stmt, "verb", "id") for stmt in earlier if self.is_defined(stmt) and _get(stmt, "object", "id") == self.au}
        for pos, (index, stmt) in enumerate(ordered):
            path = f"statements[{index}]"
            completed = COMPLETED in done or (defined[pos] and verbs[pos] == COMPLETED)
            if completed and PROGRESS_EXT in (_get(stmt, "result", "extensions") or {}):
                self.add(PROGRESS_AFTER_COMPLETED, f"{path}.result.extensions", "progress on or after completed")
            if not defined[pos]:
                continue
            if verbs[pos] == COMPLETED and COMPLETED in done:
                self.add(COMPLETED_ONCE, path, "completed again in the registration")
            if verbs[pos] == PASSED and PASSED in done:
                self.add(PASSED_ONCE, path, "passed again in the registration")
            if verbs[pos] == FAILED and PASSED in done:
                self.add(FAILED_AFTER_PASSED, path, "failed after passed in the registration")
            done.add(verbs[pos])


_MISSING = object()


def _same_activity(actual: Any, expected: Any) -> bool:
    """The template's activity is kept: same id, and every other property it gives unchanged."""
    if not (isinstance(actual, dict) and isinstance(expected, dict)) or actual.get("id") != expected.get("id"):
        return False
    return all(
        actual.get(key, "Activity" if key == "objectType" else _MISSING) == value
        for key, value in expected.items()
        if key != "id"
    )


def check_session(
    statements: Sequence[dict],
    *,
    launch_data: Mapping[str, Any],
    au_activity_id: str,
    registration: str,
    earlier: Iterable[dict] = (),
    actor: Any = None,
) -> list[Violation]:
    """Every cmi5 rule one AU session breaks. `statements`: the session's statements in the
    order the LRS stored them (paths in the violations index this list); `launch_data`: the
    LMS.LaunchData document of the launch; `earlier`: the registration's statements from
    previous sessions; `actor`: the launch's actor, when statements should be checked against it."""
    checker = _SessionChecker(launch_data, au_activity_id, registration, actor)
    au_statements = [
        (index, stmt) for index, stmt in enumerate(statements)
        if isinstance(stmt, dict) and _get(stmt, "verb", "id") not in CMI5_LMS_VERBS
    ]
    for index, stmt in au_statements:
        path = f"statements[{index}]"
        checker.every_statement(stmt, path)
        if checker.is_defined(stmt):
            checker.defined_statement(stmt, path)
        elif MOVEON_CATEGORY in _category_ids(stmt):
            checker.add(MOVEON, f"{path}.context.contextActivities.category", "moveon category on a cmi5-allowed statement")
    earlier_sorted = [stmt for _, stmt in _in_time_order(list(enumerate(s for s in earlier if isinstance(s, dict))))]
    checker.order(_in_time_order(au_statements), earlier_sorted)
    return checker.found


# ---------------------------------------------------------------- the launch sequence (§8.2, §10, §11)


def _query(entry: Mapping[str, Any]) -> dict[str, str]:
    query = entry.get("query") or {}
    if isinstance(query, str):
        query = parse_qs(query.lstrip("?"))
    return {key: (value[0] if isinstance(value, list) and value else value) for key, value in query.items()}


def _resource(entry: Mapping[str, Any]) -> str:
    return str(entry.get("path", "")).split("?")[0].rstrip("/")


def check_launch_order(request_log: Sequence[Mapping[str, Any]], *, fetch_path: str | None = None) -> list[Violation]:
    """Prove from the LRS's request log ({method, path, query, status, time} per request, in
    the order the LRS logged them: tests/lrs logs a request as its response starts) that the
    AU read LMS.LaunchData (§10: "AU MUST get the contextTemplate value from the
    LMS.LaunchData State document") and the learner preferences (§11: "On startup, the AU
    MUST retrieve the Learner Preferences document") before its first statement POST/PUT,
    and never wrote LMS.LaunchData.

    With `fetch_path` (the path of the fetch URL, when the same log has it) the AU's requests
    start at its POST there, and §8.2's POST, once, never GET, is checked too. Without it the
    whole log is taken as the AU's: leave out what the LMS itself sent before the launch (its
    LaunchData PUT, its launched statement), e.g. with Lrs.requests(include_admin=False)."""
    found: list[Violation] = []
    log = list(request_log)
    method = [str(entry.get("method", "")).upper() for entry in log]
    start = 0
    if fetch_path is not None:
        fetches = [pos for pos, entry in enumerate(log) if _resource(entry) == fetch_path.rstrip("/")]
        posts = [pos for pos in fetches if method[pos] == "POST"]
        if len(posts) != 1 or len(fetches) != len(posts):
            found.append(Violation(FETCH_ONCE, fetch_path, f"requests to the fetch URL: {[method[pos] for pos in fetches]}"))
        start = posts[0] if posts else 0

    def is_launch_data(entry: Mapping[str, Any]) -> bool:
        return _resource(entry).endswith("/activities/state") and _query(entry).get("stateId") == LAUNCH_DATA_STATE_ID

    writes = [pos for pos in range(start, len(log)) if method[pos] in ("POST", "PUT") and _resource(log[pos]).endswith("/statements")]
    if not writes:
        found.append(Violation(STATEMENT_SENT, "request_log", "no statement POST or PUT after the launch"))
    first_write = writes[0] if writes else len(log)
    read_launch_data = any(
        method[pos] == "GET" and is_launch_data(log[pos]) and log[pos].get("status") == 200 for pos in range(start, first_write)
    )
    if not read_launch_data:
        found.append(Violation(LAUNCH_DATA_READ, f"request_log[{first_write}]", "no GET of LMS.LaunchData answered 200 before it"))
    read_preferences = any(
        method[pos] == "GET"
        and _resource(log[pos]).endswith("/agents/profile")
        and _query(log[pos]).get("profileId") == LEARNER_PREFERENCES_PROFILE_ID
        and log[pos].get("status") in (200, 404)  # 404: no preferences stored, which the AU then knows
        for pos in range(start, first_write)
    )
    if not read_preferences:
        found.append(Violation(PREFERENCES_READ, f"request_log[{first_write}]", "no GET of cmi5LearnerPreferences before it"))
    for pos in range(start, len(log)):
        if method[pos] in ("PUT", "POST", "DELETE") and is_launch_data(log[pos]):
            found.append(Violation(LAUNCH_DATA_KEPT, f"request_log[{pos}]", f"{method[pos]} of LMS.LaunchData"))
    return found
