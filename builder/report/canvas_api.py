"""Read one SCORM assignment from Canvas's REST API (JSON), as Canvas's API documentation describes it.

Calls, all with `Authorization: Bearer <token>`:
  GET /api/v1/courses/:course_id/assignments/:assignment_id          (name, points_possible)
  GET /api/v1/courses/:course_id/users?enrollment_type[]=student&include[]=email&per_page=100
  GET /api/v1/courses/:course_id/assignments/:assignment_id/submissions?per_page=100
Lists are paginated: the next page's address is the `Link` header's rel="next"; it is followed only
on the same server (the token goes with it). The token is never put in a URL and every message is
scrubbed of it. No Canvas was called while writing this: the shapes are the documentation's.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import httpx

from coursepack.report.canvas_evidence import CanvasRecord

PER_PAGE = 100
TIMEOUT_SECONDS = 60.0
MAX_PAGES = 10_000  # a guard against a server whose `next` links never end


class CanvasError(Exception):
    """A one-line, token-free message for the person running the import."""


def utc(value: Any) -> datetime | None:
    """Canvas's ISO 8601 times ('2012-01-01T01:00:00Z') as naive UTC."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None


class CanvasClient:
    def __init__(self, url: str, token: str, *, transport: httpx.BaseTransport | None = None) -> None:
        if not re.match(r"^https?://[^\s/]+", url):
            raise CanvasError(f"--url must be the Canvas site's address, e.g. https://school.instructure.com (got '{url}')")
        if not token.strip():
            raise CanvasError("the Canvas token is empty")
        self.site = url.rstrip("/")
        self._host = urlsplit(self.site).netloc.lower()
        self._token = token.strip()
        self._http = httpx.Client(transport=transport, timeout=TIMEOUT_SECONDS, follow_redirects=False,
                                  headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json"})

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CanvasClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _fail(self, message: str) -> CanvasError:
        return CanvasError(" ".join(message.replace(self._token, "[token]").split()))

    def _get(self, url: str, params: dict[str, Any] | None = None) -> httpx.Response:
        try:
            response = self._http.get(url, params=params)
        except httpx.TimeoutException:
            raise self._fail(f"no answer from {self.site} within {TIMEOUT_SECONDS:.0f} s") from None
        except httpx.HTTPError as error:
            raise self._fail(f"cannot reach {self.site} ({type(error).__name__})") from None
        if response.status_code == 401:
            raise self._fail(f"Canvas refused the token (HTTP 401 from {self.site}): is it valid, and not expired?")
        if response.status_code == 403:
            raise self._fail(f"the token may not read this (HTTP 403 from {self.site}): it needs a teacher's or admin's rights in the course")
        if response.status_code == 404:
            raise self._fail(f"{urlsplit(url).path}: not found on {self.site} (HTTP 404): check --course-id and --assignment-id")
        if response.status_code != 200:
            raise self._fail(f"HTTP {response.status_code} from {self.site} for {urlsplit(url).path}{self._detail(response)}")
        return response

    def _detail(self, response: httpx.Response) -> str:
        """Canvas's error object: {"errors": [{"message": "..."}]}."""
        try:
            errors = response.json().get("errors")
            message = errors[0]["message"] if isinstance(errors, list) else None
        except (ValueError, AttributeError, KeyError, IndexError, TypeError):
            return ""
        return f": {str(message)[:200]}" if message else ""

    def _json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise self._fail(f"{self.site} did not answer in JSON for {response.url.path} (is --url the Canvas site's address?)") from None

    def get_object(self, path: str) -> dict[str, Any]:
        body = self._json(self._get(f"{self.site}{path}"))
        if not isinstance(body, dict):
            raise self._fail(f"{path}: expected a JSON object from {self.site}")
        return body

    def get_list(self, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Every page of a paginated list, following the Link header's rel="next"."""
        items: list[dict[str, Any]] = []
        url: str | None = f"{self.site}{path}"
        query: dict[str, Any] | None = {**params, "per_page": PER_PAGE}
        seen: set[str] = set()
        while url is not None:
            if url in seen or len(seen) >= MAX_PAGES:
                raise self._fail(f"{path}: the `next` links of {self.site} go round in a loop: stopped")
            seen.add(url)
            response = self._get(url, query)
            body = self._json(response)
            if not isinstance(body, list):
                raise self._fail(f"{path}: expected a JSON list from {self.site}")
            items.extend(item for item in body if isinstance(item, dict))
            url, query = self._next(response), None  # the next link carries the whole query
        return items

    def _next(self, response: httpx.Response) -> str | None:
        link = response.links.get("next", {}).get("url")
        if not link:
            return None
        if urlsplit(link).netloc.lower() != self._host:
            # the token would go with the request: never to another server
            raise self._fail(f"the `next` link leads to another server ({urlsplit(link).netloc}): stopped")
        return str(link)


def read_assignment(client: CanvasClient, course_id: int, assignment_id: int) -> tuple[str, list[CanvasRecord]]:
    """The assignment's name and one record per student (with or without a submission)."""
    base = f"/api/v1/courses/{course_id}"
    assignment = client.get_object(f"{base}/assignments/{assignment_id}")
    points = _number(assignment.get("points_possible"))
    users = client.get_list(f"{base}/users", {"enrollment_type[]": "student", "include[]": "email"})
    submissions = client.get_list(f"{base}/assignments/{assignment_id}/submissions", {})
    by_user = {str(s.get("user_id")): s for s in submissions}
    records = []
    for user in users:
        uid = str(user.get("id"))
        sub = by_user.get(uid, {})
        records.append(CanvasRecord(
            user_id=uid,
            name=_text(user.get("name")) or _text(user.get("sortable_name")) or uid,
            login_id=_text(user.get("login_id")),
            email=_text(user.get("email")),
            sis_user_id=_text(user.get("sis_user_id")),
            score=_number(sub.get("score")),
            points_possible=points,
            workflow_state=_text(sub.get("workflow_state")),
            submitted_at=utc(sub.get("submitted_at")),
        ))
    return str(assignment.get("name") or assignment_id), records
