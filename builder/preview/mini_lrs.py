"""A small Learning Record Store in memory, for previewing the xAPI and cmi5 packages: the parts of
xAPI 1.0.3 the coursepack runtime uses (statements, the State API, the Agent Profile API).

Not a stub: every request needs the X-Experience-API-Version header (1.0.x) and a Basic credential
this LRS minted; every statement is checked with coursepack.xapi.statements (a statement the course
gets wrong is refused with 400 and the reasons, as a strict LRS would); a statement id already held
is accepted again only with the same content (409 otherwise), so a retried statement is stored once.

HTTP-free on purpose: `handle()` takes a request's method, resource path, query, headers and body and
answers a `LrsAnswer`; the preview server (server.py) routes `/xAPI/...` to it. Thread-safe: the
server answers each request on its own thread.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from coursepack.xapi.statements import statement_problems

VERSION = "1.0.3"
_VERSION_ACCEPTED = re.compile(r"1\.0(\.\d+)?")
# what the LRS adds to a stored statement: not part of the content two copies are compared on
_SET_BY_LRS = ("stored", "authority", "version")


@dataclass(frozen=True)
class LrsAnswer:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)


def _json_answer(status: int, payload: object, headers: Mapping[str, str] | None = None) -> LrsAnswer:
    return LrsAnswer(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"), "application/json", headers or {})


def _problem(status: int, message: str) -> LrsAnswer:
    return LrsAnswer(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8")


def agent_key(agent_json: str | None) -> str | None:
    """The agent a document belongs to, by its inverse functional identifier (None: not an agent).
    Two spellings of the same agent (a name added, keys reordered) are one learner."""
    try:
        agent = json.loads(agent_json or "")
    except ValueError:
        return None
    if not isinstance(agent, dict):
        return None
    for ifi in ("mbox", "mbox_sha1sum", "openid"):
        if isinstance(agent.get(ifi), str) and agent[ifi]:
            return f"{ifi}:{agent[ifi]}"
    account = agent.get("account")
    if isinstance(account, dict) and account.get("homePage") and account.get("name"):
        return f"account:{account['homePage']}|{account['name']}"
    return None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _content(statement: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in statement.items() if k not in _SET_BY_LRS}


class MiniLrs:
    """Statements and documents in memory. `on_stored(statements)` is called after each accepted
    POST with the statements newly stored (the preview panel shows them as they arrive)."""

    def __init__(self, on_stored: Callable[[list[dict[str, Any]]], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._credentials: set[str] = set()  # "Basic <token>" values this LRS accepts
        self._statements: list[dict[str, Any]] = []
        self._by_id: dict[str, dict[str, Any]] = {}
        self._states: dict[tuple[str, str, str, str], tuple[bytes, str]] = {}  # (activity, agent, registration, stateId)
        self._profiles: dict[tuple[str, str], tuple[bytes, str]] = {}  # (agent, profileId)
        self._on_stored = on_stored

    # ------------------------------------------------------------------ credentials and memory

    def mint_credential(self) -> str:
        """A new Basic credential (the token, base64 of "user:password") this LRS accepts from now on."""
        token = base64.b64encode(f"preview-{secrets.token_hex(4)}:{secrets.token_urlsafe(18)}".encode()).decode()
        with self._lock:
            self._credentials.add(f"Basic {token}")
        return token

    def reset(self) -> None:
        """Forget every statement and document (credentials stay valid: they are the LMS's, not the learner's)."""
        with self._lock:
            self._statements.clear()
            self._by_id.clear()
            self._states.clear()
            self._profiles.clear()

    def statements(self, registration: str | None = None) -> list[dict[str, Any]]:
        """Stored statements in the order they arrived, optionally of one registration."""
        with self._lock:
            return [s for s in self._statements
                    if registration is None or s.get("context", {}).get("registration") == registration]

    def store_as_lms(self, statement: dict[str, Any]) -> None:
        """The LMS's own statement (cmi5 `launched`), checked like any other; ValueError when invalid."""
        answer = self._post([statement], authority="lms")
        if answer.status >= 300:
            raise ValueError(answer.body.decode("utf-8", "replace"))

    def put_state_as_lms(self, activity_id: str, agent_json: str, registration: str, state_id: str, document: object) -> None:
        key = (activity_id, agent_key(agent_json) or "", registration, state_id)
        with self._lock:
            self._states[key] = (json.dumps(document).encode("utf-8"), "application/json")

    # ------------------------------------------------------------------ requests

    def handle(self, method: str, resource: str, query: Mapping[str, str], headers: Mapping[str, str], body: bytes) -> LrsAnswer:
        """Answer one request to `<endpoint>/<resource>`; header names are matched case-blind."""
        lower = {k.lower(): v for k, v in headers.items()}
        version = lower.get("x-experience-api-version", "")
        if not _VERSION_ACCEPTED.fullmatch(version):
            return _problem(400, f"X-Experience-API-Version must be 1.0.x (got {version!r})")
        with self._lock:
            allowed = lower.get("authorization", "") in self._credentials
        if not allowed:
            return LrsAnswer(401, b"a Basic credential minted by the preview is required\n", "text/plain; charset=utf-8",
                             {"WWW-Authenticate": 'Basic realm="coursepack preview LRS"'})
        answer = self._route(method, resource, query, lower, body)
        return LrsAnswer(answer.status, answer.body, answer.content_type,
                         {**answer.headers, "X-Experience-API-Version": VERSION})

    def _route(self, method: str, resource: str, query: Mapping[str, str], headers: Mapping[str, str], body: bytes) -> LrsAnswer:
        if resource == "statements":
            if method == "POST":
                return self._post_body(body)
            if method == "GET":
                return self._get_statements(query)
        elif resource == "activities/state":
            if method in ("GET", "PUT", "DELETE"):
                return self._state(method, query, headers, body)
        elif resource == "agents/profile":
            if method in ("GET", "PUT"):
                return self._profile(method, query, headers, body)
        elif resource == "about" and method == "GET":
            return _json_answer(200, {"version": [VERSION]})
        else:
            return _problem(404, f"no xAPI resource {resource!r} here")
        return _problem(405, f"{method} is not supported on {resource}")

    # ------------------------------------------------------------------ statements

    def _post_body(self, body: bytes) -> LrsAnswer:
        try:
            payload = json.loads(body or b"null")
        except ValueError as error:
            return _problem(400, f"the body is not JSON ({error})")
        return self._post(payload if isinstance(payload, list) else [payload], authority="learner")

    def _post(self, batch: list[Any], authority: str) -> LrsAnswer:
        """All or nothing: every statement is checked before any is stored."""
        for n, statement in enumerate(batch):
            problems = statement_problems(statement)
            if problems:
                where = f"statement {n}" if len(batch) > 1 else "the statement"
                return _problem(400, f"{where} is not a valid xAPI 1.0.3 statement:\n" + "\n".join(problems))
        stored_now: list[dict[str, Any]] = []
        ids: list[str] = []
        with self._lock:
            pending: dict[str, dict[str, Any]] = {}
            for statement in batch:
                sid = statement.get("id") or str(uuid.uuid4())  # client ids are kept; a missing one is set here
                held = pending.get(sid) or self._by_id.get(sid)
                ids.append(sid)
                if held is not None:
                    if _content(held) != _content({**statement, "id": sid}):
                        return _problem(409, f"statement {sid} is already stored with other content")
                    continue  # the same statement again (a retry): stored once
                pending[sid] = {**statement, "id": sid, "stored": _now(), "version": statement.get("version", VERSION),
                                "authority": {"objectType": "Agent", "name": f"coursepack preview ({authority})",
                                              "mbox": f"mailto:{authority}@preview.coursepack.invalid"}}
            for sid, statement in pending.items():
                self._by_id[sid] = statement
                self._statements.append(statement)
                stored_now.append(statement)
        if stored_now and self._on_stored is not None:
            self._on_stored(stored_now)
        return _json_answer(200, ids)

    def _get_statements(self, query: Mapping[str, str]) -> LrsAnswer:
        wanted = query.get("statementId")
        if wanted is not None:
            with self._lock:
                found = self._by_id.get(wanted)
            return _json_answer(200, found) if found is not None else _problem(404, f"no statement {wanted}")
        return _json_answer(200, {"statements": self.statements(query.get("registration")), "more": ""})

    # ------------------------------------------------------------------ documents

    def _state(self, method: str, query: Mapping[str, str], headers: Mapping[str, str], body: bytes) -> LrsAnswer:
        activity, agent = query.get("activityId"), agent_key(query.get("agent"))
        if not activity or agent is None:
            return _problem(400, "the State API needs activityId and agent (an Agent's JSON)")
        registration, state_id = query.get("registration", ""), query.get("stateId")
        with self._lock:
            if method == "PUT":
                if not state_id:
                    return _problem(400, "PUT to the State API needs a stateId")
                self._states[activity, agent, registration, state_id] = (body, headers.get("content-type", "application/octet-stream"))
                return LrsAnswer(204)
            if method == "DELETE":
                for key in [k for k in self._states if k[:3] == (activity, agent, registration) and state_id in (None, k[3])]:
                    del self._states[key]
                return LrsAnswer(204)
            if state_id is None:  # GET without stateId: the ids held
                return _json_answer(200, sorted(k[3] for k in self._states if k[:3] == (activity, agent, registration)))
            found = self._states.get((activity, agent, registration, state_id))
        return _document(found)

    def _profile(self, method: str, query: Mapping[str, str], headers: Mapping[str, str], body: bytes) -> LrsAnswer:
        agent, profile_id = agent_key(query.get("agent")), query.get("profileId")
        if agent is None or not profile_id:
            return _problem(400, "the Agent Profile API needs agent (an Agent's JSON) and profileId")
        with self._lock:
            if method == "PUT":
                self._profiles[agent, profile_id] = (body, headers.get("content-type", "application/octet-stream"))
                return LrsAnswer(204)
            found = self._profiles.get((agent, profile_id))
        return _document(found)


def _document(found: tuple[bytes, str] | None) -> LrsAnswer:
    if found is None:
        return _problem(404, "no such document")
    body, ctype = found
    return LrsAnswer(200, body, ctype, {"ETag": f'"{hashlib.sha1(body).hexdigest()}"'})
