"""The LMS side of the xAPI and cmi5 previews, over the in-process LRS (mini_lrs.py).

- xAPI (Tin Can launch, as mod_tincanlaunch does it): the launch page with endpoint, a credential
  minted for this launch, the preview learner, the registration and the course's activity_id.
- cmi5 (§8-§10, as tests/lrs/cmi5_lms.py plays it for the browser tests): before opening an AU, a
  session id, the `launched` statement, the LMS.LaunchData state document (context template with the
  session id and the AU's publisher id, launchMode Normal, moveOn, masteryScore, returnURL) and a
  one-time fetch URL that hands the AU its credential on its first POST only.
- `summary()`: one statement as the panel lists it (verb, object, result).
"""

from __future__ import annotations

import json
import secrets
import threading
import uuid
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote, urlencode

from coursepack.preview.mini_lrs import MiniLrs
from coursepack.xapi import vocabulary as vocab

# One learner for every preview: cmi5 §9.2 wants an Agent with an account, which Tin Can accepts too.
PREVIEW_LEARNER: dict[str, Any] = {
    "objectType": "Agent", "name": "Preview Learner",
    "account": {"homePage": "https://preview.coursepack.invalid", "name": "preview-learner"},
}
# The LMS's own activity ids for AUs: name-based UUIDs, the same for an AU in every registration and
# never the publisher's id (cmi5 §8.1).
_LMS_ID_NAMESPACE = uuid.UUID("0d8b7a52-3c1e-4f6b-9e0a-7c2f4a1b5d63")
FETCH_PATH = "/_preview/cmi5/fetch/"
RETURN_PATH = "/_preview/static/returned.html"


def _compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def au_activity_id(course_id: str, au_id: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_LMS_ID_NAMESPACE, _compact(['au', course_id, au_id]))}"


class UnknownAu(KeyError):
    pass


