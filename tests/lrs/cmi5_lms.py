"""The LMS side of cmi5 for the browser tests: read cmi5.xml, launch an AU as an LMS must, and judge moveOn.

Section numbers are those of the cmi5 specification (AICC CMI-5_Spec_Current, cmi5_spec.md, Quartz).

- CourseStructure.parse(xml): the course, its blocks and AUs (§13.1, XSD §13.2).
- Cmi5Lms.launch(): everything an LMS does before it opens an AU: a session id, the `launched` statement
  (§9.3.1, §9.6), the LMS.LaunchData state document (§10), the cmi5LearnerPreferences agent profile
  (§11) when preferences are given, a one-time fetch URL (§8.2), and the launch URL (§8.1).
- The fetch URL and the returnURL page are served by a small ThreadingHTTPServer on 127.0.0.1 that each
  Cmi5Lms owns; every call to it is recorded (fetch_calls, returns).
- Cmi5Lms.satisfied(): moveOn over the AU statements in the LRS (§13.1.4) and the LMS's `satisfied`
  statements (§9.3.9).
- xapi_launch_query(): the query string of a plain Tin Can (xAPI) launch, for comparison.

The harness writes to the LRS as its admin user; the AU gets one of the LRS's extra users through the
fetch URL, so the request log tells the AU's calls from the LMS's.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree

from coursepack.xapi import vocabulary as vocab

from .server import Credential, Lrs

CMI5_NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
# The IRIs and names every coursepack file spells the same way (builder/xapi/vocabulary.py)
MOVE_ON = vocab.MOVE_ON_VALUES
LAUNCH_MODES = vocab.LAUNCH_MODES  # §10 launchMode
VERB_LAUNCHED, VERB_COMPLETED, VERB_PASSED, VERB_SATISFIED = vocab.LAUNCHED, vocab.COMPLETED, vocab.PASSED, vocab.SATISFIED
CATEGORY_CMI5 = vocab.CMI5_CATEGORY
EXT_SESSION, EXT_LAUNCH_MODE, EXT_LAUNCH_URL = vocab.SESSION_ID_EXT, vocab.LAUNCH_MODE_EXT, vocab.LAUNCH_URL_EXT
EXT_MOVE_ON, EXT_MASTERY_SCORE, EXT_LAUNCH_PARAMETERS = vocab.MOVEON_EXT, vocab.MASTERY_SCORE_EXT, vocab.LAUNCH_PARAMETERS_EXT
TYPE_BLOCK, TYPE_COURSE = vocab.CMI5_BLOCK, vocab.CMI5_COURSE
LAUNCH_DATA, LEARNER_PREFERENCES = vocab.LAUNCH_DATA_STATE_ID, vocab.LEARNER_PREFERENCES_PROFILE_ID
# The LMS's own ids (activityId, block and course ids of `satisfied`) are name-based UUIDs under this
# namespace: the same AU gets the same activityId in every registration, as §8.1 asks.
LMS_ID_NAMESPACE = uuid.UUID("5b0f7c3e-9d7a-4f43-9a52-6f1c0c5d1e21")
LOCAL_ORIGIN = re.compile(r"http://(127\.0\.0\.1|localhost)(:[0-9]+)?")


# ---------------------------------------------------------------- course structure (§13)


@dataclass(frozen=True)
class Au:
    id: str  # the publisher id (§13.1.4)
    titles: dict[str, str]  # lang -> text
    url: str
    move_on: str = "NotApplicable"  # XSD defaults
    mastery_score: float | None = None
    launch_method: str = "AnyWindow"
    launch_parameters: str | None = None
    entitlement_key: str | None = None
    activity_type: str | None = None
    blocks: tuple[str, ...] = ()  # ids of the enclosing blocks, outermost first

    @property
    def title(self) -> str:
        return next(iter(self.titles.values()), "")


@dataclass(frozen=True)
class Block:
    id: str
    titles: dict[str, str]
    au_ids: tuple[str, ...]  # every AU inside, nested blocks included


@dataclass(frozen=True)
class CourseStructure:
    course_id: str
    titles: dict[str, str]
    aus: tuple[Au, ...]
    blocks: tuple[Block, ...] = ()

    @property
    def title(self) -> str:
        return next(iter(self.titles.values()), "")

    def au(self, au_id: str) -> Au:
        for au in self.aus:
            if au.id == au_id:
                return au
        raise KeyError(f"no AU {au_id!r} in course {self.course_id!r}")

    @classmethod
    def parse(cls, xml_bytes: bytes) -> CourseStructure:
        """Read a cmi5.xml; ValueError when it is not a cmi5 course structure."""
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        root = etree.fromstring(xml_bytes, parser=parser)
        if root.tag != _q("courseStructure"):
            raise ValueError(f"root element is {root.tag}, not {{{CMI5_NS}}}courseStructure")
        course = root.find(_q("course"))
        if course is None:
            raise ValueError("cmi5.xml has no <course>")
        aus: list[Au] = []
        blocks: list[Block] = []
        _read_children(root, (), aus, blocks)
        if not aus:
            raise ValueError("cmi5.xml has no <au>")
        return cls(_attr(course, "id"), _langstrings(course.find(_q("title"))), tuple(aus), tuple(blocks))


def _q(name: str) -> str:
    return f"{{{CMI5_NS}}}{name}"


def _attr(element, name: str, default: str | None = None) -> str | None:
    value = element.get(name)
    return value.strip() if value is not None else default  # §13.1: trim on import


def _text(element) -> str | None:
    return element.text.strip() if element is not None and element.text is not None else None


def _langstrings(element) -> dict[str, str]:
    if element is None:
        return {}
    return {(s.get("lang") or "und"): (s.text or "").strip() for s in element.findall(_q("langstring"))}


def _read_children(parent, enclosing: tuple[str, ...], aus: list[Au], blocks: list[Block]) -> list[str]:
    """Append the AUs and blocks under `parent` in document order; return the ids of all AUs inside."""
    inside: list[str] = []
    for child in parent:
        if child.tag == _q("au"):
            aus.append(_read_au(child, enclosing))
            inside.append(aus[-1].id)
        elif child.tag == _q("block"):
            block_id = _attr(child, "id")
            position = len(blocks)  # nested blocks are appended first; inserting here keeps document order
            block_aus = _read_children(child, (*enclosing, block_id), aus, blocks)
            blocks.insert(position, Block(block_id, _langstrings(child.find(_q("title"))), tuple(block_aus)))
            inside.extend(block_aus)
    return inside


def _read_au(element, enclosing: tuple[str, ...]) -> Au:
    mastery = _attr(element, "masteryScore")
    move_on = _attr(element, "moveOn", "NotApplicable")
    if move_on not in MOVE_ON:
        raise ValueError(f"AU {_attr(element, 'id')}: moveOn {move_on!r} is not one of {', '.join(MOVE_ON)}")
    return Au(
        id=_attr(element, "id"),
        titles=_langstrings(element.find(_q("title"))),
        url=_text(element.find(_q("url"))) or "",
        move_on=move_on,
        mastery_score=float(mastery) if mastery is not None else None,
        launch_method=_attr(element, "launchMethod", "AnyWindow"),
        launch_parameters=_text(element.find(_q("launchParameters"))),
        entitlement_key=_text(element.find(_q("entitlementKey"))),
        activity_type=_attr(element, "activityType"),
        blocks=enclosing,
    )


# ---------------------------------------------------------------- launches


class ReturnUrl(Enum):
    LMS_PAGE = "the Cmi5Lms's own return page"


@dataclass(frozen=True)
class Launch:
    url: str  # what the LMS opens: AU url + ?endpoint=&fetch=&actor=&registration=&activityId= (§8.1)
    au: Au
    activity_id: str
    registration: str
    session_id: str
    actor: dict
    fetch_url: str
    credential: Credential  # what the fetch URL hands out, once
    return_url: str | None
    launch_data: dict  # the LMS.LaunchData document as written (§10)
    launched: dict  # the `launched` statement as written (§9.3.1)


@dataclass
class LmsCall:
    """One request to the LMS's small server (the fetch URL or the return page)."""

    time: str
    method: str
    path: str
    origin: str | None
    status: int
    response: dict | None = None


