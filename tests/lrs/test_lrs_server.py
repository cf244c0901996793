"""The test LRS (ralph + tools/lrs/ralph_shim.py) and the cmi5 LMS side, against the real server.

One server per test process (the session `lrs` fixture); every test here starts from an empty store.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from lrs.cmi5_lms import (
    CATEGORY_CMI5,
    EXT_LAUNCH_MODE,
    EXT_LAUNCH_PARAMETERS,
    EXT_LAUNCH_URL,
    EXT_MASTERY_SCORE,
    EXT_MOVE_ON,
    EXT_SESSION,
    LAUNCH_DATA,
    LEARNER_PREFERENCES,
    TYPE_BLOCK,
    TYPE_COURSE,
    VERB_COMPLETED,
    VERB_LAUNCHED,
    VERB_PASSED,
    VERB_SATISFIED,
    Cmi5Lms,
    CourseStructure,
    xapi_launch_query,
)
from lrs.server import XAPI_VERSION, Lrs

VERSION = {"X-Experience-API-Version": XAPI_VERSION}
LEARNER = {"objectType": "Agent", "account": {"homePage": "http://lms.example.org", "name": "learner-1"}}
ACTIVITY = "https://example.org/courses/ai-literacy/module-1"
PACKAGE = "http://127.0.0.1:9/pkg/"  # never fetched: the tests play the AU's part with httpx

CMI5_XML = b"""<?xml version="1.0" encoding="utf-8"?>
<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
  <course id="https://example.org/courses/ai-literacy">
    <title><langstring lang="en-US">AI Literacy for Educators</langstring></title>
    <description><langstring lang="en-US">Seven modules.</langstring></description>
  </course>
  <block id="https://example.org/courses/ai-literacy/block/basics">
    <title><langstring lang="en-US">Basics</langstring></title>
    <description><langstring lang="en-US">The first two.</langstring></description>
    <au id="https://example.org/courses/ai-literacy/au/what-is-ai" moveOn="Completed">
      <title><langstring lang="en-US">What AI is</langstring></title>
      <description><langstring lang="en-US">Module 1</langstring></description>
      <url> index.html?module=what-is-ai </url>
    </au>
    <au id="https://example.org/courses/ai-literacy/au/quiz" moveOn="CompletedAndPassed" masteryScore="0.8"
        launchMethod="OwnWindow">
      <title><langstring lang="en-US">Quiz</langstring></title>
      <description><langstring lang="en-US">Module 2</langstring></description>
      <url>quiz/index.html</url>
    </au>
  </block>
  <au id="https://example.org/courses/ai-literacy/au/policy">
    <title><langstring lang="en-US">Policy</langstring></title>
    <description><langstring lang="en-US">Module 7</langstring></description>
    <url>policy.html</url>
    <launchParameters>edition=certificate</launchParameters>
  </au>
