"""xAPI 1.0.3 Document Resources for the test LRS (ralph 5.1.0 has none, so cmi5 could not run against it).

- State Resource `/xAPI/activities/state` (xAPI Communication §2.3): activityId + agent [+ registration] + stateId;
  without stateId, GET lists the ids (optionally `since`) and DELETE removes every matching document.
- Agent Profile Resource `/xAPI/agents/profile` (§2.6): agent + profileId.
- Activity Profile Resource `/xAPI/activities/profile` (§2.7): activityId + profileId.
- Concurrency (§3.1): ETag = quoted lowercase SHA-1 of the stored bytes on GET, PUT and POST responses;
  If-Match / If-None-Match that are not met -> 412 and nothing changes; a PUT to an existing *profile*
  without either header -> 409 (§3.1.s4.b13; the State Resource is exempt, §3.1.s3).
- POST merges JSON objects (§2.2.s7); 400 when the posted or the stored document is not application/json
  or not a JSON object (§2.2.s8.b1). POST with nothing stored stores the document as a PUT would.
- Unknown query parameters -> 400 (§3.2.s3.b7). The stored Content-Type is returned on GET.

Documents are files under `<data dir>/documents/<resource>/`, one `<key>.json` (what the document is: its
context, id, Content-Type, last change, ETag) and one `<key>.body` (the bytes), so they survive a restart
and tests can read them without HTTP. Handlers are `async` and do all file work without awaiting, so on
uvicorn's single event loop each request's read-modify-write is atomic.

Deliberate leniencies (noted so a test never relies on them): If-Match accepts the ETag with or without
quotes (TinCanJS sends it bare); multi-document GET/DELETE without `registration` match every
registration (as the ADL reference LRS does); an agent is matched by its one identifier (mbox,
mbox_sha1sum, openid or account), ignoring name and objectType.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from ralph.api.auth import get_authenticated_user

AGENT_IDENTIFIERS = ("mbox", "mbox_sha1sum", "openid", "account")
JSON_MEDIA_TYPE = "application/json"


@dataclass(frozen=True)
class Resource:
    name: str  # folder under documents/, and the label in Lrs.documents()
    path: str
    required: tuple[str, ...]  # context parameters that must be given
    optional: tuple[str, ...]  # context parameters that may be given
    id_param: str  # stateId / profileId
    put_requires_precondition: bool  # §3.1.s4.b13 applies (profiles only)
    delete_many: bool  # DELETE without the id removes all matching (State only, §2.3.s5)


STATE = Resource("state", "/xAPI/activities/state", ("activityId", "agent"), ("registration",),
                 "stateId", put_requires_precondition=False, delete_many=True)
AGENT_PROFILE = Resource("agent-profile", "/xAPI/agents/profile", ("agent",), (),
                         "profileId", put_requires_precondition=True, delete_many=False)
ACTIVITY_PROFILE = Resource("activity-profile", "/xAPI/activities/profile", ("activityId",), (),
                            "profileId", put_requires_precondition=True, delete_many=False)
RESOURCES = (STATE, AGENT_PROFILE, ACTIVITY_PROFILE)


class BadRequest(Exception):
    """A request this resource must refuse with 400."""


# ---------------------------------------------------------------- request parameters


def agent_identity(raw: str) -> dict:
    """The agent's one inverse functional identifier, which is what makes two agent objects the same."""
    try:
        agent = json.loads(raw)
    except ValueError as exc:
        raise BadRequest(f"agent is not valid JSON: {exc}") from exc
    if not isinstance(agent, dict):
        raise BadRequest("agent must be a JSON object")
    found = [key for key in AGENT_IDENTIFIERS if key in agent]
    if len(found) != 1:
        raise BadRequest("agent must have exactly one of mbox, mbox_sha1sum, openid, account")
    key, value = found[0], agent[found[0]]
    if key == "account":
        if not (isinstance(value, dict) and isinstance(value.get("homePage"), str)
                and isinstance(value.get("name"), str)):
            raise BadRequest("agent account needs homePage and name")
        return {"account": {"homePage": value["homePage"], "name": value["name"]}}
    if not isinstance(value, str) or (key == "mbox" and not value.startswith("mailto:")):
        raise BadRequest(f"agent {key} is not valid")
    return {key: value}


def parse_since(raw: str) -> datetime:
    try:
        since = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise BadRequest(f"since is not an ISO 8601 timestamp: {raw!r}") from exc
    return since if since.tzinfo else since.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class Target:
    context: dict  # activityId / agent (identity) / registration, as given
    doc_id: str | None
    since: datetime | None