@dataclass(frozen=True)
class Satisfaction:
    aus: dict[str, bool]  # AU publisher id -> moveOn met
    blocks: dict[str, bool]
    course: bool
    written: list[dict] = field(default_factory=list)  # the satisfied statements this call wrote


class Cmi5Lms:
    """An LMS for one course structure over one Lrs. Use as a context manager (it owns a small server)."""

    def __init__(self, lrs: Lrs, structure: CourseStructure, package_base_url: str) -> None:
        self.lrs = lrs
        self.structure = structure
        self.package_base_url = package_base_url
        self.fetch_calls: list[LmsCall] = []
        self.returns: list[LmsCall] = []
        self._tokens: dict[str, dict] = {}  # fetch key -> {"credential", "used"}
        self._registrations: dict[str, dict] = {}  # registration -> actor, last session, moveOn per AU
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _LmsRequestHandler)
        self._server.lms = self  # type: ignore[attr-defined]
        # a short poll: close() waits for serve_forever()'s next poll (0.5 s by default)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="cmi5-lms", daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def __enter__(self) -> Cmi5Lms:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------ ids the LMS generates

    def activity_id(self, au_id: str) -> str:
        """The launch activityId of an AU. Not the AU's id: §8.1 says the LMS MUST generate a unique
        activityId that MUST NOT match the AU's (publisher) id, the same for every launch of the AU in a
        registration (and SHOULD be in all registrations); the publisher id goes in the grouping
        (§9.6.2.3). A package that uses the AU id from cmi5.xml as its object id fails here, as it would
        in a conformant LMS."""
        self.structure.au(au_id)
        return _lms_id("au", self.structure.course_id, au_id)

    def block_activity_id(self, block_id: str) -> str:
        return _lms_id("block", self.structure.course_id, block_id)  # §9.3.9: not the publisher's id

    def course_activity_id(self) -> str:
        return _lms_id("course", self.structure.course_id)  # §9.3.9: not the publisher's id

    def au_url(self, au: Au) -> str:
        return urljoin(self.package_base_url, au.url)

    # ------------------------------------------------------------ launch (§8, §10, §11)

    def launch(self, au_id: str, actor: dict, *, registration: str | None = None, mode: str = "Normal",
               return_url: str | None | ReturnUrl = ReturnUrl.LMS_PAGE, preferences: dict | None = None,
               move_on: str | None = None, mastery_score: float | None = None) -> Launch:
        """Do what an LMS does before opening an AU and return the launch. move_on / mastery_score
        override the course structure's, as an LMS administrator may (§10); return_url None leaves
        returnURL out of LMS.LaunchData."""
        au = self.structure.au(au_id)
        _check_actor(actor)
        if mode not in LAUNCH_MODES:
            raise ValueError(f"launch mode {mode!r} is not one of {', '.join(LAUNCH_MODES)}")
        move_on = move_on or au.move_on
        if move_on not in MOVE_ON:
            raise ValueError(f"moveOn {move_on!r} is not one of {', '.join(MOVE_ON)}")
        mastery_score = mastery_score if mastery_score is not None else au.mastery_score
        registration = registration or str(uuid.uuid4())
        session_id = str(uuid.uuid4())
        activity_id = self.activity_id(au_id)
        au_url = self.au_url(au)
        if return_url is ReturnUrl.LMS_PAGE:
            return_url = f"{self.base_url}/return/{session_id}"
        publisher = {"objectType": "Activity", "id": au.id}  # §9.6.2.3: the AU id unaltered

        launched = self._launched_statement(au, actor, activity_id, registration, session_id, publisher, mode,
                                            au_url, move_on, mastery_score)
        self._post_statement(launched)  # §9.3.1: recorded before the AU is launched
        launch_data = _launch_data(au, session_id, publisher, mode, move_on, mastery_score, return_url)
        self._put_state(activity_id, actor, registration, LAUNCH_DATA, launch_data)  # §10: before launch
        if preferences is not None:
            self._put_agent_profile(actor, LEARNER_PREFERENCES, preferences)  # §11
        credential = self.lrs.issue_credential()
        fetch_url = self._mint_fetch_url(credential)
        with self._lock:
            known = self._registrations.setdefault(registration, {"actor": actor, "move_on": {}})
            known["session_id"] = session_id
            known["move_on"][au.id] = move_on
        query = {"endpoint": self.lrs.endpoint, "fetch": fetch_url, "actor": _compact(actor),
                 "registration": registration, "activityId": activity_id}
        return Launch(_with_query(au_url, query), au, activity_id, registration, session_id, actor, fetch_url,
                      credential, return_url, launch_data, launched)

    def _launched_statement(self, au: Au, actor: dict, activity_id: str, registration: str, session_id: str,
                            publisher: dict, mode: str, au_url: str, move_on: str,
                            mastery_score: float | None) -> dict:
        extensions = {EXT_SESSION: session_id, EXT_LAUNCH_MODE: mode, EXT_LAUNCH_URL: au_url,
                      EXT_MOVE_ON: move_on}  # §9.6.3.1, .3, .4 (without the §8.1 parameters), .6
        if mastery_score is not None:
            extensions[EXT_MASTERY_SCORE] = mastery_score  # §9.6.3.2: when in the launch data
        if au.launch_parameters is not None:
            extensions[EXT_LAUNCH_PARAMETERS] = au.launch_parameters  # §9.6.3.7: when in the launch data
        definition: dict[str, Any] = {"name": dict(au.titles)}
        if au.activity_type:
            definition["type"] = au.activity_type
        return {
            "id": str(uuid.uuid4()),
            "actor": actor,
            "verb": {"id": VERB_LAUNCHED, "display": {"en-US": "launched"}},
            "object": {"objectType": "Activity", "id": activity_id, "definition": definition},
            "context": {
                "registration": registration,
                "contextActivities": {"category": [{"objectType": "Activity", "id": CATEGORY_CMI5}],
                                      "grouping": [publisher]},
                "extensions": extensions,
            },
            "timestamp": _now(),  # §9.7: UTC
        }

    # ------------------------------------------------------------ moveOn and satisfied (§13.1.4, §9.3.9)

    def satisfied(self, registration: str) -> Satisfaction:
        """Judge every AU's moveOn from its cmi5 defined statements in this registration (cmi5 allowed ones
        do not count, §7.1.3) and write `satisfied` for each block whose AUs are all satisfied and for the
        course when all AUs are (§9.3.9, §13.1.4), unless this registration already has it (§9.3: the LMS
        SHOULD NOT issue it twice). There is no AU-level `satisfied`: §9.4 makes its object a block or
        the course, so AU results are only returned."""
        with self._lock:
            known = self._registrations.get(registration)
        if known is None:
            raise KeyError(f"registration {registration!r} was never launched by this LMS")
        statements = self.lrs.statements(registration=registration)
        aus = {au.id: _move_on_met(known["move_on"].get(au.id, au.move_on), self._verbs(au, statements))
               for au in self.structure.aus}
        blocks = {block.id: all(aus[au_id] for au_id in block.au_ids) for block in self.structure.blocks}
        course = all(aus.values())
        already = {s["object"]["id"] for s in statements if s["verb"]["id"] == VERB_SATISFIED}
        # §9.3.9: satisfied triggered by an AU session carries that session's id.
        session_id = known.get("session_id") or str(uuid.uuid4())
        due = [(self.block_activity_id(b.id), b.id, b.titles, TYPE_BLOCK) for b in self.structure.blocks
               if blocks[b.id]]
        if course:
            due.append((self.course_activity_id(), self.structure.course_id, self.structure.titles, TYPE_COURSE))
        written = []
        for object_id, publisher_id, titles, activity_type in due:
            if object_id in already:
                continue
            statement = _satisfied_statement(known["actor"], registration, session_id, object_id, publisher_id,
                                             titles, activity_type)
            self._post_statement(statement)
            written.append(statement)
        return Satisfaction(aus, blocks, course, written)

    def _verbs(self, au: Au, statements: Iterable[dict]) -> set[str]:
        activity_id = self.activity_id(au.id)
        return {s["verb"]["id"] for s in statements
                if s.get("object", {}).get("id") == activity_id and _has_cmi5_category(s)}

    # ------------------------------------------------------------ fetch URL (§8.2)

    def _mint_fetch_url(self, credential: Credential) -> str:
        key = secrets.token_urlsafe(16)
        with self._lock:
            self._tokens[key] = {"credential": credential, "used": False}
        return f"{self.base_url}/fetch/{key}"

    def fetch(self, key: str) -> dict:
        """What a POST to the fetch URL answers (§8.2.1-§8.2.3): the token once, then error-code 1."""
        with self._lock:
            entry = self._tokens.get(key)
            if entry is None:
                return {"error-code": "2", "error-text": "unknown fetch URL"}  # §8.2.3.2: security error
            if entry["used"]:
                return {"error-code": "1", "error-text": "The authorization token has already been returned."}
            entry["used"] = True
            return {"auth-token": entry["credential"].token}

    def record(self, calls: list[LmsCall], call: LmsCall) -> None:
        with self._lock:
            calls.append(call)

    # ------------------------------------------------------------ writing to the LRS as the LMS

    def _post_statement(self, statement: dict) -> None:
        with self.lrs.client() as client:
            client.post("statements", json=statement).raise_for_status()

    def _put_state(self, activity_id: str, agent: dict, registration: str, state_id: str, document: dict) -> None:
        params = {"activityId": activity_id, "agent": _compact(agent), "registration": registration,
                  "stateId": state_id}
        with self.lrs.client() as client:
            client.put("activities/state", params=params, json=document).raise_for_status()

    def _put_agent_profile(self, agent: dict, profile_id: str, document: dict) -> None:
        # A profile PUT needs If-Match (it exists) or If-None-Match: * (it does not): xAPI Communication §3.1.
        params = {"agent": _compact(agent), "profileId": profile_id}
        with self.lrs.client() as client:
            current = client.get("agents/profile", params=params)
            precondition = ({"If-Match": current.headers["ETag"]} if current.status_code == 200
                            else {"If-None-Match": "*"})
            client.put("agents/profile", params=params, json=document, headers=precondition).raise_for_status()