class PreviewLms:
    """Launches for one preview server; `origin` is how the page reached the server
    (http://127.0.0.1:PORT or http://localhost:PORT), so the course and the LRS share its origin."""

    def __init__(self, lrs: MiniLrs) -> None:
        self.lrs = lrs
        self._lock = threading.Lock()
        self._fetch_tokens: dict[str, str | None] = {}  # fetch key -> the token, None once handed out

    def xapi_launch(self, origin: str, course_path: str, activity_id: str, registration: str) -> dict[str, Any]:
        query = {
            "endpoint": f"{origin}/xAPI/", "auth": f"Basic {self.lrs.mint_credential()}",
            "actor": _compact(PREVIEW_LEARNER), "registration": registration, "activity_id": activity_id,
        }
        return {"url": f"{origin}{course_path}?{urlencode(query, quote_via=quote)}", "registration": registration,
                "activityId": activity_id, "actor": PREVIEW_LEARNER}

    def cmi5_launch(self, origin: str, package_path: str, course_id: str, au: dict[str, Any], registration: str,
                    return_to: str) -> dict[str, Any]:
        """Everything cmi5 asks of an LMS before it opens the AU at `package_path` + its url."""
        activity_id = au_activity_id(course_id, au["id"])
        session_id = str(uuid.uuid4())
        au_url = f"{origin}{package_path}{quote(au['url'], safe='/?=&')}"
        publisher = {"objectType": "Activity", "id": au["id"]}  # §9.6.2.3: the AU id unaltered
        extensions: dict[str, Any] = {vocab.SESSION_ID_EXT: session_id, vocab.LAUNCH_MODE_EXT: "Normal",
                                      vocab.LAUNCH_URL_EXT: au_url, vocab.MOVEON_EXT: au["moveOn"]}
        if au.get("masteryScore") is not None:
            extensions[vocab.MASTERY_SCORE_EXT] = au["masteryScore"]
        definition: dict[str, Any] = {"name": {"en-US": au.get("title") or au["id"]}}
        if au.get("activityType"):
            definition["type"] = au["activityType"]
        self.lrs.store_as_lms({  # §9.3.1: recorded before the AU opens
            "id": str(uuid.uuid4()), "actor": PREVIEW_LEARNER,
            "verb": {"id": vocab.LAUNCHED, "display": {"en-US": "launched"}},
            "object": {"objectType": "Activity", "id": activity_id, "definition": definition},
            "context": {"registration": registration,
                        "contextActivities": {"category": [{"objectType": "Activity", "id": vocab.CMI5_CATEGORY}],
                                              "grouping": [publisher]},
                        "extensions": extensions},
            "timestamp": _now(),
        })
        launch_data: dict[str, Any] = {
            "contextTemplate": {"contextActivities": {"grouping": [publisher]}, "extensions": {vocab.SESSION_ID_EXT: session_id}},
            "launchMode": "Normal", "moveOn": au["moveOn"], "returnURL": return_to,
        }
        if au.get("masteryScore") is not None:
            launch_data["masteryScore"] = au["masteryScore"]
        self.lrs.put_state_as_lms(activity_id, _compact(PREVIEW_LEARNER), registration, vocab.LAUNCH_DATA_STATE_ID, launch_data)
        key = secrets.token_urlsafe(16)
        with self._lock:
            self._fetch_tokens[key] = self.lrs.mint_credential()
        query = {"endpoint": f"{origin}/xAPI/", "fetch": f"{origin}{FETCH_PATH}{key}", "actor": _compact(PREVIEW_LEARNER),
                 "registration": registration, "activityId": activity_id}
        return {"url": f"{au_url}?{urlencode(query, quote_via=quote)}", "registration": registration,
                "activityId": activity_id, "sessionId": session_id, "au": au["id"], "actor": PREVIEW_LEARNER,
                "launchData": launch_data}

    def fetch(self, key: str) -> dict[str, str]:
        """The answer to a POST on the fetch URL (§8.2): the token once, then error-code 1."""
        with self._lock:
            if key not in self._fetch_tokens:
                return {"error-code": "2", "error-text": "unknown fetch URL"}
            token = self._fetch_tokens[key]
            if token is None:
                return {"error-code": "1", "error-text": "The authorization token has already been returned."}
            self._fetch_tokens[key] = None
        return {"auth-token": token}


def _name(language_map: object, fallback: str) -> str:
    if isinstance(language_map, dict) and language_map:
        return str(language_map.get("en-US") or next(iter(language_map.values())))
    return fallback


def summary(statement: dict[str, Any]) -> dict[str, Any]:
    """A statement as the panel shows it, and what the page needs to judge the LMS's status."""
    verb = statement.get("verb", {})
    obj = statement.get("object", {})
    result = statement.get("result") or {}
    context = statement.get("context") or {}
    score = result.get("score") or {}
    parts = []
    if "success" in result:
        parts.append("success" if result["success"] else "no success")
    if "completion" in result:
        parts.append("complete" if result["completion"] else "incomplete")
    if "scaled" in score:
        parts.append(f"score {score['scaled']}")
    if isinstance(result.get("response"), str):
        response = result["response"]
        parts.append(f"response {json.dumps(response[:80] + ('…' if len(response) > 80 else ''), ensure_ascii=False)}")
    if result.get("duration"):
        parts.append(str(result["duration"]))
    categories = (context.get("contextActivities") or {}).get("category") or []
    return {
        "id": statement.get("id"), "registration": context.get("registration"),
        "verbId": verb.get("id", ""), "verb": _name(verb.get("display"), str(verb.get("id", "")).rsplit("/", 1)[-1]),
        "objectId": obj.get("id", ""), "object": _name((obj.get("definition") or {}).get("name"), str(obj.get("id", ""))),
        "result": ", ".join(parts), "success": result.get("success"), "scaled": score.get("scaled"),
        "cmi5": any(isinstance(c, dict) and c.get("id") == vocab.CMI5_CATEGORY for c in categories),
    }