def parse_target(resource: Resource, method: str, query: Mapping[str, str]) -> Target:
    allowed = {*resource.required, *resource.optional, resource.id_param}
    if method == "GET" and resource.id_param not in query:
        allowed.add("since")
    unknown = sorted(set(query) - allowed)
    if unknown:
        raise BadRequest(f"parameters not allowed here: {', '.join(unknown)}")  # §3.2.s3.b7
    missing = [name for name in resource.required if not query.get(name)]
    if missing:
        raise BadRequest(f"missing required parameters: {', '.join(missing)}")
    context: dict = {}
    if "activityId" in allowed:
        context["activityId"] = query.get("activityId")
    if "agent" in allowed:
        context["agent"] = agent_identity(query["agent"])
    if "registration" in allowed and query.get("registration"):
        try:
            context["registration"] = str(uuid.UUID(query["registration"]))
        except ValueError as exc:
            raise BadRequest("registration is not a UUID") from exc
    doc_id = query.get(resource.id_param) or None
    if doc_id is None and not (method == "GET" or (method == "DELETE" and resource.delete_many)):
        raise BadRequest(f"missing required parameter: {resource.id_param}")
    since = parse_since(query["since"]) if query.get("since") else None
    return Target(context, doc_id, since)


# ---------------------------------------------------------------- storage


@dataclass(frozen=True)
class Document:
    meta: dict
    body: bytes

    @property
    def etag(self) -> str:
        return self.meta["etag"]

    @property
    def updated(self) -> datetime:
        return datetime.fromisoformat(self.meta["updated"])


def etag_of(body: bytes) -> str:
    return f'"{hashlib.sha1(body).hexdigest()}"'  # §3.1.s4.b2 and b4: SHA-1 hex, lowercase, quoted


class DocumentStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _key_path(self, resource: Resource, context: dict, doc_id: str) -> Path:
        identity = json.dumps([resource.name, context, doc_id], sort_keys=True)
        return self.root / resource.name / hashlib.sha1(identity.encode()).hexdigest()

    def get(self, resource: Resource, context: dict, doc_id: str) -> Document | None:
        return _load(self._key_path(resource, context, doc_id))

    def put(self, resource: Resource, context: dict, doc_id: str, body: bytes, content_type: str) -> Document:
        key = self._key_path(resource, context, doc_id)
        key.parent.mkdir(parents=True, exist_ok=True)
        meta = {"resource": resource.name, "context": context, "id": doc_id, "contentType": content_type,
                "updated": datetime.now(timezone.utc).isoformat(), "etag": etag_of(body)}
        _write_atomically(key.with_suffix(".body"), body)
        _write_atomically(key.with_suffix(".json"), json.dumps(meta).encode())  # last: marks it complete
        return Document(meta, body)

    def delete(self, resource: Resource, context: dict, doc_id: str) -> None:
        key = self._key_path(resource, context, doc_id)
        for suffix in (".json", ".body"):
            key.with_suffix(suffix).unlink(missing_ok=True)

    def matching(self, resource: Resource, context: dict) -> list[Document]:
        """Documents of this resource in this context; no registration given matches every registration."""
        found = []
        for meta_path in sorted((self.root / resource.name).glob("*.json")):
            document = _load(meta_path.with_suffix(""))
            if document is None:
                continue
            stored = document.meta["context"]
            if all(stored.get(name) == value for name, value in context.items()):
                found.append(document)
        return found


def _load(key: Path) -> Document | None:
    try:
        meta = json.loads(key.with_suffix(".json").read_text(encoding="utf-8"))
        body = key.with_suffix(".body").read_bytes()
    except FileNotFoundError:
        return None
    return Document(meta, body)


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


# ---------------------------------------------------------------- HTTP


def _etag_listed(header: str, etag: str) -> bool:
    bare = etag.strip('"')
    tags = [tag.strip().removeprefix("W/").strip('"') for tag in header.split(",")]
    return "*" in tags or bare in tags


