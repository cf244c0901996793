"""The statement models (coursepack.xapi) and the rule checkers the LRS tests run on every
statement (xapi_rules, cmi5_rules).

A full cmi5 session written by hand (initialized, pages experienced, one answered statement
per interaction type, completed, passed, terminated) passes both checkers and loads into the
models; then every rule gets at least one statement or session that breaks it, and the test
asserts the rule's name. test_every_rule_has_a_failing_example keeps it that way.
"""

from __future__ import annotations

import copy
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import cmi5_rules
import xapi_rules
from cmi5_rules import check_launch_order, check_session
from coursepack.xapi import formats, vocabulary as v
from coursepack.xapi.statements import parse_statement, statement_problems
from xapi_rules import check_request, check_statement

# ---------------------------------------------------------------- a launch of the example course's AU

COURSE = "https://courses.example.org/ai-literacy-educators"
PUBLISHER_AU = f"{COURSE}/au"  # the AU id in cmi5.xml
AU = "https://lms.example.org/cmi5/au/5b0d6c7e-2f4a-4c1e-9b7d-3e8f0a1c2d4b"  # the LMS's activityId
REGISTRATION = "760e3480-ba55-4991-94b0-01820dbd23a2"
SESSION = "b8f3a1f4-2e0c-4a8b-9d4e-2f6b1c3d5e7f"
ACTOR = {"objectType": "Agent", "name": "Ada Teacher", "account": {"homePage": "https://lms.example.org", "name": "1625378"}}
LAUNCH_DATA = {
    "contextTemplate": {
        "contextActivities": {"grouping": [{"id": PUBLISHER_AU}]},
        "extensions": {v.SESSION_ID_EXT: SESSION},
    },
    "launchMode": "Normal",
    "moveOn": "CompletedAndPassed",
    "masteryScore": 0.8,
    "returnURL": "https://lms.example.org/course/view.php?id=42",
}
START = datetime(2026, 11, 5, 14, 0, tzinfo=timezone.utc)
QUIZ = f"{COURSE}/what-is-ai/check/what-is-ai-quiz"


