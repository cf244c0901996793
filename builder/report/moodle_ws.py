"""Read one SCORM activity from Moodle's web services (REST, JSON).

Calls, all with the same token: core_webservice_get_site_info (which functions the token may use),
core_course_get_courses and mod_scorm_get_scorms_by_courses (find the activity), mod_scorm_get_scorm_scoes
(its SCOs, and whether its package is this course), core_enrol_get_enrolled_users (the learners: role
'student'), then per learner mod_scorm_get_scorm_attempt_count and, per attempt and SCO,
mod_scorm_get_scorm_sco_tracks. Moodle's own completion state and grade are not read: Moodle 4.3 stores
both wrongly for these packages in several cases (see docs/reports.md), so the course's rules decide.

The token travels in the POST body, never in a URL, so no error message, log line or proxy record
that shows a URL can show it; every message is also scrubbed of it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import httpx

from coursepack.report.course_map import CourseMap
from coursepack.report.evidence import ImportBatch, Learner, LearnerEvidence
from coursepack.report.sco_attempt import ScoAttempt, apply_attempt
from coursepack.report.scorm_data import Interaction, score_value, timespan_seconds

NEEDED = (
    "core_course_get_courses",
    "mod_scorm_get_scorms_by_courses",
    "mod_scorm_get_scorm_scoes",
    "core_enrol_get_enrolled_users",
    "mod_scorm_get_scorm_attempt_count",
    "mod_scorm_get_scorm_sco_tracks",
)
LEARNER_ROLE = "student"
TIMEOUT_SECONDS = 60.0


class MoodleError(Exception):
    """A one-line, token-free message for the person running the import."""


def flatten(params: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Moodle's REST form of nested parameters: {'courseids': [2]} -> {'courseids[0]': '2'}."""
    out: dict[str, str] = {}
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, Mapping):
            out.update(flatten(value, name))
        elif isinstance(value, (list, tuple)):
            out.update(flatten({str(i): v for i, v in enumerate(value)}, name))
        elif isinstance(value, bool):
            out[name] = "1" if value else "0"
        else:
            out[name] = str(value)
    return out


class MoodleClient:
    def __init__(self, url: str, token: str, *, transport: httpx.BaseTransport | None = None) -> None:
        if not re.match(r"^https?://[^\s/]+", url):
            raise MoodleError(f"--url must be the Moodle site's address, e.g. https://lms.example.org (got '{url}')")
        if not token.strip():
            raise MoodleError("the Moodle token is empty")
        self.site = url.rstrip("/")
        self._token = token.strip()
        self._http = httpx.Client(transport=transport, timeout=TIMEOUT_SECONDS, follow_redirects=False)

    def close(self) -> None:
        self._http.close()

    def _fail(self, message: str) -> MoodleError:
        """The error to raise, scrubbed of the token and kept to one line."""
        return MoodleError(" ".join(message.replace(self._token, "[token]").split()))

    def call(self, function: str, **params: Any) -> Any:
        form = {"wstoken": self._token, "wsfunction": function, "moodlewsrestformat": "json", **flatten(params)}
        try:
            response = self._http.post(f"{self.site}/webservice/rest/server.php", data=form)
        except httpx.TimeoutException:
            raise self._fail(f"{function}: no answer from {self.site} within {TIMEOUT_SECONDS:.0f} s") from None
        except httpx.HTTPError as error:
            raise self._fail(f"cannot reach {self.site} ({type(error).__name__})") from None
        if response.status_code != 200:
            raise self._fail(f"{function}: HTTP {response.status_code} from {self.site} (expected 200; is --url the site's address?)")
        try:
            body = response.json()
        except ValueError:
            raise self._fail(
                f"{function}: {self.site} did not answer in JSON (is it a Moodle site with web services and the REST protocol enabled?)"
            ) from None
        if isinstance(body, dict) and "exception" in body:
            # debuginfo is left out: on a site in debug mode it can hold SQL and server paths
            message = str(body.get("message") or body.get("errorcode") or "error")
            raise self._fail(f"Moodle refused {function}: {message} ({body.get('errorcode', '?')})")
        return body