# ---------------------------------------------------------------- the LMS's small server


class _LmsRequestHandler(BaseHTTPRequestHandler):
    """POST /fetch/<key> -> the auth-token once (§8.2); GET /return/<session> -> a plain page (returnURL)."""

    server_version = "cmi5-test-lms"

    @property
    def lms(self) -> Cmi5Lms:
        return self.server.lms  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  (quiet: calls are recorded)
        pass

    def do_OPTIONS(self) -> None:  # CORS preflight: the AU runs on another origin
        self.send_response(204)
        self._cors_headers()
        self.send_header("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS")
        self.send_header("Access-Control-Allow-Headers",
                         "Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:
        self._drain_body()
        key = self._key("/fetch/")
        if key is None:
            self._json(404, {"error-code": "3", "error-text": "no such LMS resource"}, self.lms.fetch_calls)
            return
        # §8.2.2: 200 also for the errors of §8.2.3.
        self._json(200, self.lms.fetch(key), self.lms.fetch_calls)

    def do_GET(self) -> None:
        if self._key("/return/") is not None:
            body = b'<!doctype html><link rel="icon" href="data:,"><title>LMS</title><p>Returned to the LMS.</p>'
            self.lms.record(self.lms.returns, self._call(200))
            self.send_response(200)
            self._cors_headers()
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        # §8.2.1: GET is not allowed on the fetch URL (it could be cached); it does not use up the token.
        self._json(405, {"error-code": "2", "error-text": "the fetch URL takes POST only"}, self.lms.fetch_calls,
                   {"Allow": "POST, OPTIONS"})

    def _key(self, prefix: str) -> str | None:
        path = urlsplit(self.path).path
        return path[len(prefix):] if path.startswith(prefix) and len(path) > len(prefix) else None

    def _drain_body(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)

    def _call(self, status: int, response: dict | None = None) -> LmsCall:
        return LmsCall(_now(), self.command, self.path, self.headers.get("Origin"), status, response)

    def _json(self, status: int, payload: dict, calls: list[LmsCall], headers: dict | None = None) -> None:
        self.lms.record(calls, self._call(status, payload))
        body = json.dumps(payload).encode()
        self.send_response(status)
        self._cors_headers()
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")  # §8.2.1
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _cors_headers(self) -> None:
        origin = self.headers.get("Origin")
        if origin and LOCAL_ORIGIN.fullmatch(origin):
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")


# ---------------------------------------------------------------- plain Tin Can launch


def xapi_launch_query(lrs: Lrs, actor: dict, registration: str, activity_id: str,
                      credential: Credential | None = None) -> str:
    """The query string of a Tin Can launch (Rustici launch spec): endpoint, auth ("Basic ..."), actor JSON,
    registration and activity_id, each URL-encoded. An unused extra user of the LRS unless one is given."""
    credential = credential or lrs.issue_credential()
    return _encode({"endpoint": lrs.endpoint, "auth": credential.authorization, "actor": _compact(actor),
                    "registration": registration, "activity_id": activity_id})


# ---------------------------------------------------------------- helpers


def _lms_id(*parts: str) -> str:
    return f"urn:uuid:{uuid.uuid5(LMS_ID_NAMESPACE, json.dumps(parts))}"


def _check_actor(actor: dict) -> None:
    # §9.2: the actor of cmi5 defined statements is an Agent with an account; the LMS makes it (§8.1).
    account = actor.get("account") if isinstance(actor, dict) else None
    if not (isinstance(account, dict) and account.get("homePage") and account.get("name")
            and actor.get("objectType", "Agent") == "Agent"):
        raise ValueError(f"a cmi5 actor is an Agent with account.homePage and account.name, not {actor!r}")


def _launch_data(au: Au, session_id: str, publisher: dict, mode: str, move_on: str, mastery_score: float | None,
                 return_url: str | None) -> dict:
    data: dict[str, Any] = {
        # §10 contextTemplate: the session id extension and the publisher id grouping, nothing less.
        "contextTemplate": {"contextActivities": {"grouping": [publisher]}, "extensions": {EXT_SESSION: session_id}},
        "launchMode": mode,
        "moveOn": move_on,
    }
    if au.launch_parameters is not None:
        data["launchParameters"] = au.launch_parameters
    if mastery_score is not None:
        data["masteryScore"] = mastery_score
    if return_url is not None:
        data["returnURL"] = return_url  # §10 spells it returnURL (some samples say returnUrl)
    if au.entitlement_key is not None:
        data["entitlementKey"] = {"courseStructure": au.entitlement_key}
    return data


def _satisfied_statement(actor: dict, registration: str, session_id: str, object_id: str, publisher_id: str,
                         titles: dict[str, str], activity_type: str) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "actor": actor,
        "verb": {"id": VERB_SATISFIED, "display": {"en-US": "satisfied"}},
        "object": {"objectType": "Activity", "id": object_id,
                   "definition": {"name": dict(titles), "type": activity_type}},
        "context": {
            "registration": registration,
            # The block's / course's publisher id as grouping, so reports can find it by cmi5.xml's ids.
            "contextActivities": {"category": [{"objectType": "Activity", "id": CATEGORY_CMI5}],
                                  "grouping": [{"objectType": "Activity", "id": publisher_id}]},
            "extensions": {EXT_SESSION: session_id},
        },
        "timestamp": _now(),
    }