def precondition_failed(headers: Mapping[str, str], current: Document | None) -> bool:
    """RFC 2616 If-Match / If-None-Match against the stored document (§3.1.s4.b5-b8)."""
    if_match, if_none_match = headers.get("if-match"), headers.get("if-none-match")
    if if_match is not None and (current is None or not _etag_listed(if_match, current.etag)):
        return True
    return if_none_match is not None and current is not None and _etag_listed(if_none_match, current.etag)


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def json_object(body: bytes, content_type: str | None, which: str) -> dict:
    if media_type(content_type) != JSON_MEDIA_TYPE:
        raise BadRequest(f"cannot merge: the {which} document is not {JSON_MEDIA_TYPE}")
    try:
        value = json.loads(body)
    except ValueError as exc:
        raise BadRequest(f"cannot merge: the {which} document is not valid JSON") from exc
    if not isinstance(value, dict):
        raise BadRequest(f"cannot merge: the {which} document is not a JSON object")
    return value


def _document_headers(document: Document) -> dict[str, str]:
    return {"ETag": document.etag, "Last-Modified": format_datetime(document.updated, usegmt=True)}


class DocumentResources:
    """The request handling of the three resources over one DocumentStore."""

    def __init__(self, store: DocumentStore) -> None:
        self.store = store

    async def handle(self, resource: Resource, request: Request) -> Response:
        body = await request.body()  # the only await: from here on the store is used without interruption
        try:
            target = parse_target(resource, request.method, request.query_params)
            if target.doc_id is None:
                return self._many(resource, request.method, target)
            return self._one(resource, request, target, body)
        except BadRequest as exc:
            return JSONResponse({"detail": str(exc)}, status_code=400)

    def _many(self, resource: Resource, method: str, target: Target) -> Response:
        documents = self.store.matching(resource, target.context)
        if method == "DELETE":  # §2.3.s5: State only (parse_target refused the others)
            for document in documents:
                self.store.delete(resource, document.meta["context"], document.meta["id"])
            return Response(status_code=204)
        if target.since is not None:
            documents = [d for d in documents if d.updated > target.since]  # exclusive (§2.3.s4)
        headers = {}
        if documents:
            newest = max(d.updated for d in documents)
            headers["Last-Modified"] = format_datetime(newest, usegmt=True)
        ids = sorted({d.meta["id"] for d in documents})
        return JSONResponse(ids, headers=headers)

    def _one(self, resource: Resource, request: Request, target: Target, body: bytes) -> Response:
        context, doc_id = target.context, target.doc_id
        current = self.store.get(resource, context, doc_id)
        if request.method == "GET":
            if current is None:
                return JSONResponse({"detail": f"no document {doc_id!r} here"}, status_code=404)
            return Response(current.body, media_type=None, headers={
                "Content-Type": current.meta["contentType"], **_document_headers(current)})
        if precondition_failed(request.headers, current):
            return JSONResponse({"detail": "If-Match / If-None-Match precondition failed"}, status_code=412)
        if request.method == "DELETE":
            self.store.delete(resource, context, doc_id)
            return Response(status_code=204)
        content_type = request.headers.get("content-type") or "application/octet-stream"
        if request.method == "PUT":
            if (resource.put_requires_precondition and current is not None
                    and "if-match" not in request.headers and "if-none-match" not in request.headers):
                return JSONResponse({"detail": (
                    "the document exists: GET it to check its current state, then PUT again with "
                    "If-Match set to its ETag")}, status_code=409)  # §3.1.s4.b13-b14
            stored = self.store.put(resource, context, doc_id, body, content_type)
        else:  # POST
            if current is None:
                stored = self.store.put(resource, context, doc_id, body, content_type)
            else:  # §2.2.s7: top-level properties of the posted object replace the stored ones
                merged = json_object(current.body, current.meta["contentType"], "stored")
                merged.update(json_object(body, content_type, "posted"))
                stored = self.store.put(resource, context, doc_id,
                                        json.dumps(merged, ensure_ascii=False).encode(), JSON_MEDIA_TYPE)
        return Response(status_code=204, headers=_document_headers(stored))


def documents_router(data_dir: Path) -> APIRouter:
    """The three resources behind ralph's own authentication (Basic, the same users as statements)."""
    resources = DocumentResources(DocumentStore(data_dir / "documents"))
    router = APIRouter(dependencies=[Depends(get_authenticated_user)])
    for resource in RESOURCES:
        router.add_api_route(resource.path, _endpoint(resources, resource),
                             methods=["GET", "PUT", "POST", "DELETE"], include_in_schema=False)
    return router


def _endpoint(resources: DocumentResources, resource: Resource):
    # A closure, not a default argument: FastAPI would read any extra parameter as request input.
    async def endpoint(request: Request) -> Response:
        return await resources.handle(resource, request)

    return endpoint