# ---- finding the activity ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Activity:
    scorm_id: int
    cmid: int
    course_id: int
    name: str
    edition: str
    scos: dict[int, str]  # Moodle SCO id -> manifest item identifier, in sort order


def _describe(scorms: list[dict[str, Any]]) -> str:
    return "; ".join(f"--cmid {s.get('coursemodule')} (scorm id {s.get('id')}) '{s.get('name')}'" for s in scorms)


def find_activity(client: MoodleClient, course: CourseMap, cmid: int | None, scorm_id: int | None) -> Activity:
    info = client.call("core_webservice_get_site_info")
    offered = {f.get("name") for f in info.get("functions", [])} if isinstance(info, dict) else set()
    missing = [f for f in NEEDED if f not in offered]
    if missing:
        raise MoodleError(f"the token's web service lacks {', '.join(missing)}: add them to the external service in Moodle")
    courses = client.call("core_course_get_courses")
    course_ids = [int(c["id"]) for c in courses if c.get("format") != "site"]
    if not course_ids:
        raise MoodleError(f"the token sees no course on {client.site}")
    scorms = client.call("mod_scorm_get_scorms_by_courses", courseids=course_ids).get("scorms", [])
    if cmid is not None:
        chosen = [s for s in scorms if int(s.get("coursemodule", -1)) == cmid]
    elif scorm_id is not None:
        chosen = [s for s in scorms if int(s.get("id", -1)) == scorm_id]
    else:
        chosen = scorms if len(scorms) == 1 else []
        if len(scorms) > 1:
            raise MoodleError(f"{len(scorms)} SCORM activities on {client.site}; choose one with --cmid: {_describe(scorms)}")
    if not chosen:
        wanted = f"--cmid {cmid}" if cmid is not None else f"--scorm-id {scorm_id}" if scorm_id is not None else "a SCORM activity"
        found = _describe(scorms) if scorms else "none"
        raise MoodleError(f"no SCORM activity matches {wanted} on {client.site} (found: {found})")
    scorm = chosen[0]
    scoes = client.call("mod_scorm_get_scorm_scoes", scormid=int(scorm["id"])).get("scoes", [])
    manifests = {s.get("manifest") for s in scoes}
    editions = [course.manifest_ids[m] for m in manifests if m in course.manifest_ids]
    if not editions:
        raise MoodleError(
            f"activity --cmid {scorm.get('coursemodule')} '{scorm.get('name')}' holds package {', '.join(sorted(map(str, manifests))) or '(none)'}, "
            f"not this course ({' or '.join(sorted(course.manifest_ids))})"
        )
    scos = {int(s["id"]): str(s["identifier"]) for s in sorted(scoes, key=lambda s: int(s.get("sortorder", 0))) if s.get("scormtype") == "sco"}
    return Activity(int(scorm["id"]), int(scorm["coursemodule"]), int(scorm["course"]), str(scorm.get("name", "")), editions[0], scos)


# ---- one learner's tracks -----------------------------------------------------------------------------

_INTERACTION = re.compile(r"cmi\.interactions[._](\d+)\.(id|type|result|student_response|weighting)")


def _epoch(value: Any) -> datetime | None:
    try:
        seconds = int(str(value))
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(seconds, timezone.utc).replace(tzinfo=None) if seconds > 0 else None


def _number(value: Any) -> float | None:
    try:
        return float(str(value))
    except (TypeError, ValueError):
        return None