</courseStructure>
"""
AU_READ = "https://example.org/courses/ai-literacy/au/what-is-ai"
AU_QUIZ = "https://example.org/courses/ai-literacy/au/quiz"
AU_POLICY = "https://example.org/courses/ai-literacy/au/policy"


@pytest.fixture(autouse=True)
def empty_lrs(lrs: Lrs) -> Lrs:
    lrs.reset()
    return lrs


@pytest.fixture
def admin(lrs: Lrs):
    with lrs.client() as client:
        yield client


@pytest.fixture
def lms(lrs: Lrs):
    with Cmi5Lms(lrs, CourseStructure.parse(CMI5_XML), PACKAGE) as it:
        yield it


def statement(verb: str = VERB_COMPLETED, **extra) -> dict:
    return {"actor": LEARNER, "verb": {"id": verb}, "object": {"id": ACTIVITY}, **extra}


def state_params(state_id: str | None = "bookmark", registration: str | None = None) -> dict:
    params = {"activityId": ACTIVITY, "agent": json.dumps(LEARNER)}
    if state_id is not None:
        params["stateId"] = state_id
    if registration is not None:
        params["registration"] = registration
    return params


# ---------------------------------------------------------------- statements


def test_statements_round_trip_and_paging(lrs: Lrs, admin: httpx.Client) -> None:
    batch = [statement(result={"score": {"scaled": n / 10}}) for n in range(5)]
    response = admin.post("statements", json=batch)
    assert response.status_code == 200 and len(response.json()) == 5
    assert response.headers["X-Experience-API-Version"] == XAPI_VERSION  # shim fix 5
    admin.post("statements", json=statement(VERB_PASSED)).raise_for_status()  # a second write (shim fix 1)

    page = admin.get("statements", params={"limit": 2}).json()
    assert len(page["statements"]) == 2 and page["more"].startswith("/xAPI/statements?")
    every = lrs.statements(limit=2)  # follows `more` three times
    assert [s["result"]["score"]["scaled"] for s in every[:5]] == [0.0, 0.1, 0.2, 0.3, 0.4]
    assert len(every) == 6
    assert len(lrs.statements(verb=VERB_PASSED)) == 1  # shim fix 2
    assert len(lrs.statements(agent=LEARNER, since="2020-01-01T00:00:00")) == 6  # naive since (fix 3)
    only = lrs.statements(statementId=every[0]["id"])  # shim fix 6: the Statement itself
    assert only == [every[0]]
    assert admin.get("statements", params={"statementId": str(uuid.uuid4())}).status_code == 404


def test_a_differing_statement_with_a_known_id_is_a_conflict(admin: httpx.Client) -> None:
    # With its timestamp: ralph compares timestamps too, and fills in a different one on each POST.
    known = statement(id=str(uuid.uuid4()), timestamp="2026-01-02T03:04:05.678Z")
    assert admin.post("statements", json=known).status_code == 200
    assert admin.post("statements", json=known).status_code == 204  # the same again: nothing new
    differing = {**known, "verb": {"id": VERB_PASSED}}
    response = admin.post("statements", json=differing)
    assert response.status_code == 409, response.text
    assert admin.put("statements", params={"statementId": known["id"]}, json=differing).status_code == 409


def test_requests_without_the_version_header_are_refused(lrs: Lrs) -> None:
    with httpx.Client(base_url=lrs.endpoint, auth=tuple(lrs.admin)) as bare:
        assert bare.post("statements", json=statement()).status_code == 400
        assert bare.get("activities/state", params=state_params()).status_code == 400
        response = bare.get("statements", headers={"X-Experience-API-Version": "0.95"})
        assert response.status_code == 400 and "0.95" in response.json()["detail"]
        assert bare.get("statements", headers={"X-Experience-API-Version": "1.0"}).status_code == 200
    assert lrs.statements() == []


def test_wrong_or_missing_credentials_get_401(lrs: Lrs) -> None:
    with httpx.Client(base_url=lrs.endpoint, headers=VERSION) as anonymous:
        assert anonymous.get("statements").status_code == 401
        assert anonymous.get("activities/state", params=state_params()).status_code == 401
        response = anonymous.get("agents/profile", params={"agent": json.dumps(LEARNER), "profileId": "p"},
                                 auth=(lrs.admin.username, "wrong"))
        assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Basic"


def test_cors_preflight_needs_no_auth_and_only_local_origins_are_echoed(lrs: Lrs) -> None:
    origin = "http://127.0.0.1:43210"
    preflight = {"Origin": origin, "Access-Control-Request-Method": "PUT",
                 "Access-Control-Request-Headers": "authorization,content-type,x-experience-api-version,if-match"}
    response = httpx.options(lrs.endpoint + "activities/state", headers=preflight)  # no auth, no version
    assert response.status_code == 200, response.text
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert {"PUT", "DELETE", "OPTIONS"} <= set(response.headers["Access-Control-Allow-Methods"].split(", "))
    assert "If-None-Match" in response.headers["Access-Control-Allow-Headers"]

    foreign = httpx.options(lrs.endpoint + "statements", headers={**preflight, "Origin": "http://example.com"})
    assert "Access-Control-Allow-Origin" not in foreign.headers

    # Actual responses, errors included, carry the headers the browser needs to read them.
    with lrs.client() as admin:
        ok = admin.get("statements", headers={"Origin": "http://localhost:8000"})
        refused = httpx.get(lrs.endpoint + "statements", headers={"Origin": origin})  # 400: no version
    assert ok.headers["Access-Control-Allow-Origin"] == "http://localhost:8000"
    assert "ETag" in ok.headers["Access-Control-Expose-Headers"]
    assert refused.status_code == 400 and refused.headers["Access-Control-Allow-Origin"] == origin


# ---------------------------------------------------------------- documents


def test_state_document_put_get_merge_delete_with_etags(lrs: Lrs, admin: httpx.Client) -> None:
    body = b'{"page": 3}'
    put = admin.put("activities/state", params=state_params(), content=body,
                    headers={"Content-Type": "application/json"})
    assert put.status_code == 204
    etag = f'"{hashlib.sha1(body).hexdigest()}"'
    assert put.headers["ETag"] == etag

    got = admin.get("activities/state", params=state_params())
    assert got.content == body and got.headers["ETag"] == etag
    assert got.headers["Content-Type"] == "application/json" and "Last-Modified" in got.headers

    stale = admin.put("activities/state", params=state_params(), json={"page": 9}, headers={"If-Match": '"0"'})
    assert stale.status_code == 412
    unaware = admin.put("activities/state", params=state_params(), json={}, headers={"If-None-Match": "*"})
    assert unaware.status_code == 412
    assert lrs.state(ACTIVITY, LEARNER, "bookmark") == {"page": 3}  # unchanged by either

    merged = admin.post("activities/state", params=state_params(), json={"done": True}, headers={"If-Match": etag})
    assert merged.status_code == 204
    assert lrs.state(ACTIVITY, LEARNER, "bookmark") == {"page": 3, "done": True}
    not_an_object = admin.post("activities/state", params=state_params(), json=[1, 2])
    assert not_an_object.status_code == 400
    # The same agent written differently (name added) is the same agent.
    same_agent = {**state_params(), "agent": json.dumps({**LEARNER, "name": "Ada"})}
    assert admin.get("activities/state", params=same_agent).json() == {"page": 3, "done": True}

    registration = str(uuid.uuid4())
    admin.put("activities/state", params=state_params("notes", registration), content=b"hi",
              headers={"Content-Type": "text/plain"}).raise_for_status()
    assert lrs.state(ACTIVITY, LEARNER, "notes", registration) == b"hi"  # the stored Content-Type kept
    assert lrs.state(ACTIVITY, LEARNER, "notes") is None  # another registration, another document
    assert admin.get("activities/state", params=state_params(None)).json() == ["bookmark", "notes"]
    assert admin.get("activities/state", params={**state_params(None), "since": "2999-01-01T00:00:00Z"}).json() == []

    assert admin.delete("activities/state", params=state_params()).status_code == 204
    assert admin.get("activities/state", params=state_params()).status_code == 404
    assert admin.delete("activities/state", params=state_params(None)).status_code == 204  # all the rest
    assert lrs.documents() == []


def test_state_requests_are_checked(admin: httpx.Client) -> None:
    assert admin.get("activities/state", params={"agent": json.dumps(LEARNER), "stateId": "x"}).status_code == 400
    assert admin.get("activities/state", params={**state_params(), "agent": '{"name": "no id"}'}).status_code == 400
    assert admin.get("activities/state", params={**state_params(), "registration": "nope"}).status_code == 400
    assert admin.get("activities/state", params={**state_params(), "stateid": "case"}).status_code == 400
    assert admin.put("activities/state", params=state_params(None), json={}).status_code == 400


def test_profiles_need_a_precondition_to_overwrite(lrs: Lrs, admin: httpx.Client) -> None:
    agent_profile = {"agent": json.dumps(LEARNER), "profileId": LEARNER_PREFERENCES}
    first = admin.put("agents/profile", params=agent_profile, json={"languagePreference": "en-US"},
                      headers={"If-None-Match": "*"})
    assert first.status_code == 204
    blind = admin.put("agents/profile", params=agent_profile, json={"languagePreference": "es"})
    assert blind.status_code == 409 and "If-Match" in blind.json()["detail"]
    stale = admin.put("agents/profile", params=agent_profile, json={}, headers={"If-Match": '"stale"'})
    assert stale.status_code == 412
    current = admin.get("agents/profile", params=agent_profile)
    updated = admin.put("agents/profile", params=agent_profile, json={"languagePreference": "es"},
                        headers={"If-Match": current.headers["ETag"]})
    assert updated.status_code == 204
    assert admin.get("agents/profile", params={"agent": agent_profile["agent"]}).json() == [LEARNER_PREFERENCES]

    activity_profile = {"activityId": ACTIVITY, "profileId": "glossary"}
    assert admin.put("activities/profile", params=activity_profile, json={"a": 1}).status_code == 204  # new
    assert admin.put("activities/profile", params=activity_profile, json={"a": 2}).status_code == 409
    assert admin.get("activities/profile", params=activity_profile).json() == {"a": 1}
    assert {d["resource"] for d in lrs.documents()} == {"agent-profile", "activity-profile"}


def test_the_request_log_records_every_xapi_call_in_order(lrs: Lrs, admin: httpx.Client) -> None:
    admin.put("activities/state", params=state_params(), json={"page": 1}).raise_for_status()
    admin.post("statements", json=statement()).raise_for_status()
    httpx.get(lrs.endpoint + "statements")  # neither version nor auth
    log = lrs.requests()
    assert [(e["method"], e["path"], e["status"]) for e in log] == [
        ("PUT", "/xAPI/activities/state", 204), ("POST", "/xAPI/statements", 200), ("GET", "/xAPI/statements", 400)]
    assert log[0]["query"]["stateId"] == "bookmark" and log[0]["content_type"] == "application/json"
    assert log[0]["version"] == XAPI_VERSION and log[0]["authorization"] and log[0]["user"] == lrs.admin.username
    assert log[2]["version"] is None and not log[2]["authorization"] and log[2]["user"] is None
    assert log[0]["time"] <= log[1]["time"] <= log[2]["time"]  # arrival times, in the order sent
    assert lrs.requests(include_admin=False) == [log[2]]


# ---------------------------------------------------------------- cmi5: the LMS side


def test_course_structure_is_read_with_blocks_defaults_and_trimmed_values() -> None:
    course = CourseStructure.parse(CMI5_XML)
    assert course.course_id == "https://example.org/courses/ai-literacy" and course.title == "AI Literacy for Educators"
    assert [au.id for au in course.aus] == [AU_READ, AU_QUIZ, AU_POLICY]
    read, quiz, policy = course.aus
    assert read.url == "index.html?module=what-is-ai" and read.move_on == "Completed"
    assert (quiz.move_on, quiz.mastery_score, quiz.launch_method) == ("CompletedAndPassed", 0.8, "OwnWindow")
    assert (policy.move_on, policy.launch_method, policy.mastery_score) == ("NotApplicable", "AnyWindow", None)
    assert policy.launch_parameters == "edition=certificate" and policy.blocks == ()
    assert read.blocks == quiz.blocks == ("https://example.org/courses/ai-literacy/block/basics",)
    assert course.blocks[0].au_ids == (AU_READ, AU_QUIZ)
    with pytest.raises(ValueError, match="courseStructure"):
        CourseStructure.parse(CMI5_XML.replace(b"profiles/cmi5/v1", b"profiles/cmi5/v2"))


def test_launch_writes_the_launched_statement_and_launch_data_as_the_spec_says(lrs: Lrs, lms: Cmi5Lms) -> None:
    launch = lms.launch(AU_QUIZ, LEARNER, preferences={"languagePreference": "en-US", "audioPreference": "off"})

    # §8.1: the launch URL and its parameters; the activityId is the LMS's, not the publisher's AU id.
    url = urlsplit(launch.url)
    assert url.scheme + "://" + url.netloc + url.path == PACKAGE + "quiz/index.html"
    query = {name: values[0] for name, values in parse_qs(url.query).items()}
    assert set(query) == {"endpoint", "fetch", "actor", "registration", "activityId"}
    assert query["endpoint"] == lrs.endpoint and query["fetch"] == launch.fetch_url
    assert json.loads(query["actor"]) == LEARNER and uuid.UUID(query["registration"])
    assert query["activityId"] == launch.activity_id != AU_QUIZ
    assert "%3A%2F%2F" in launch.url  # every value URL-encoded
    assert lms.launch(AU_QUIZ, LEARNER).activity_id == launch.activity_id  # stable across launches

    # §9.3.1 / §9.6: the launched statement, written before the launch.
    [launched] = lrs.statements(verb=VERB_LAUNCHED, registration=launch.registration)
    assert launched["id"] == launch.launched["id"] and launched["object"]["id"] == launch.activity_id
    context = launched["context"]
    assert context["registration"] == launch.registration
    assert context["contextActivities"]["category"] == [{"objectType": "Activity", "id": CATEGORY_CMI5}]
    assert context["contextActivities"]["grouping"] == [{"objectType": "Activity", "id": AU_QUIZ}]
    assert context["extensions"] == {EXT_SESSION: launch.session_id, EXT_LAUNCH_MODE: "Normal",
                                     EXT_LAUNCH_URL: PACKAGE + "quiz/index.html", EXT_MOVE_ON: "CompletedAndPassed",
                                     EXT_MASTERY_SCORE: 0.8}
    assert launched["timestamp"].endswith("Z")

    # §10: LMS.LaunchData for agent + activityId + registration.
    data = lrs.state(launch.activity_id, LEARNER, LAUNCH_DATA, launch.registration)
    assert data == launch.launch_data
    assert data["contextTemplate"] == {"contextActivities": {"grouping": [{"objectType": "Activity", "id": AU_QUIZ}]},
                                       "extensions": {EXT_SESSION: launch.session_id}}
    assert (data["launchMode"], data["moveOn"], data["masteryScore"]) == ("Normal", "CompletedAndPassed", 0.8)
    assert data["returnURL"].startswith(lms.base_url + "/return/") and "launchParameters" not in data

    # §11: learner preferences as an agent profile.
    [preferences] = [d for d in lrs.documents() if d["resource"] == "agent-profile"]
    assert preferences["id"] == LEARNER_PREFERENCES and preferences["json"]["audioPreference"] == "off"


def test_launch_overrides_and_launch_parameters(lrs: Lrs, lms: Cmi5Lms) -> None:
    launch = lms.launch(AU_POLICY, LEARNER, mode="Review", return_url=None, move_on="Completed", mastery_score=0.5)
    assert launch.launch_data == {
        "contextTemplate": launch.launch_data["contextTemplate"], "launchMode": "Review", "moveOn": "Completed",
        "masteryScore": 0.5, "launchParameters": "edition=certificate"}
    assert launch.launched["context"]["extensions"][EXT_LAUNCH_PARAMETERS] == "edition=certificate"
    kept = lms.launch(AU_READ, LEARNER)  # the AU url's own query is kept beside the cmi5 parameters
    assert parse_qs(urlsplit(kept.url).query)["module"] == ["what-is-ai"]
    assert kept.launched["context"]["extensions"][EXT_LAUNCH_URL] == PACKAGE + "index.html?module=what-is-ai"
    with pytest.raises(ValueError, match="account"):
        lms.launch(AU_READ, {"mbox": "mailto:learner@example.org"})


def test_the_fetch_url_hands_out_its_token_once(lrs: Lrs, lms: Cmi5Lms) -> None:
    launch = lms.launch(AU_READ, LEARNER)
    origin = {"Origin": "http://127.0.0.1:5173"}
    assert httpx.get(launch.fetch_url, headers=origin).status_code == 405  # GET is not allowed (§8.2.1)
    first = httpx.post(launch.fetch_url, headers=origin)
    assert first.status_code == 200 and first.headers["Content-Type"] == "application/json"
    assert first.headers["Access-Control-Allow-Origin"] == origin["Origin"]
    token = first.json()["auth-token"]
    second = httpx.post(launch.fetch_url)
    assert second.status_code == 200 and second.json()["error-code"] == "1"  # §8.2.3
    assert [(c.method, c.status) for c in lms.fetch_calls] == [("GET", 405), ("POST", 200), ("POST", 200)]

    # The token is Basic auth for this session's user (not the admin) and reads LMS.LaunchData.
    username = base64.b64decode(token).decode().split(":")[0]
    assert username == launch.credential.username != lrs.admin.username
    headers = {**VERSION, "Authorization": f"Basic {token}"}
    params = {"activityId": launch.activity_id, "agent": json.dumps(LEARNER), "registration": launch.registration,
              "stateId": LAUNCH_DATA}
    response = httpx.get(lrs.endpoint + "activities/state", params=params, headers=headers)
    assert response.status_code == 200 and response.json()["moveOn"] == "Completed"
    assert [(e["method"], e["path"]) for e in lrs.requests(include_admin=False)] == [("GET", "/xAPI/activities/state")]
    assert lms.launch(AU_READ, LEARNER).credential != launch.credential  # one credential per launch


def test_satisfied_follows_move_on_and_is_written_once(lrs: Lrs, lms: Cmi5Lms) -> None:
    read = lms.launch(AU_READ, LEARNER)
    quiz = lms.launch(AU_QUIZ, LEARNER, registration=read.registration)
    nothing = lms.satisfied(read.registration)
    assert nothing.aus == {AU_READ: False, AU_QUIZ: False, AU_POLICY: True} and not nothing.course
    assert nothing.written == []

    def au_statement(launch, verb: str, cmi5: bool = True) -> dict:
        context = json.loads(json.dumps(launch.launch_data["contextTemplate"]))
        context["registration"] = launch.registration
        if cmi5:
            context["contextActivities"]["category"] = [{"id": CATEGORY_CMI5}]
        return {"actor": LEARNER, "verb": {"id": verb}, "object": {"id": launch.activity_id}, "context": context}

    with lrs.client(read.credential) as au:
        au.post("statements", json=[au_statement(read, VERB_COMPLETED),
                                    au_statement(quiz, VERB_COMPLETED), au_statement(quiz, VERB_PASSED, cmi5=False)])
    partly = lms.satisfied(read.registration)  # a passed without the cmi5 category does not count (§7.1.3)
    assert partly.aus[AU_READ] and not partly.aus[AU_QUIZ] and partly.written == []

    with lrs.client(read.credential) as au:
        au.post("statements", json=au_statement(quiz, VERB_PASSED)).raise_for_status()
    met = lms.satisfied(read.registration)
    assert met.course and met.blocks == {"https://example.org/courses/ai-literacy/block/basics": True}
    block, course = met.written
    assert (block["object"]["definition"]["type"], course["object"]["definition"]["type"]) == (TYPE_BLOCK, TYPE_COURSE)
    assert course["object"]["id"] == lms.course_activity_id() != lms.structure.course_id  # §9.3.9
    assert course["context"]["extensions"][EXT_SESSION] == quiz.session_id  # the triggering session
    assert lms.satisfied(read.registration).written == []  # not twice in a registration
    assert len(lrs.statements(verb=VERB_SATISFIED)) == 2


def test_xapi_launch_query_carries_a_basic_auth_for_the_lrs(lrs: Lrs) -> None:
    registration = str(uuid.uuid4())
    query = {k: v[0] for k, v in parse_qs(xapi_launch_query(lrs, LEARNER, registration, ACTIVITY)).items()}
    assert set(query) == {"endpoint", "auth", "actor", "registration", "activity_id"}
    assert query["endpoint"] == lrs.endpoint and json.loads(query["actor"]) == LEARNER
    assert query["activity_id"] == ACTIVITY and query["registration"] == registration
    response = httpx.get(lrs.endpoint + "statements", headers={**VERSION, "Authorization": query["auth"]})
    assert response.status_code == 200