def _timestamp(seconds: float) -> str:
    return (START + timedelta(seconds=seconds)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def make(verb: str, seconds: float, *, obj: dict | None = None, result: dict | None = None, defined: bool = True,
         moveon: bool = False, parent: str | None = None, extensions: dict | None = None) -> dict:
    """A statement of this launch: the context template, the registration, the cmi5 category
    (and moveon) on cmi5-defined statements, the AU as object unless `obj` is given."""
    context: dict[str, Any] = copy.deepcopy(LAUNCH_DATA["contextTemplate"])
    context["registration"] = REGISTRATION
    if defined:
        context["contextActivities"]["category"] = [{"id": v.CMI5_CATEGORY}] + ([{"id": v.MOVEON_CATEGORY}] if moveon else [])
    if parent:
        context["contextActivities"]["parent"] = [{"id": parent, "objectType": "Activity"}]
    context["extensions"].update(extensions or {})
    stmt = {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{verb}/{seconds}")),
        "actor": copy.deepcopy(ACTOR),
        "verb": {"id": verb, "display": {"en-US": v.VERB_DISPLAY[verb]}},
        "object": obj or {"objectType": "Activity", "id": AU, "definition": {"type": v.COURSE}},
        "context": context,
        "timestamp": _timestamp(seconds),
    }
    if result is not None:
        stmt["result"] = result
    return stmt


def page(module: str, page_id: str, title: str) -> dict:
    return {"objectType": "Activity", "id": f"{COURSE}/{module}/{page_id}",
            "definition": {"type": v.PAGE, "name": {"en-US": title}}}


def question(question_id: str, interaction_type: str, prompt: str, correct: list[str] | None, **components: list) -> dict:
    definition: dict[str, Any] = {"type": v.INTERACTION, "description": {"en-US": prompt}, "interactionType": interaction_type}
    if correct is not None:
        definition["correctResponsesPattern"] = correct
    for name, items in components.items():
        definition[name] = [{"id": item_id, "description": {"en-US": text}} for item_id, text in items]
    return {"objectType": "Activity", "id": f"{QUIZ}/{question_id}", "definition": definition}


# One question of each of the ten interaction types, with a learner's response.
INTERACTIONS: list[tuple[dict, str, bool]] = [
    (question("rule-based", "true-false", "A rule-based spam filter learns from data.", ["false"]), "false", True),
    (question("chatbot-label", "choice", "A chatbot that drafts lesson plans is …", ["general-purpose"],
              choices=[("general-purpose", "general-purpose AI"), ("narrow", "narrow AI"), ("rules", "rule-based")]),
     "general-purpose", True),
    (question("everyday-ml", "choice", "Which of these use machine learning?", ["spam[,]recommendations[,]captions"],
              choices=[("spam", "spam filters"), ("recommendations", "recommendations"), ("captions", "live captions"),
                       ("average", "a class average")]),
     "spam[,]captions", False),
    (question("term", "fill-in", "The data a model learns from is its … data.", ["{case_matters=false}{lang=en}training"]),
     "{lang=en}training", True),
    (question("what-is-ai-reflect", "long-fill-in", "Where did AI show up in your teaching week?", None),
     "{lang=en}Our district's reading app suggested leveled texts, and I used live captions in assemblies.", True),
    (question("match-tools", "matching", "Match each tool to the kind of AI it is.",
              ["spam[.]narrow[,]chatbot[.]generative"],
              source=[("spam", "spam filter"), ("chatbot", "chatbot")],
              target=[("narrow", "narrow AI"), ("generative", "generative AI")]),
     "spam[.]narrow[,]chatbot[.]generative", True),
    (question("pipeline", "sequencing", "Put the steps of training a model in order.", ["collect[,]train[,]evaluate"],
              choices=[("train", "train"), ("collect", "collect data"), ("evaluate", "evaluate")]),
     "collect[,]train[,]evaluate", True),
    (question("confidence", "likert", "How confident are you explaining AI to parents?", None,
              scale=[("1", "not at all"), ("2", "somewhat"), ("3", "very")]),
     "2", True),
    (question("hours", "numeric", "How many hours of professional learning is this course?", ["3[:]4"]), "3.5", True),
    (question("privacy-steps", "performance", "Vet a new AI tool for student data privacy.",
              ["{order_matters=true}policy[.]read[,]contract[.]signed"],
              steps=[("policy", "read the privacy policy"), ("contract", "data privacy agreement")]),
     "policy[.]read[,]contract[.]{lang=en}signed", True),
    (question("map", "other", "Mark your school district on the map.", ["(42.36,-71.06)"]), "(42.36,-71.06)", True),
]


def full_session() -> list[dict]:
    """One Normal-mode session that completes and passes the AU, as the AU sends it."""
    statements = [make(v.INITIALIZED, 0)]
    pages = [("what-is-ai", "defining-ai", "What AI is"), ("what-is-ai", "narrow-and-general", "Narrow and general AI")]
    for number, (module, page_id, title) in enumerate(pages, start=1):
        statements.append(make(v.EXPERIENCED, 60 * number, obj=page(module, page_id, title), defined=False, parent=f"{COURSE}/{module}",
                               result={"extensions": {v.PROGRESS_EXT: 25 * number}}))
    for number, (interaction, response, correct) in enumerate(INTERACTIONS):
        result = {"response": response, "success": correct, "duration": f"PT{20 + number}.5S"}
        statements.append(make(v.ANSWERED, 300 + 30 * number, obj=interaction, defined=False, parent=QUIZ, result=result))
    statements += [
        make(v.COMPLETED, 1000, result={"completion": True, "duration": "PT16M40S"}, moveon=True),
        make(v.PASSED, 1001, result={"success": True, "duration": "PT16M41S", "score": {"scaled": 0.9, "raw": 9, "min": 0, "max": 10}},
             moveon=True, extensions={v.MASTERY_SCORE_EXT: 0.8}),
        make(v.TERMINATED, 1200, result={"duration": "PT20M"}),
    ]
    return statements


def as_stored(stmt: dict) -> dict:
    """The statement as Ralph returns it: stored, its authority and version 1.0.0 added."""
    stored = copy.deepcopy(stmt)
    stored["stored"] = stmt["timestamp"].replace("Z", "+00:00")
    stored["authority"] = {"objectType": "Agent", "name": "ralph", "mbox": "mailto:ralph@example.com"}
    stored["version"] = "1.0.0"
    return stored


def session_rules(statements: list[dict], **kwargs: Any) -> set[str]:
    arguments = {"launch_data": LAUNCH_DATA, "au_activity_id": AU, "registration": REGISTRATION, **kwargs}
    return {violation.rule for violation in check_session(statements, **arguments)}


def find(statements: list[dict], verb: str) -> dict:
    return next(stmt for stmt in statements if stmt["verb"]["id"] == verb)


# ---------------------------------------------------------------- valid statements pass


def test_the_full_session_passes_every_xapi_rule():
    for stmt in full_session():
        assert check_statement(stmt) == [], stmt["verb"]["id"]
        assert check_statement(as_stored(stmt)) == []


def test_the_full_session_passes_every_cmi5_rule():
    assert check_session([as_stored(s) for s in full_session()], launch_data=LAUNCH_DATA, au_activity_id=AU,
                         registration=REGISTRATION, actor=ACTOR) == []


def test_a_session_after_a_failed_one_may_pass_and_complete():
    # §9.3 forbids failed after passed, not passed after failed.
    first = [make(v.INITIALIZED, -900), make(v.FAILED, -800, moveon=True, extensions={v.MASTERY_SCORE_EXT: 0.8},
                                             result={"success": False, "duration": "PT1M40S", "score": {"scaled": 0.5}}),
             make(v.TERMINATED, -700, result={"duration": "PT3M20S"})]
    assert session_rules(first) == set()
    assert session_rules(full_session(), earlier=first) == set()


def test_a_browse_session_without_completion_statements_passes():
    browse = {**LAUNCH_DATA, "launchMode": "Browse"}
    statements = [s for s in full_session() if s["verb"]["id"] not in (v.COMPLETED, v.PASSED)]
    assert session_rules(statements, launch_data=browse) == set()


def test_the_lms_own_statements_are_left_out():
    launched = make(v.LAUNCHED, -5)
    assert session_rules([launched] + full_session()) == set()


def test_order_is_by_timestamp_not_by_arrival():
    statements = full_session()
    statements.insert(0, statements.pop(3))  # an answer stored first, timestamped after initialized
    assert session_rules(statements) == set()


# ---------------------------------------------------------------- the models


def test_the_models_load_every_statement_and_dump_it_back_unchanged():
    for stmt in full_session():
        for form in (stmt, as_stored(stmt)):
            assert statement_problems(form) == []
            assert parse_statement(form).model_dump(exclude_none=True, by_alias=True) == form


SPEC_EXAMPLE = {  # xAPI Data Appendix A's long statement, as an LRS returns it (trimmed)
    "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee",
    "actor": {"name": "Team PB", "mbox": "mailto:teampb@example.com", "objectType": "Group", "member": [
        {"name": "Andrew Downes", "account": {"homePage": "http://www.example.com", "name": "13936749"}, "objectType": "Agent"},
        {"name": "Toby Nichols", "openid": "http://toby.openid.example.org/", "objectType": "Agent"},
        {"name": "Ena Hills", "mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9", "objectType": "Agent"}]},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/attended", "display": {"en-GB": "attended", "en-US": "attended"}},
    "result": {"extensions": {"http://example.com/profiles/meetings/resultextensions/minuteslocation": "X:\\meetings\\one"},
               "success": True, "completion": True, "response": "We agreed on some example actions.", "duration": "PT1H0M0S"},
    "context": {"registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
                "contextActivities": {"parent": [{"id": "http://www.example.com/meetings/series/267", "objectType": "Activity"}]},
                "instructor": {"name": "Andrew Downes", "account": {"homePage": "http://www.example.com", "name": "13936749"},
                               "objectType": "Agent"},
                "team": {"name": "Team PB", "mbox": "mailto:teampb@example.com", "objectType": "Group"},
                "platform": "Example virtual meeting software", "language": "tlh",
                "statement": {"objectType": "StatementRef", "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"}},
    "timestamp": "2013-05-18T05:32:34.804+00:00",
    "stored": "2013-05-18T05:32:34.804+00:00",
    "authority": {"account": {"homePage": "http://cloud.scorm.com/", "name": "anonymous"}, "objectType": "Agent"},
    "version": "1.0.0",
    "object": {"id": "http://www.example.com/meetings/occurances/34534", "objectType": "Activity",
               "definition": {"type": "http://adlnet.gov/expapi/activities/meeting", "moreInfo": "http://virtualmeeting.example.com/345256",
                              "name": {"en-GB": "example meeting", "en-US": "example meeting"}}},
}


def test_the_spec_example_statement_loads_and_passes():
    assert statement_problems(SPEC_EXAMPLE) == []
    assert parse_statement(SPEC_EXAMPLE).model_dump(exclude_none=True, by_alias=True) == SPEC_EXAMPLE
    assert check_statement(SPEC_EXAMPLE) == []


def test_reading_is_lenient_where_readers_must_be():
    stmt = make(v.EXPERIENCED, 5, obj=page("what-is-ai", "myths", "Myths"), defined=False)
    stmt["context"]["contextActivities"]["grouping"] = {"id": PUBLISHER_AU}  # single object (0.95 style)
    stmt["context"]["contextAgents"] = [{"objectType": "contextAgent", "agent": ACTOR}]  # an xAPI 2.0 property
    stmt["object"]["objectType"] = "Activity"
    dumped = parse_statement(stmt).model_dump(exclude_none=True, by_alias=True)
    assert dumped["context"]["contextActivities"]["grouping"] == [{"id": PUBLISHER_AU}]
    assert dumped["context"]["contextAgents"] == stmt["context"]["contextAgents"]
    assert parse_statement({**stmt, "object": {"id": f"{COURSE}/x"}}).object.object_type is None  # objectType optional


def _keys(path: str | tuple) -> tuple:
    """"result.score.raw", or a tuple where a key (an IRI) has dots of its own."""
    return tuple(path.split(".")) if isinstance(path, str) else path


def _without(data: dict, dotted: str | tuple) -> dict:
    data = copy.deepcopy(data)
    *parents, last = _keys(dotted)
    target = data
    for key in parents:
        target = target[key]
    del target[last]
    return data


def _with(data: dict, dotted: str | tuple, value: Any) -> dict:
    data = copy.deepcopy(data)
    *parents, last = _keys(dotted)
    target = data
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target.setdefault(key, {})
    target[last] = value
    return data


PASSED_STATEMENT = full_session()[-2]
CHOICE_ANSWER = full_session()[4]
AGENT_OBJECT = {"objectType": "Agent", "mbox": "mailto:mentor@example.org"}

MODEL_REJECTS = {
    "two IFIs": _with(PASSED_STATEMENT, "actor.mbox", "mailto:ada@example.org"),
    "no IFI": _with(PASSED_STATEMENT, "actor", {"name": "Ada"}),
    "mbox without mailto:": _with(PASSED_STATEMENT, "actor", {"mbox": "ada@example.org"}),
    "short mbox_sha1sum": _with(PASSED_STATEMENT, "actor", {"mbox_sha1sum": "ebd31e95"}),
    "account without homePage": _with(PASSED_STATEMENT, "actor.account", {"name": "1625378"}),
    "anonymous group without members": _with(PASSED_STATEMENT, "actor", {"objectType": "Group", "name": "Team"}),
    "group in a group": _with(PASSED_STATEMENT, "actor",
                              {"objectType": "Group", "member": [{"objectType": "Group", "mbox": "mailto:t@x.org"}]}),
    "statement id": _with(PASSED_STATEMENT, "id", "not-a-uuid"),
    "verb id": _with(PASSED_STATEMENT, "verb.id", "passed"),
    "relative activity id": _with(PASSED_STATEMENT, "object.id", "/au/1"),
    "agent object without objectType": _with(PASSED_STATEMENT, "object", {"mbox": "mailto:mentor@example.org"}),
    "scaled above 1": _with(PASSED_STATEMENT, "result.score.scaled", 1.5),
    "scaled as a string": _with(PASSED_STATEMENT, "result.score.scaled", "0.9"),
    "raw above max": _with(PASSED_STATEMENT, "result.score.raw", 11),
    "min not below max": _with(PASSED_STATEMENT, "result.score.min", 10),
    "success as a string": _with(PASSED_STATEMENT, "result.success", "true"),
    "duration": _with(PASSED_STATEMENT, "result.duration", "16 minutes"),
    "extension key": _with(PASSED_STATEMENT, "result.extensions", {"progress": 100}),
    "timestamp without zone": _with(PASSED_STATEMENT, "timestamp", "2026-11-05T14:16:41"),
    "timestamp not a time": _with(PASSED_STATEMENT, "timestamp", "yesterday-ish"),
    "version 2.0.0": _with(PASSED_STATEMENT, "version", "2.0.0"),
    "language map key": _with(PASSED_STATEMENT, "verb.display", {"English (US)": "passed"}),
    "registration": _with(PASSED_STATEMENT, "context.registration", "reg-1"),
    "unknown contextActivities key": _with(PASSED_STATEMENT, "context.contextActivities.parents", [{"id": COURSE}]),
    "null value": _with(PASSED_STATEMENT, "result.response", None),
    "missing verb": _without(PASSED_STATEMENT, "verb"),
    "unknown interactionType": _with(CHOICE_ANSWER, "object.definition.interactionType", "multiple-choice"),
    "component list the type lacks": _with(CHOICE_ANSWER, "object.definition.scale", [{"id": "1"}]),
    "duplicate component ids": _with(CHOICE_ANSWER, "object.definition.choices", [{"id": "a"}, {"id": "a"}]),
    "substatement with an id": _with(PASSED_STATEMENT, "object", {"objectType": "SubStatement", "id": REGISTRATION,
                                                                  "actor": ACTOR, "verb": {"id": v.PASSED}, "object": {"id": AU}}),
    "nested substatement": _with(PASSED_STATEMENT, "object", {"objectType": "SubStatement", "actor": ACTOR, "verb": {"id": v.PASSED},
                                                              "object": {"objectType": "SubStatement", "actor": ACTOR,
                                                                         "verb": {"id": v.PASSED}, "object": {"id": AU}}}),
    "platform with an agent object": _with(_with(PASSED_STATEMENT, "object", AGENT_OBJECT), "context.platform", "web"),
}


@pytest.mark.parametrize("case", sorted(MODEL_REJECTS))
def test_the_models_reject(case):
    assert statement_problems(MODEL_REJECTS[case]) != []
    with pytest.raises(ValueError):  # pydantic's ValidationError is a ValueError
        parse_statement(MODEL_REJECTS[case])


def test_statement_problems_name_the_path():
    problems = statement_problems(_with(PASSED_STATEMENT, "result.score.scaled", 1.5))
    assert problems == ["result.score.scaled: Input should be less than or equal to 1"]


# ---------------------------------------------------------------- each xAPI rule, broken

X = xapi_rules
XAPI_CASES: list[tuple[str, dict]] = [
    (X.REQUIRED, _without(PASSED_STATEMENT, "verb")),
    (X.NO_NULLS, _with(PASSED_STATEMENT, "result.response", None)),
    (X.NO_EXTRA, _with(PASSED_STATEMENT, "context.contextAgents", [{"objectType": "contextAgent", "agent": ACTOR}])),
    (X.JSON_TYPES, _with(PASSED_STATEMENT, "result.success", "true")),
    (X.JSON_TYPES, _with(PASSED_STATEMENT, "result.score.scaled", "0.9")),
    (X.STATEMENT_ID, _with(PASSED_STATEMENT, "id", "statement-1")),
    (X.AGENT_IFI, _with(PASSED_STATEMENT, "actor.mbox", "mailto:ada@example.org")),
    (X.AGENT_IFI, _with(PASSED_STATEMENT, "actor", {"name": "Ada"})),
    (X.GROUP, _with(PASSED_STATEMENT, "actor", {"objectType": "Group", "name": "Team"})),
    (X.GROUP, _with(PASSED_STATEMENT, "actor", {"objectType": "Group", "member": [{"objectType": "Group", "mbox": "mailto:t@x.org"}]})),
    (X.MBOX, _with(PASSED_STATEMENT, "actor", {"mbox": "ada@example.org"})),
    (X.MBOX_SHA1, _with(PASSED_STATEMENT, "actor", {"mbox_sha1sum": "ebd31e95"})),
    (X.OPENID, _with(PASSED_STATEMENT, "actor", {"openid": "toby openid"})),
    (X.ACCOUNT, _with(PASSED_STATEMENT, "actor.account", {"name": "1625378"})),
    (X.ACCOUNT, _with(PASSED_STATEMENT, "actor.account.homePage", "lms.example.org")),
    (X.VERB_ID, _with(PASSED_STATEMENT, "verb.id", "passed")),
    (X.OBJECT_TYPE, _with(PASSED_STATEMENT, "object.objectType", "Course")),
    (X.ACTIVITY_ID, _with(PASSED_STATEMENT, "object.id", "au-1")),
    (X.ACTIVITY_TYPE, _with(PASSED_STATEMENT, "object.definition.type", "course")),
    (X.MORE_INFO, _with(PASSED_STATEMENT, "object.definition.moreInfo", "/about.html")),
    (X.INTERACTION_TYPE, _with(CHOICE_ANSWER, "object.definition.interactionType", "multiple-choice")),
    (X.INTERACTION_TYPE, _without(CHOICE_ANSWER, "object.definition.interactionType")),
    (X.INTERACTION_ACTIVITY_TYPE, _with(CHOICE_ANSWER, "object.definition.type", v.ASSESSMENT)),
    (X.COMPONENT_LIST, _with(CHOICE_ANSWER, "object.definition.scale", [{"id": "1"}])),
    (X.COMPONENT_IDS, _with(CHOICE_ANSWER, "object.definition.choices", [{"id": "general-purpose"}, {"id": "general-purpose"}])),
    (X.CORRECT_RESPONSES, _with(CHOICE_ANSWER, "object.definition.correctResponsesPattern", "general-purpose")),
    (X.PATTERN_FORMAT, _with(CHOICE_ANSWER, "result.response", "general-purpose[,]")),
    (X.PATTERN_FORMAT, _with(full_session()[3], "result.response", "yes")),  # true-false
    (X.PATTERN_FORMAT, _with(full_session()[8], "result.response", "spam-narrow")),  # matching
    (X.PATTERN_FORMAT, _with(full_session()[10], "result.response", "2[,]3")),  # likert
    (X.PATTERN_FORMAT, _with(full_session()[11], "object.definition.correctResponsesPattern", ["4[:]3"])),  # numeric
    (X.PATTERN_FORMAT, _with(full_session()[12], "result.response", "policy read")),  # performance
    (X.PATTERN_PARAMETERS, _with(CHOICE_ANSWER, "object.definition.correctResponsesPattern", ["{case_matters=true}general-purpose"])),
    (X.PATTERN_PARAMETERS, _with(full_session()[6], "result.response", "{case_matters=yes}training")),  # fill-in
    (X.PATTERN_PARAMETERS, _with(full_session()[6], "result.response", "{lang=en_GB}training")),
    (X.PATTERN_COMPONENTS, _with(CHOICE_ANSWER, "result.response", "agi")),
    (X.PATTERN_COMPONENTS, _with(full_session()[9], "object.definition.correctResponsesPattern", ["collect[,]deploy"])),  # sequencing
    (X.AGENT_OBJECT, _with(PASSED_STATEMENT, "object", {"mbox": "mailto:mentor@example.org"})),
    (X.STATEMENT_REF, _with(PASSED_STATEMENT, "object", {"objectType": "StatementRef", "id": "42"})),
    (X.SUBSTATEMENT, _with(PASSED_STATEMENT, "object", {"objectType": "SubStatement", "id": REGISTRATION, "actor": ACTOR,
                                                        "verb": {"id": v.PASSED}, "object": {"id": AU}})),
    (X.SUBSTATEMENT, _with(PASSED_STATEMENT, "object", {"objectType": "SubStatement", "actor": ACTOR, "verb": {"id": v.PASSED},
                                                        "object": {"objectType": "SubStatement", "actor": ACTOR,
                                                                   "verb": {"id": v.PASSED}, "object": {"id": AU}}})),
    (X.SCORE_SCALED, _with(PASSED_STATEMENT, "result.score.scaled", 5)),
    (X.SCORE_MIN_MAX, _with(PASSED_STATEMENT, "result.score.min", 10)),
    (X.SCORE_RAW, _with(PASSED_STATEMENT, "result.score.raw", 11)),
    (X.DURATION, _with(PASSED_STATEMENT, "result.duration", "16:41")),
    (X.DURATION, _with(PASSED_STATEMENT, "result.duration", "PT")),
    (X.REGISTRATION, _with(PASSED_STATEMENT, "context.registration", "registration-1")),
    (X.REVISION_PLATFORM, _with(_with(PASSED_STATEMENT, "object", AGENT_OBJECT), "context.revision", "2")),
    (X.CONTEXT_LANGUAGE, _with(PASSED_STATEMENT, "context.language", "en US")),
    (X.CONTEXT_STATEMENT, _with(PASSED_STATEMENT, "context.statement", {"id": REGISTRATION})),
    (X.CONTEXT_ACTIVITIES_KEYS, _with(PASSED_STATEMENT, "context.contextActivities.parents", [{"id": COURSE}])),
    (X.CONTEXT_ACTIVITIES_ARRAYS, _with(PASSED_STATEMENT, "context.contextActivities.grouping", {"id": PUBLISHER_AU})),
    (X.TIMESTAMP, _with(PASSED_STATEMENT, "timestamp", "yesterday-ish")),
    (X.TIMESTAMP, _with(PASSED_STATEMENT, "timestamp", "2026-11-05T14:16:41")),
    (X.FUTURE_TIMESTAMP, _with(PASSED_STATEMENT, "timestamp", "2999-01-01T00:00:00Z")),
    (X.VERSION, _with(PASSED_STATEMENT, "version", "2.0.0")),
    (X.PROVIDER_VERSION, _with(PASSED_STATEMENT, "version", "1.0.3")),
    (X.ATTACHMENT, _with(PASSED_STATEMENT, "attachments", [{"usageType": "http://id.tincanapi.com/attachment/certificate-of-completion",
                                                            "display": {"en-US": "Certificate"}, "contentType": "application/pdf",
                                                            "length": 1024}])),
    (X.EXTENSION_KEYS, _with(PASSED_STATEMENT, "result.extensions", {"progress": 100})),
    (X.LANGUAGE_MAP, _with(PASSED_STATEMENT, "verb.display", {"en_US": "passed"})),
]


@pytest.mark.parametrize(("rule", "stmt"), XAPI_CASES, ids=[f"{n}:{rule}" for n, (rule, _) in enumerate(XAPI_CASES)])
def test_each_xapi_rule_catches_its_violation(rule, stmt):
    found = check_statement(stmt)
    assert rule in {violation.rule for violation in found}, found


def test_a_violation_names_rule_path_and_value():
    [violation] = check_statement(_with(PASSED_STATEMENT, "result.duration", "16:41"))
    assert (violation.rule, violation.path) == (X.DURATION, "result.duration")
    assert "16:41" in violation.message


def test_the_version_header_on_every_request():
    assert check_request("POST", {"x-experience-api-version": "1.0.3", "Content-Type": "application/json"}) == []
    assert check_request("OPTIONS", {}) == []  # a CORS preflight carries no custom headers
    assert [x.rule for x in check_request("GET", {})] == [X.VERSION_HEADER_PRESENT]
    assert [x.rule for x in check_request("PUT", {"X-Experience-API-Version": "1.0.0"})] == [X.VERSION_HEADER_VALUE]


# ---------------------------------------------------------------- each cmi5 rule, broken


def _session_with(verb: str, dotted: str | tuple, value: Any) -> list[dict]:
    statements = full_session()
    index = statements.index(find(statements, verb))
    statements[index] = _with(statements[index], dotted, value)
    return statements


def _session_without(verb: str, dotted: str | tuple | None = None) -> list[dict]:
    statements = full_session()
    index = statements.index(find(statements, verb))
    if dotted is None:
        del statements[index]
    else:
        statements[index] = _without(statements[index], dotted)
    return statements


def _failed_instead_of_passed(scaled: float) -> list[dict]:
    statements = _session_with(v.PASSED, "verb.id", v.FAILED)
    failed = find(statements, v.FAILED)
    failed["result"].update(success=False, score={"scaled": scaled})
    return statements


C = cmi5_rules
EARLIER_COMPLETED = [make(v.INITIALIZED, -900), make(v.COMPLETED, -800, result={"completion": True, "duration": "PT2M"}, moveon=True),
                     make(v.TERMINATED, -700, result={"duration": "PT3M"})]
EARLIER_PASSED = [make(v.INITIALIZED, -900), dict(PASSED_STATEMENT, timestamp=_timestamp(-800)),
                  make(v.TERMINATED, -700, result={"duration": "PT3M"})]
PAGE = page("what-is-ai", "myths", "Myths")
CMI5_CASES: list[tuple[str, list[dict], dict]] = [
    (C.FIRST_INITIALIZED, _session_without(v.INITIALIZED), {}),
    (C.FIRST_INITIALIZED, [], {}),
    (C.LAST_TERMINATED, _session_without(v.TERMINATED), {}),
    (C.NOTHING_AFTER_TERMINATED, full_session() + [make(v.EXPERIENCED, 1300, obj=PAGE, defined=False)], {}),
    (C.ALLOWED_BETWEEN, [make(v.EXPERIENCED, -10, obj=PAGE, defined=False)] + full_session(), {}),
    (C.DUPLICATE_VERB, full_session()[:1] + [make(v.INITIALIZED, 1)] + full_session()[1:], {}),
    (C.PASSED_OR_FAILED, _failed_instead_of_passed(0.5)[:-1] + [full_session()[-2], full_session()[-1]], {}),
    (C.COMPLETED_ONCE, full_session(), {"earlier": EARLIER_COMPLETED}),
    (C.PASSED_ONCE, full_session(), {"earlier": EARLIER_PASSED}),
    (C.FAILED_AFTER_PASSED, _failed_instead_of_passed(0.5), {"earlier": EARLIER_PASSED}),
    (C.CATEGORY, _session_with(v.COMPLETED, "context.contextActivities.category", [{"id": v.MOVEON_CATEGORY}]), {}),
    (C.CATEGORY_VERB, _session_with(v.EXPERIENCED, "context.contextActivities.category", [{"id": v.CMI5_CATEGORY}]), {}),
    (C.ACTOR, _session_with(v.INITIALIZED, "actor", {"objectType": "Agent", "mbox": "mailto:ada@example.org"}), {}),
    (C.LAUNCH_ACTOR, _session_with(v.ANSWERED, "actor.account.name", "someone-else"), {"actor": ACTOR}),
    (C.OBJECT, _session_with(v.PASSED, "object.id", PUBLISHER_AU), {}),
    (C.REGISTRATION, _session_with(v.COMPLETED, "context.registration", "11111111-2222-3333-4444-555555555555"), {}),
    (C.REGISTRATION, _session_without(v.COMPLETED, "context.registration"), {}),
    (C.TEMPLATE, _session_with(v.ANSWERED, "context.contextActivities.grouping", [{"id": AU}, {"id": PUBLISHER_AU}]), {}),
    (C.TEMPLATE, full_session(), {"launch_data": {**LAUNCH_DATA, "contextTemplate": {
        **LAUNCH_DATA["contextTemplate"], "extensions": {v.SESSION_ID_EXT: SESSION, "https://lms.example.org/ext/tenant": "district-7"}}}}),
    (C.SESSION_ID, _session_without(v.EXPERIENCED, ("context", "extensions", v.SESSION_ID_EXT)), {}),
    (C.SESSION_ID, _session_with(v.TERMINATED, "context.extensions", {v.SESSION_ID_EXT: "another-session"}), {}),
    (C.SCORE_VERBS, _session_with(v.COMPLETED, "result.score", {"scaled": 1.0}), {}),
    (C.SCORE_VERBS, _session_with(v.TERMINATED, "result.score", {"scaled": 0.9}), {}),  # the @xapi/cmi5 defect
    (C.SCORE_FORMAT, _session_with(v.PASSED, "result.score", {"scaled": 0.9, "raw": 9}), {}),
    (C.SCORE_FORMAT, _session_with(v.PASSED, "result.score", {"scaled": 0.9, "raw": 9.5, "min": 0, "max": 10}), {}),
    (C.SCORE_FORMAT, _failed_instead_of_passed(-0.5), {}),
    (C.SUCCESS, _session_with(v.PASSED, "result.success", False), {}),
    (C.SUCCESS, _session_with(v.COMPLETED, "result.success", True), {}),
    (C.COMPLETION, _session_with(v.COMPLETED, "result.completion", False), {}),
    (C.COMPLETION, _session_with(v.PASSED, "result.completion", True), {}),
    (C.DURATION, _session_without(v.TERMINATED, "result.duration"), {}),
    (C.DURATION, _session_without(v.PASSED, "result.duration"), {}),
    (C.PROGRESS_RANGE, _session_with(v.EXPERIENCED, "result.extensions", {v.PROGRESS_EXT: 150}), {}),
    (C.PROGRESS_RANGE, _session_with(v.EXPERIENCED, "result.extensions", {v.PROGRESS_EXT: 50.5}), {}),
    (C.PROGRESS_AFTER_COMPLETED, _session_with(v.COMPLETED, "result.extensions", {v.PROGRESS_EXT: 100}), {}),
    (C.PROGRESS_AFTER_COMPLETED, full_session()[:-1] + [make(v.EXPERIENCED, 1100, obj=PAGE, defined=False,
                                                              result={"extensions": {v.PROGRESS_EXT: 100}}), full_session()[-1]], {}),
    (C.MOVEON, _session_with(v.COMPLETED, "context.contextActivities.category", [{"id": v.CMI5_CATEGORY}]), {}),
    (C.MOVEON, _session_with(v.INITIALIZED, "context.contextActivities.category",
                             [{"id": v.CMI5_CATEGORY}, {"id": v.MOVEON_CATEGORY}]), {}),
    (C.MOVEON, _session_with(v.ANSWERED, "context.contextActivities.category", [{"id": v.MOVEON_CATEGORY}]), {}),
    (C.MASTERY_EXTENSION, _session_without(v.PASSED, ("context", "extensions", v.MASTERY_SCORE_EXT)), {}),
    (C.MASTERY_EXTENSION, _session_with(v.PASSED, ("context", "extensions", v.MASTERY_SCORE_EXT), 0.7), {}),
    (C.PASSED_MASTERY, _session_with(v.PASSED, "result.score.scaled", 0.7), {}),
    (C.FAILED_MASTERY, _failed_instead_of_passed(0.85), {}),
    (C.MASTERY_JUDGED, _session_without(v.PASSED, "result.score"), {}),
    (C.LAUNCH_MODE, full_session(), {"launch_data": {**LAUNCH_DATA, "launchMode": "Review"}}),
    (C.TIMESTAMP_UTC, _session_with(v.ANSWERED, "timestamp", "2026-11-05T16:05:00.000+02:00"), {}),
]


@pytest.mark.parametrize(("rule", "statements", "kwargs"), CMI5_CASES,
                         ids=[f"{n}:{rule}" for n, (rule, _, _) in enumerate(CMI5_CASES)])
def test_each_cmi5_rule_catches_its_violation(rule, statements, kwargs):
    assert rule in session_rules(statements, **kwargs)


def test_a_cmi5_violation_points_at_the_statement():
    statements = _session_with(v.TERMINATED, "result.score", {"scaled": 0.9})
    [violation] = check_session(statements, launch_data=LAUNCH_DATA, au_activity_id=AU, registration=REGISTRATION)
    assert violation.path == f"statements[{len(statements) - 1}].result.score"


# ---------------------------------------------------------------- the launch sequence


def _request(method: str, path: str, time: float, status: int = 200, **query: str) -> dict:
    return {"method": method, "path": path, "query": query, "status": status, "time": time}


AGENT_QUERY = '{"objectType":"Agent","account":{"homePage":"https://lms.example.org","name":"1625378"}}'
LMS_PUT = _request("PUT", "/xAPI/activities/state", 0.0, 204, stateId=v.LAUNCH_DATA_STATE_ID, activityId=AU, agent=AGENT_QUERY)
FETCH = _request("POST", "/lms/fetch", 1.0)
READ_LAUNCH_DATA = _request("GET", "/xAPI/activities/state", 1.1, stateId=v.LAUNCH_DATA_STATE_ID, activityId=AU,
                            agent=AGENT_QUERY, registration=REGISTRATION)
READ_PREFERENCES = _request("GET", "/xAPI/agents/profile", 1.2, 404, profileId=v.LEARNER_PREFERENCES_PROFILE_ID, agent=AGENT_QUERY)
FIRST_STATEMENT = _request("PUT", "/xAPI/statements", 1.3, 204, statementId=full_session()[0]["id"])
GOOD_LOG = [LMS_PUT, _request("POST", "/xAPI/statements", 0.5), FETCH, READ_LAUNCH_DATA, READ_PREFERENCES, FIRST_STATEMENT,
            _request("POST", "/xAPI/statements", 2.0)]


def test_a_launch_that_reads_launch_data_and_preferences_first_passes():
    assert check_launch_order(GOOD_LOG, fetch_path="/lms/fetch") == []
    assert check_launch_order(GOOD_LOG[3:]) == []  # no fetch in the log: all of it is the AU's
    query_strings = [{**entry, "query": "&".join(f"{k}={x}" for k, x in entry["query"].items())} for entry in GOOD_LOG[3:]]
    assert check_launch_order(query_strings) == []


LAUNCH_CASES = [
    (C.LAUNCH_DATA_READ, [FETCH, READ_PREFERENCES, FIRST_STATEMENT, {**READ_LAUNCH_DATA, "time": 2.0}]),
    (C.LAUNCH_DATA_READ, [FETCH, {**READ_LAUNCH_DATA, "status": 404}, READ_PREFERENCES, FIRST_STATEMENT]),
    (C.PREFERENCES_READ, [FETCH, READ_LAUNCH_DATA, FIRST_STATEMENT]),
    (C.LAUNCH_DATA_KEPT, GOOD_LOG + [{**LMS_PUT, "time": 3.0}]),
    (C.FETCH_ONCE, GOOD_LOG + [{**FETCH, "time": 3.0}]),
    (C.FETCH_ONCE, [{**FETCH, "method": "GET"}] + GOOD_LOG[3:]),
    (C.STATEMENT_SENT, [FETCH, READ_LAUNCH_DATA, READ_PREFERENCES]),
]


@pytest.mark.parametrize(("rule", "log"), LAUNCH_CASES, ids=[f"{n}:{rule}" for n, (rule, _) in enumerate(LAUNCH_CASES)])
def test_each_launch_rule_catches_its_violation(rule, log):
    assert rule in {violation.rule for violation in check_launch_order(log, fetch_path="/lms/fetch")}


# ---------------------------------------------------------------- formats, and coverage of the rules


@pytest.mark.parametrize(("duration", "seconds"), [("PT4H35M59.14S", 16559.14), ("P1DT2H", 93600), ("P4W", 2419200), ("PT0.5S", 0.5)])
def test_durations_parse_to_seconds(duration, seconds):
    assert formats.parse_duration(duration) == pytest.approx(seconds)


@pytest.mark.parametrize("duration", ["P", "PT", "P4W1D", "PT1.5H2M", "PT01:02:03", "16:41", "P16559.14S"])
def test_durations_outside_iso_8601_section_4_4_3_2_are_refused(duration):
    with pytest.raises(ValueError):
        formats.parse_duration(duration)


@pytest.mark.parametrize(("tag", "valid"), [("en", True), ("en-US", True), ("es-419", True), ("zh-Hant-TW", True),
                                            ("tlh", True), ("de-CH-1901", True), ("i-klingon", True), ("x-private", True),
                                            ("en_US", False), ("English (US)", False), ("en--US", False), ("123", False),
                                            ("e", False), ("", False)])
def test_language_tags_follow_rfc_5646(tag, valid):
    assert formats.is_language_tag(tag) is valid


@pytest.mark.parametrize(("iri", "valid"), [("http://adlnet.gov/expapi/verbs/passed", True), ("urn:uuid:" + REGISTRATION, True),
                                            ("https://w3id.org/xapi/cmi5/context/categories/cmi5", True), ("passed", False),
                                            ("/au/1", False), ("http://", False), ("http://a b/c", False), ("http:x", False)])
def test_iris_are_absolute(iri, valid):
    assert formats.is_absolute_iri(iri) is valid


HEADER_RULES = [X.VERSION_HEADER_PRESENT, X.VERSION_HEADER_VALUE]  # test_the_version_header_on_every_request


@pytest.mark.parametrize(("module", "cases"), [(xapi_rules, [rule for rule, _ in XAPI_CASES] + HEADER_RULES),
                                               (cmi5_rules, [rule for rule, _, _ in CMI5_CASES] + [rule for rule, _ in LAUNCH_CASES])])
def test_every_rule_has_a_failing_example(module, cases):
    rules = {value for name, value in vars(module).items() if name.isupper() and isinstance(value, str)
             and value.startswith(("xAPI ", "cmi5 "))}
    assert rules - set(cases) == set()