def _move_on_met(move_on: str, verbs: set[str]) -> bool:
    completed, passed = VERB_COMPLETED in verbs, VERB_PASSED in verbs
    return {
        "NotApplicable": True,
        "Completed": completed,
        "Passed": passed,
        "CompletedAndPassed": completed and passed,
        "CompletedOrPassed": completed or passed,
    }[move_on]


def _has_cmi5_category(statement: dict) -> bool:
    categories = statement.get("context", {}).get("contextActivities", {}).get("category", [])
    if isinstance(categories, dict):
        categories = [categories]
    return any(category.get("id") == CATEGORY_CMI5 for category in categories)


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _encode(params: dict[str, str] | list[tuple[str, str]]) -> str:
    # quote, not urlencode's default quote_plus: spaces become %20, which every AU decoder reads right.
    return urlencode(params, quote_via=quote)


def _with_query(url: str, params: dict[str, str]) -> str:
    """url with the launch parameters added; a query the AU url already has is kept (§13.1.4 url)."""
    parts = urlsplit(url)
    own = parse_qsl(parts.query, keep_blank_values=True)
    clash = sorted({name for name, _ in own} & set(params))
    if clash:
        raise ValueError(f"the AU url's own query uses cmi5 launch parameter names: {', '.join(clash)} (§8.1)")
    query = "&".join(part for part in (_encode(own), _encode(params)) if part)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