def attempt_from_tracks(sco: str, attempt: int, tracks: list[dict[str, Any]]) -> ScoAttempt:
    """A SCO attempt from mod_scorm_get_scorm_sco_tracks' element/value list.

    Values of cmi.* are strings; score_raw is a number or ''; timemodified and x.start.time are epoch
    strings; elements come sorted as strings (interactions_10 before interactions_2), so interaction
    indexes are read as numbers.
    """
    values = {str(t.get("element")): t.get("value") for t in tracks}
    fields: dict[int, dict[str, str]] = {}
    for element, value in values.items():
        match = _INTERACTION.fullmatch(element)
        if match:
            fields.setdefault(int(match.group(1)), {})[match.group(2)] = "" if value is None else str(value)
    interactions = [
        Interaction(n, f["id"], f.get("type"), f.get("result"), f.get("student_response"), _number(f.get("weighting")))
        for n, f in sorted(fields.items())
        if f.get("id")
    ]
    status = values.get("cmi.core.lesson_status", values.get("status"))
    raw = values.get("cmi.core.score.raw", values.get("score_raw"))
    total = values.get("cmi.core.total_time", values.get("total_time"))
    return ScoAttempt(
        sco=sco,
        attempt=attempt,
        status=str(status).lower() if status else None,
        score=score_value(raw),
        started_at=_epoch(values.get("x.start.time")),
        last_at=_epoch(values.get("timemodified")),
        seconds=timespan_seconds(str(total) if total is not None else None),
        comments=str(values["cmi.comments"]) if values.get("cmi.comments") else None,
        suspend_data=str(values["cmi.suspend_data"]) if values.get("cmi.suspend_data") else None,
        interactions=interactions,
    )


def _learner(user: dict[str, Any], site: str, shared_emails: set[str]) -> Learner:
    """The e-mail address identifies a learner across sources (as an xAPI mbox would); without one, or
    when several users share it, the site's account does."""
    email = str(user.get("email") or "").strip().lower()  # lower case, as the downloads' importer keeps it
    username = str(user.get("username") or user.get("id"))
    if email in shared_emails:
        email = ""
    key = f"mailto:{email}" if email else f"account:{site}#{username}"
    name = str(user.get("fullname") or f"{user.get('firstname', '')} {user.get('lastname', '')}").strip()
    return Learner(key, name or username, email or None, username)


def read_activity(client: MoodleClient, course: CourseMap, *, cmid: int | None = None, scorm_id: int | None = None) -> ImportBatch:
    """Everything the import needs about one activity; MoodleError when Moodle refuses or answers oddly."""
    try:
        return _read_activity(client, course, cmid, scorm_id)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as error:
        # JSON of another shape than Moodle 4.x answers (a proxy, a plugin, another version)
        raise client._fail(f"{client.site} answered in an unexpected shape ({type(error).__name__}: {error})") from None


def _read_activity(client: MoodleClient, course: CourseMap, cmid: int | None, scorm_id: int | None) -> ImportBatch:
    activity = find_activity(client, course, cmid, scorm_id)
    users = client.call("core_enrol_get_enrolled_users", courseid=activity.course_id)
    learners = [u for u in users if any(r.get("shortname") == LEARNER_ROLE for r in u.get("roles", []))]
    warnings: set[str] = set()
    emails = [str(u.get("email") or "").strip().lower() for u in learners]
    shared = {e for e in emails if e and emails.count(e) > 1}
    if shared:
        warnings.add(f"{len(shared)} e-mail addresses are shared by several learners: those learners are identified by their Moodle user name")
    found: list[LearnerEvidence] = []
    for user in learners:
        evidence = LearnerEvidence(_learner(user, client.site, shared))
        count = client.call("mod_scorm_get_scorm_attempt_count", scormid=activity.scorm_id, userid=int(user["id"]))
        for attempt in range(1, int(count.get("attemptscount", 0)) + 1):
            for sco_id, identifier in activity.scos.items():
                answer = client.call("mod_scorm_get_scorm_sco_tracks", scoid=sco_id, userid=int(user["id"]), attempt=attempt)
                tracks = (answer.get("data") or {}).get("tracks") or []
                if tracks:  # none: the SCO was never launched in this attempt (warning 'notattempted')
                    apply_attempt(evidence, attempt_from_tracks(identifier, attempt, tracks), course, warnings)
        found.append(evidence)
    return ImportBatch(f"moodle:{client.site}#cmid={activity.cmid}", course.course_id, found, sorted(warnings))
