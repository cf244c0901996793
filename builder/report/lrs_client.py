"""Reading a course's statements from an xAPI 1.0.3 LRS, one page (StatementResult) at a time.

GET <endpoint>statements?activity=<course id>&related_activities=true[&since=…]&limit=N, then each
`more` link joined to the LRS root (a `more` is server-absolute: joined to the endpoint, never to a
base URL, or httpx would ask for /xAPI/xAPI/statements; ../shared/notes/lrs-ralph.md §2) until a page
has none. Every request carries X-Experience-API-Version and Basic auth.

The credentials are never printed: every message is scrubbed of the password and the Basic token,
and names neither; a `more` link to another server is refused, so they are only ever sent to the
server the user named.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

import httpx

from coursepack.xapi.vocabulary import VERSION_HEADER, XAPI_VERSION

TIMEOUT_S = 60.0
DETAIL_CHARS = 160  # of an LRS's error body, in a one-line message


class LrsError(Exception):
    """A one-line, credential-free message for the person running the sync; status is the HTTP
    status when the LRS answered with an error."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Page:
    url: str  # what was asked (absolute)
    statements: list[Any]  # as the LRS sent them (parsed JSON)
    more: str | None  # the next page's absolute URL, or None at the end


def normalise_endpoint(url: str) -> str:
    """The LRS's xAPI endpoint with a trailing slash; refused when it is not http(s) or holds a
    user or password (they belong in --user and --password-stdin, not in shell history)."""
    try:
        parsed = httpx.URL(url.strip())
    except httpx.InvalidURL:
        raise LrsError(f"--lrs is not a URL: '{url}'") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise LrsError(f"--lrs must be the LRS's xAPI endpoint, e.g. https://lrs.example.org/xAPI/ (got '{url}')")
    if parsed.userinfo:
        raise LrsError("--lrs must not hold a user or password: give them with --user and --password-stdin "
                       "(or COURSEPACK_LRS_USER and COURSEPACK_LRS_PASSWORD)")
    if parsed.query or parsed.fragment:
        raise LrsError(f"--lrs must be the endpoint alone, without a query (got '{url}')")
    text = str(parsed)
    return text if text.endswith("/") else text + "/"


class LrsClient:
    def __init__(self, endpoint: str, user: str, password: str, *, transport: httpx.BaseTransport | None = None) -> None:
        self.endpoint = normalise_endpoint(endpoint)
        self._origin = httpx.URL(self.endpoint).copy_with(path="/", query=None)
        self._secrets = [s for s in (password, base64.b64encode(f"{user}:{password}".encode()).decode("ascii")) if s]
        self._http = httpx.Client(
            transport=transport, timeout=TIMEOUT_S, follow_redirects=False, auth=(user, password),
            headers={VERSION_HEADER: XAPI_VERSION, "Accept": "application/json"},
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> LrsClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _fail(self, message: str, status: int | None = None) -> LrsError:
        for secret in self._secrets:
            message = message.replace(secret, "***")
        return LrsError(" ".join(message.split()), status)

    def first_url(self, course_id: str, since: str | None, limit: int) -> str:
        params: dict[str, str] = {"activity": course_id, "related_activities": "true", "limit": str(limit)}
        if since is not None:
            params["since"] = since
        return str(httpx.URL(self.endpoint).join("statements").copy_merge_params(params))

    def join_more(self, more: str) -> str:
        """The absolute URL of a `more` link, which must stay on the LRS's own server."""
        url = httpx.URL(self.endpoint).join(more)
        if url.copy_with(path="/", query=None, fragment=None) != self._origin:
            raise self._fail(f"the LRS's `more` link points to another server ({url.scheme}://{url.host}): not followed")
        return str(url)

    def page(self, url: str, number: int) -> Page:
        """One page; LrsError (one line) on anything but a StatementResult."""
        where = f"page {number} of the statements from {self.endpoint}"
        try:
            response = self._http.get(url)
        except httpx.TimeoutException:
            raise self._fail(f"{where}: no answer within {TIMEOUT_S:.0f} s") from None
        except httpx.HTTPError as error:
            raise self._fail(f"cannot reach the LRS at {self.endpoint} ({type(error).__name__}) on {where}") from None
        status = response.status_code
        if status in (401, 403):
            raise self._fail(f"the LRS at {self.endpoint} refused the credentials (HTTP {status}): "
                             "check --user and the password", status)
        if status == 404 and number == 1:
            raise self._fail(f"no statements resource at {self.endpoint}statements (HTTP 404): "
                             "is --lrs the LRS's xAPI endpoint, e.g. https://lrs.example.org/xAPI/?", status)
        if status != 200:
            raise self._fail(f"{where}: HTTP {status} ({self._detail(response)})", status)
        try:
            body = response.json()
        except (ValueError, UnicodeDecodeError):
            raise self._fail(f"{where}: the answer is not JSON (cut short, or not an xAPI LRS?)") from None
        if not isinstance(body, dict) or not isinstance(body.get("statements"), list):
            raise self._fail(f"{where}: the answer is not a StatementResult (no 'statements' list)")
        more = body.get("more")
        if more is not None and not isinstance(more, str):
            raise self._fail(f"{where}: 'more' is not a URL")
        return Page(url, body["statements"], self.join_more(more) if more else None)

    def _detail(self, response: httpx.Response) -> str:
        try:
            body = response.json()
            text = body.get("detail") or body.get("message") or body if isinstance(body, dict) else body
            text = text if isinstance(text, str) else json.dumps(text, ensure_ascii=False)
        except ValueError:
            text = response.text
        text = " ".join(str(text).split())
        return (text[:DETAIL_CHARS] + "…" if len(text) > DETAIL_CHARS else text) or "no details"
