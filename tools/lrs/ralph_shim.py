"""The test LRS: ralph-malph 5.1.0's LRS API on the "fs" backend, patched and extended for coursepack's tests.

Run (tests/lrs/server.py does, with the RALPH_* variables of ../shared/notes/lrs-ralph.md §1.2):
    uvicorn --app-dir tools/lrs ralph_shim:app --host 127.0.0.1 --port PORT

Every deviation from stock ralph 5.1.0, and why (pin ralph-malph==5.1.0: fixes 1-3 reach into private code):

Defects of stock ralph fixed here (notes §1.5; each was seen in a real run):
1. FSLRSBackend inherits default_operation_type=CREATE, so only the first write creates fs_lrs.jsonl and
   every later POST/PUT answers 500 "Statements bulk indexation failed". Fix: append.
2. The verb/activity filters get ralph IRI objects and compare them with '==' to plain strings, so ?verb= and
   ?activity= never match. Fix: coerce to str.
3. since/until compare offset-aware with naive datetimes -> TypeError -> 500 when the query or a stored
   timestamp has no UTC offset. Fix: read naive as UTC.
4. A 422 whose pydantic error carries a ValueError (e.g. mbox without "mailto:") cannot be JSON-encoded ->
   plain-text 500 and a dropped keep-alive connection. Fix: an HTTPException handler that stringifies it.
5. No X-Experience-API-Version response header (xAPI Communication §3.3.s3.b1). Fix: add 1.0.3 to every
   response.
6. GET ?statementId= answers {"statements": [...]} (200, empty if unknown) instead of the Statement or 404
   (Communication §2.1.3). Fix: unwrap.

Additions a strict LRS has and the package tests need:
7. CORS: packages run in chromium from another 127.0.0.1 port. Preflights (OPTIONS) are answered without
   auth; Access-Control-Allow-Origin echoes http://127.0.0.1:* and http://localhost:* origins only.
8. Strict version header: an /xAPI/ request (not OPTIONS) without X-Experience-API-Version 1.0 or 1.0.x gets
   400 (Communication §3.3.s3.b4.1, b7); stock ralph accepts anything, so a client that forgets the header
   would pass here and fail on a real LRS.
9. Document Resources (State, Agent Profile, Activity Profile; see xapi_documents.py): ralph has none, and
   cmi5 needs State (LMS.LaunchData) and Agent Profile (cmi5LearnerPreferences). Same Basic auth as the
   statements; stored as files under <data dir>/documents/, so they survive a restart.
10. Request log: one JSON line per /xAPI/ request in <data dir>/requests.jsonl: time (arrival, UTC), method,
    path, query, the X-Experience-API-Version and Content-Type request headers, whether Authorization was
    present and the Basic user name (never the password), and the response status. A line is written when
    its response starts, before the client can see it, so concurrent requests appear in the order they were
    answered; sort by time for arrival order.
    Health checks are not logged: they are the harness talking, not the package.

Left as stock ralph has them (tests must not rely on them; notes §2 and §5):
- statements come oldest first (the spec says newest first by `stored`); since/until filter on
  `timestamp`, not `stored`;
- re-POSTing a statement with a known id counts as a conflict (409) when its timestamp differs, and ralph
  fills in a fresh timestamp for a statement without one: only statements that carry their own
  timestamp (cmi5 §9.7 requires it) can be re-sent idempotently;
- statement content is validated laxly (actor, verb.id, object.id, id); no voiding, attachments, /about;
- the one-time cmi5 credentials stay valid until the server restarts (ralph reads auth.json once).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qsl

import ralph.backends.lrs.fs as _fs
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend, FSLRSBackendSettings

# ---------------------------------------------------------------- fixes 1-3: the fs backend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND  # 1

_verb = FSLRSBackend._add_filter_by_verb
_activity = FSLRSBackend._add_filter_by_activity
FSLRSBackend._add_filter_by_verb = staticmethod(  # 2
    lambda filters, verb_id: _verb(filters, str(verb_id) if verb_id else None)
)
FSLRSBackend._add_filter_by_activity = staticmethod(
    lambda filters, object_id, related: _activity(filters, str(object_id) if object_id else None, related)
)


def _aware(value):
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


class _AwareDatetime(datetime):
    @classmethod
    def fromisoformat(cls, value):
        return _aware(datetime.fromisoformat(value))


_fs.datetime = _AwareDatetime  # 3: the since/until filters parse stored timestamps with it
_since = FSLRSBackend._add_filter_by_timestamp_since
_until = FSLRSBackend._add_filter_by_timestamp_until
FSLRSBackend._add_filter_by_timestamp_since = lambda self, f, ts: _since(self, f, _aware(ts))
FSLRSBackend._add_filter_by_timestamp_until = lambda self, f, ts: _until(self, f, _aware(ts))

# ralph.api builds its backend at import time: it must come after the patches above.
from fastapi.encoders import jsonable_encoder  # noqa: E402
from fastapi.responses import JSONResponse  # noqa: E402
from starlette.exceptions import HTTPException  # noqa: E402
from starlette.middleware.cors import CORSMiddleware  # noqa: E402

from ralph.api import app  # noqa: E402
from xapi_documents import documents_router  # noqa: E402

XAPI_VERSION = "1.0.3"
XAPI_PREFIX = "/xAPI/"
ACCEPTED_VERSION = re.compile(r"1\.0(\.[0-9]+)?")  # §3.3.s3.b3 and b5: "1.0" and any "1.0.x"
LOCAL_ORIGIN = r"http://(127\.0\.0\.1|localhost)(:[0-9]+)?"
DATA_DIR = Path(FSLRSBackendSettings().DEFAULT_DIRECTORY_PATH)  # the directory fs_lrs.jsonl lives in
REQUEST_LOG = DATA_DIR / "requests.jsonl"


# ---------------------------------------------------------------- fixes 4-6: the API


@app.exception_handler(HTTPException)
async def _http_exception(request, exc):  # 4
    detail = jsonable_encoder(exc.detail, custom_encoder={Exception: str})
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=getattr(exc, "headers", None))


@app.middleware("http")
async def _xapi_conformance(request, call_next):
    response = await call_next(request)
    if request.method == "GET" and "statementId" in request.query_params and response.status_code == 200:  # 6
        body = b"".join([chunk async for chunk in response.body_iterator])
        found = json.loads(body).get("statements") or []
        response = (JSONResponse(found[0]) if found
                    else JSONResponse({"detail": "Statement not found"}, status_code=404))
    response.headers.setdefault("X-Experience-API-Version", XAPI_VERSION)  # 5
    return response


# ---------------------------------------------------------------- additions 7-10


class RequireXapiVersion:
    """ASGI middleware for 8: refuse /xAPI/ requests without an accepted version header."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(XAPI_PREFIX) and scope["method"] != "OPTIONS":
            version = _header(scope, b"x-experience-api-version")
            if version is None or not ACCEPTED_VERSION.fullmatch(version.strip()):
                detail = (f"X-Experience-API-Version {version!r} is not supported: send 1.0.x"
                          if version is not None else "X-Experience-API-Version header missing: send 1.0.3")
                response = JSONResponse({"detail": detail}, status_code=400,
                                        headers={"X-Experience-API-Version": XAPI_VERSION})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class RequestLog:
    """ASGI middleware for 10: append one JSON line per /xAPI/ request to `path` (see the module docstring)."""

    def __init__(self, app, path: Path) -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(XAPI_PREFIX):
            await self.app(scope, receive, send)
            return
        arrived = datetime.now(timezone.utc).isoformat()
        logged = False

        async def log_then_send(message) -> None:
            nonlocal logged
            # Logged before the response leaves: a client that has its answer finds the line on disk.
            if message["type"] == "http.response.start" and not logged:
                logged = True
                self._append(scope, arrived, message["status"])
            await send(message)

        try:
            await self.app(scope, receive, log_then_send)
        except Exception:
            if not logged:
                self._append(scope, arrived, 500)
            raise

    def _append(self, scope, arrived: str, status: int) -> None:
        authorization = _header(scope, b"authorization")
        entry = {
            "time": arrived,
            "method": scope["method"],
            "path": scope["path"],
            "query": _query(scope),
            "version": _header(scope, b"x-experience-api-version"),
            "content_type": _header(scope, b"content-type"),
            "authorization": authorization is not None,
            "user": _basic_user(authorization),
            "status": status,
        }
        # Opened per line: a test may truncate the file between requests (Lrs.reset()).
        with open(self.path, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")


def _header(scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def _query(scope) -> dict[str, str]:
    return dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))


def _basic_user(authorization: str | None) -> str | None:
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded.split(":", 1)[0]


DATA_DIR.mkdir(parents=True, exist_ok=True)
app.include_router(documents_router(DATA_DIR))
# add_middleware puts each one outside the ones before it: log > CORS > version check > conformance > app,
# so 400s and 401s carry CORS headers (else the browser hides them) and every request is logged.
app.add_middleware(RequireXapiVersion)
app.add_middleware(
    CORSMiddleware,
    allow_origin_regex=LOCAL_ORIGIN,
    allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
    allow_headers=["Authorization", "Content-Type", "X-Experience-API-Version", "If-Match", "If-None-Match"],
    expose_headers=["ETag", "Last-Modified", "X-Experience-API-Version"],
)
app.add_middleware(RequestLog, path=REQUEST_LOG)
