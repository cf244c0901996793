"""The xAPI 1.0.3 rules the test LRS (Ralph) does not enforce, checked on every statement.

Ralph stores bad IRIs, bad timestamps and out-of-range scores as sent (notes/lrs-ralph.md §5),
so tests pass every statement the runtime sent through `check_statement` and every request
through `check_request`. Each Violation names the requirement it breaks, with its section of
xAPI 1.0.3 (Data = Part Two, Communication = Part Three), the JSON path and what was found.
The string formats come from coursepack.xapi.formats; only the walking is here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from coursepack.xapi import formats
from coursepack.xapi.vocabulary import (
    COMPONENT_LISTS,
    COMPONENT_LISTS_BY_TYPE,
    INTERACTION,
    INTERACTION_TYPES,
    STATEMENT_VERSION,
    VERSION_HEADER,
    XAPI_VERSION,
)


@dataclass(frozen=True)
class Violation:
    rule: str  # the requirement, with its section: "xAPI Data 4.6 duration ISO 8601"
    path: str  # where in the statement (or session, or request log): "result.duration"
    message: str  # what was found

    def __str__(self) -> str:
        return f"{self.rule} at {self.path or '(statement)'}: {self.message}"


REQUIRED = "xAPI Data 2.2 actor, verb and object present"
NO_NULLS = "xAPI Data 2.2 no null values outside extensions"
NO_EXTRA = "xAPI Data 2.2 no properties the spec does not define (SHOULD* NOT)"
JSON_TYPES = "xAPI Data 2.2 strings, numbers, booleans and objects where the spec says"
STATEMENT_ID = "xAPI Data 2.4.1 statement id is a UUID"
AGENT_IFI = "xAPI Data 2.4.2.1 Agent has exactly one IFI"
GROUP = "xAPI Data 2.4.2.2 Group: one IFI or listed members, members are Agents"
MBOX = "xAPI Data 2.4.2.3 mbox is a mailto IRI"
MBOX_SHA1 = "xAPI Data 2.4.2.3 mbox_sha1sum is 40 hex digits"
OPENID = "xAPI Data 2.4.2.3 openid is a URI"
ACCOUNT = "xAPI Data 2.4.2.4 account has a homePage IRL and a name"
VERB_ID = "xAPI Data 2.4.3 verb id is an absolute IRI"
OBJECT_TYPE = "xAPI Data 2.4.4 objectType is Activity, Agent, Group, SubStatement or StatementRef"
ACTIVITY_ID = "xAPI Data 2.4.4.1 activity id is an absolute IRI"
ACTIVITY_TYPE = "xAPI Data 2.4.4.1 activity type is an absolute IRI"
MORE_INFO = "xAPI Data 2.4.4.1 moreInfo is an IRL"
INTERACTION_TYPE = "xAPI Data 2.4.4.1 interactionType is one of the ten types"
INTERACTION_ACTIVITY_TYPE = "xAPI Data 2.4.4.1 interaction activities have type cmi.interaction (SHOULD)"
COMPONENT_LIST = "xAPI Data 2.4.4.1 only the component lists the interactionType supports"
COMPONENT_IDS = "xAPI Data 2.4.4.1 component ids distinct within a list"
CORRECT_RESPONSES = "xAPI Data 2.4.4.1 correctResponsesPattern is an array of strings"
PATTERN_FORMAT = "xAPI Data 2.4.4.1 response pattern in the format of the interactionType"
PATTERN_PARAMETERS = "xAPI Data 2.4.4.1 characterstring parameters the interactionType allows"
PATTERN_COMPONENTS = "xAPI Data 2.4.4.1 response pattern uses the definition's component ids"
AGENT_OBJECT = "xAPI Data 2.4.4.2 Agent or Group as object states objectType"
STATEMENT_REF = "xAPI Data 2.4.4.3 StatementRef id is a UUID"
SUBSTATEMENT = "xAPI Data 2.4.4.3 SubStatement has no id, stored, version, authority or SubStatement"
SCORE_SCALED = "xAPI Data 2.4.5.1 score.scaled within -1..1"
SCORE_MIN_MAX = "xAPI Data 2.4.5.1 score.min less than score.max"
SCORE_RAW = "xAPI Data 2.4.5.1 score.raw within min..max"
DURATION = "xAPI Data 4.6 duration ISO 8601"
REGISTRATION = "xAPI Data 2.4.6 context.registration is a UUID"
REVISION_PLATFORM = "xAPI Data 2.4.6 revision and platform only with an Activity object"
CONTEXT_LANGUAGE = "xAPI Data 2.4.6 context.language is an RFC 5646 tag"
CONTEXT_STATEMENT = "xAPI Data 2.4.6 context.statement is a StatementRef"
CONTEXT_ACTIVITIES_KEYS = "xAPI Data 2.4.6.2 contextActivities keys are parent, grouping, category, other"
CONTEXT_ACTIVITIES_ARRAYS = "xAPI Data 2.4.6.2 contextActivities values are arrays of Activities (SHOULD)"
TIMESTAMP = "xAPI Data 4.5 timestamp ISO 8601 (MUST) with a time zone (SHOULD*)"
FUTURE_TIMESTAMP = "xAPI Data 2.4.7 timestamp not in the future"
VERSION = "xAPI Data 2.4.10 version is 1.0.x"
PROVIDER_VERSION = "xAPI Data 2.4.10 a provider that sets version sets 1.0.0"
ATTACHMENT = "xAPI Data 2.4.11 attachment properties"
EXTENSION_KEYS = "xAPI Data 4.1 extension keys are absolute IRIs"
LANGUAGE_MAP = "xAPI Data 4.2 language map keys are RFC 5646 tags"
VERSION_HEADER_PRESENT = "xAPI Communication 3.3 X-Experience-API-Version header on every request"
VERSION_HEADER_VALUE = "xAPI Communication 3.3 X-Experience-API-Version is the latest patch, 1.0.3"

# The properties each object may have (Data 2.2: additional properties SHOULD* NOT be added,
# and an LRS SHOULD* reject them; Ralph keeps them, a stricter LRS answers 400).
_KEYS = {
    "statement": {"id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority",
                  "version", "attachments"},
    # id, stored, version and authority have their own SubStatement rule.
    "substatement": {"objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments",
                     "id", "stored", "version", "authority"},
    "agent": {"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"},
    "group": {"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account", "member"},
    "account": {"homePage", "name"},
    "verb": {"id", "display"},
    "activity": {"objectType", "id", "definition"},
    "definition": {"name", "description", "type", "moreInfo", "interactionType", "correctResponsesPattern",
                   "choices", "scale", "source", "target", "steps", "extensions"},
    "component": {"id", "description"},
    "statementref": {"objectType", "id"},
    "result": {"score", "success", "completion", "response", "duration", "extensions"},
    "score": {"scaled", "raw", "min", "max"},
    "context": {"registration", "instructor", "team", "contextActivities", "revision", "platform", "language",
                "statement", "extensions"},
    "attachment": {"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"},
}
_IFIS = ("mbox", "mbox_sha1sum", "openid", "account")


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _StatementChecker:
    """Walks one statement, collecting violations."""

    def __init__(self, now: datetime):
        self.now = now
        self.found: list[Violation] = []

    def add(self, rule: str, path: str, message: str) -> None:
        self.found.append(Violation(rule, path, message))

    def dict_at(self, value: Any, path: str, what: str) -> dict | None:
        """The value when it is a JSON object; a violation otherwise. Also checks nulls and
        unknown keys, which apply to every object the spec defines."""
        if not isinstance(value, dict):
            self.add(JSON_TYPES, path, f"{what} should be a JSON object, found {value!r}")
            return None
        for key, item in value.items():
            if item is None:
                self.add(NO_NULLS, _join(path, key), "null")
        extra = sorted(set(value) - _KEYS[what])
        if extra:
            self.add(NO_EXTRA, path, f"{what} has properties xAPI 1.0.3 does not define: {extra}")
        return value

    def string(self, value: Any, path: str) -> bool:
        if isinstance(value, str):
            return True
        if value is not None:
            self.add(JSON_TYPES, path, f"should be a string, found {value!r}")
        return False

    def iri(self, value: Any, path: str, rule: str) -> None:
        if self.string(value, path) and not formats.is_absolute_iri(value):
            self.add(rule, path, f"not an absolute IRI: {value!r}")

    def uuid(self, value: Any, path: str, rule: str) -> None:
        if self.string(value, path) and not formats.is_uuid(value):
            self.add(rule, path, f"not a UUID in standard string form: {value!r}")

    def language_map(self, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            self.add(JSON_TYPES, path, f"a language map is a JSON object, found {value!r}")
            return
        for key, text in value.items():
            if not formats.is_language_tag(key):
                self.add(LANGUAGE_MAP, _join(path, key), f"not an RFC 5646 language tag: {key!r}")
            self.string(text, _join(path, key))

    def extensions(self, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            self.add(JSON_TYPES, path, f"extensions are a JSON object, found {value!r}")
            return
        for key in value:
            if not formats.is_absolute_iri(key):
                self.add(EXTENSION_KEYS, _join(path, key), f"not an absolute IRI: {key!r}")

    def timestamp(self, value: Any, path: str, *, may_be_future: bool = False) -> None:
        if not self.string(value, path):
            return
        try:
            moment = formats.parse_timestamp(value)
        except ValueError as error:
            self.add(TIMESTAMP, path, str(error))
            return
        if moment.tzinfo is None:
            self.add(TIMESTAMP, path, f"no time zone: {value!r}")
        elif not may_be_future and moment > self.now:
            self.add(FUTURE_TIMESTAMP, path, f"{value} is later than {self.now.isoformat()}")

    # ------------------------------------------------------------ statement

    def statement(self, stmt: Any, path: str = "", *, sub: bool = False) -> None:
        stmt = self.dict_at(stmt, path, "substatement" if sub else "statement")
        if stmt is None:
            return
        for key in ("actor", "verb", "object"):
            if key not in stmt:
                self.add(REQUIRED, _join(path, key), f"{key} is missing")
        if sub:
            present = [key for key in ("id", "stored", "version", "authority") if key in stmt]
            if present:
                self.add(SUBSTATEMENT, path, f"a SubStatement has {present}")
        elif "id" in stmt:
            self.uuid(stmt["id"], _join(path, "id"), STATEMENT_ID)
        if "actor" in stmt:
            self.actor(stmt["actor"], _join(path, "actor"))
        if "verb" in stmt:
            self.verb(stmt["verb"], _join(path, "verb"))
        if "object" in stmt:
            self.statement_object(stmt["object"], _join(path, "object"), sub=sub)
        if "result" in stmt:
            self.result(stmt["result"], _join(path, "result"))
        if "context" in stmt:
            self.context(stmt["context"], _join(path, "context"), stmt.get("object"))
        if "timestamp" in stmt:
            self.timestamp(stmt["timestamp"], _join(path, "timestamp"), may_be_future=sub)
        if "stored" in stmt:
            self.timestamp(stmt["stored"], _join(path, "stored"), may_be_future=True)
        if "authority" in stmt:
            self.actor(stmt["authority"], _join(path, "authority"))
        if "version" in stmt and self.string(stmt["version"], _join(path, "version")):
            version = stmt["version"]
            if not (version.startswith("1.0.") and version[4:].isdigit()):
                self.add(VERSION, _join(path, "version"), f"{version!r} is not 1.0.x")
            elif version != STATEMENT_VERSION:
                self.add(PROVIDER_VERSION, _join(path, "version"), f"{version!r}; providers set 1.0.0 or nothing")
        if "attachments" in stmt:
            self.attachments(stmt["attachments"], _join(path, "attachments"))
        if "result" in stmt and isinstance(stmt.get("object"), dict):
            self.response(stmt["object"], stmt["result"], path)

    # ------------------------------------------------------------ actors

    def actor(self, value: Any, path: str) -> None:
        if isinstance(value, dict) and value.get("objectType") == "Group":
            self.group(value, path)
        elif isinstance(value, dict) and value.get("objectType", "Agent") != "Agent":
            self.add(OBJECT_TYPE, _join(path, "objectType"), f"an actor is an Agent or a Group, not {value['objectType']!r}")
        else:
            self.agent(value, path)

    def agent(self, value: Any, path: str) -> None:
        agent = self.dict_at(value, path, "agent")
        if agent is None:
            return
        ifis = [key for key in _IFIS if key in agent]
        if len(ifis) != 1:
            self.add(AGENT_IFI, path, f"an Agent has exactly one of {list(_IFIS)}; found {ifis}")
        self.ifi_values(agent, path)

    def group(self, group: dict, path: str) -> None:
        self.dict_at(group, path, "group")
        ifis = [key for key in _IFIS if key in group]
        if len(ifis) > 1:
            self.add(GROUP, path, f"an identified Group has exactly one IFI; found {ifis}")
        members = group.get("member")
        if not ifis and not members:
            self.add(GROUP, path, "an anonymous Group (no IFI) lists its members")
        if members is not None and not isinstance(members, list):
            self.add(JSON_TYPES, _join(path, "member"), "member is an array of Agents")
        elif members:
            for index, member in enumerate(members):
                if isinstance(member, dict) and member.get("objectType", "Agent") != "Agent":
                    self.add(GROUP, _join(_join(path, "member"), index), "Group members are Agents, not Groups")
                else:
                    self.agent(member, _join(_join(path, "member"), index))
        self.ifi_values(group, path)

    def ifi_values(self, agent: dict, path: str) -> None:
        if "mbox" in agent and not formats.is_mailto_iri(agent["mbox"]):
            self.add(MBOX, _join(path, "mbox"), f"not mailto:address: {agent['mbox']!r}")
        if "mbox_sha1sum" in agent and not formats.is_sha1_hex(agent["mbox_sha1sum"]):
            self.add(MBOX_SHA1, _join(path, "mbox_sha1sum"), f"not 40 hex digits: {agent['mbox_sha1sum']!r}")
        if "openid" in agent:
            self.iri(agent["openid"], _join(path, "openid"), OPENID)
        if "account" in agent:
            account = self.dict_at(agent["account"], _join(path, "account"), "account")
            if account is not None:
                if "homePage" not in account or "name" not in account:
                    self.add(ACCOUNT, _join(path, "account"), f"needs homePage and name, has {sorted(account)}")
                if "homePage" in account:
                    self.iri(account["homePage"], _join(path, "account.homePage"), ACCOUNT)
                if "name" in account:
                    self.string(account["name"], _join(path, "account.name"))
        if "name" in agent:
            self.string(agent["name"], _join(path, "name"))

    # ------------------------------------------------------------ verb and objects

    def verb(self, value: Any, path: str) -> None:
        verb = self.dict_at(value, path, "verb")
        if verb is None:
            return
        if "id" not in verb:
            self.add(VERB_ID, _join(path, "id"), "verb id is missing")
        else:
            self.iri(verb["id"], _join(path, "id"), VERB_ID)
        if "display" in verb:
            self.language_map(verb["display"], _join(path, "display"))

    def statement_object(self, value: Any, path: str, *, sub: bool) -> None:
        if isinstance(value, dict) and not {"objectType", "id"} & set(value) and set(_IFIS) & set(value):
            # An Agent without objectType would be read as an Activity; name the real mistake.
            self.add(AGENT_OBJECT, path, "an Agent or Group as the object states its objectType")
            self.agent(value, path)
            return
        object_type = value.get("objectType", "Activity") if isinstance(value, dict) else "Activity"
        if object_type == "Activity":
            self.activity(value, path)
        elif object_type in ("Agent", "Group"):
            self.actor(value, path)
        elif object_type == "StatementRef":
            ref = self.dict_at(value, path, "statementref")
            if ref is not None:
                self.uuid(ref.get("id"), _join(path, "id"), STATEMENT_REF)
        elif object_type == "SubStatement":
            if sub:
                self.add(SUBSTATEMENT, path, "a SubStatement contains no SubStatement")
            else:
                self.statement(value, path, sub=True)
        else:
            self.add(OBJECT_TYPE, _join(path, "objectType"), f"unknown objectType {object_type!r}")

    def activity(self, value: Any, path: str) -> None:
        activity = self.dict_at(value, path, "activity")
        if activity is None:
            return
        if activity.get("objectType", "Activity") != "Activity":
            self.add(OBJECT_TYPE, _join(path, "objectType"), f"an Activity has objectType Activity, not {activity['objectType']!r}")
        if "id" not in activity:
            self.add(ACTIVITY_ID, _join(path, "id"), "activity id is missing")
        else:
            self.iri(activity["id"], _join(path, "id"), ACTIVITY_ID)
        if "definition" in activity:
            self.definition(activity["definition"], _join(path, "definition"))

    def definition(self, value: Any, path: str) -> None:
        definition = self.dict_at(value, path, "definition")
        if definition is None:
            return
        for key in ("name", "description"):
            if key in definition:
                self.language_map(definition[key], _join(path, key))
        if "type" in definition:
            self.iri(definition["type"], _join(path, "type"), ACTIVITY_TYPE)
        if "moreInfo" in definition:
            self.iri(definition["moreInfo"], _join(path, "moreInfo"), MORE_INFO)
        if "extensions" in definition:
            self.extensions(definition["extensions"], _join(path, "extensions"))
        self.interaction(definition, path)

    def interaction(self, definition: dict, path: str) -> None:
        lists = [name for name in COMPONENT_LISTS if name in definition]
        interaction_type = definition.get("interactionType")
        if interaction_type is None:
            if lists or "correctResponsesPattern" in definition:
                self.add(INTERACTION_TYPE, _join(path, "interactionType"),
                         "interaction properties without an interactionType")
            return
        if interaction_type not in INTERACTION_TYPES:
            self.add(INTERACTION_TYPE, _join(path, "interactionType"), f"unknown interactionType {interaction_type!r}")
            return
        if definition.get("type") != INTERACTION:
            self.add(INTERACTION_ACTIVITY_TYPE, _join(path, "type"),
                     f"an interaction activity's type is {INTERACTION}, found {definition.get('type')!r}")
        allowed = COMPONENT_LISTS_BY_TYPE.get(interaction_type, ())
        for name in lists:
            list_path = _join(path, name)
            if name not in allowed:
                self.add(COMPONENT_LIST, list_path, f"{interaction_type} supports {list(allowed) or 'no component lists'}")
            components = definition[name]
            if not isinstance(components, list):
                self.add(JSON_TYPES, list_path, "a component list is an array")
                continue
            ids: list[Any] = []
            for index, component in enumerate(components):
                item = self.dict_at(component, _join(list_path, index), "component")
                if item is None:
                    continue
                if "id" not in item:
                    self.add(JSON_TYPES, _join(_join(list_path, index), "id"), "a component has an id")
                elif self.string(item["id"], _join(_join(list_path, index), "id")):
                    ids.append(item["id"])
                if "description" in item:
                    self.language_map(item["description"], _join(_join(list_path, index), "description"))
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            if duplicates:
                self.add(COMPONENT_IDS, list_path, f"ids used more than once: {duplicates}")
        patterns = definition.get("correctResponsesPattern")
        if patterns is None:
            return
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            self.add(CORRECT_RESPONSES, _join(path, "correctResponsesPattern"), f"found {patterns!r}")
            return
        for index, pattern in enumerate(patterns):
            self.pattern(definition, pattern, _join(_join(path, "correctResponsesPattern"), index))

    def pattern(self, definition: dict, pattern: str, path: str) -> None:
        components = {
            name: {item.get("id") for item in definition[name] if isinstance(item, dict)}
            for name in COMPONENT_LISTS
            if isinstance(definition.get(name), list)
        }
        rules = {"format": PATTERN_FORMAT, "parameter": PATTERN_PARAMETERS, "component": PATTERN_COMPONENTS}
        for problem in formats.response_pattern_problems(definition["interactionType"], pattern, components):
            self.add(rules[problem.kind], path, problem.message)

    def response(self, object_: dict, result: Any, path: str) -> None:
        """result.response of an interaction in its type's format (Data 2.4.4.1 "Response
        Patterns": the format "is also used to represent the learner's response")."""
        definition = object_.get("definition")
        if not (isinstance(definition, dict) and isinstance(result, dict)):
            return
        if definition.get("interactionType") in INTERACTION_TYPES and isinstance(result.get("response"), str):
            self.pattern(definition, result["response"], _join(_join(path, "result"), "response"))

    # ------------------------------------------------------------ result and context

    def result(self, value: Any, path: str) -> None:
        result = self.dict_at(value, path, "result")
        if result is None:
            return
        for key in ("success", "completion"):
            if key in result and not isinstance(result[key], bool):
                self.add(JSON_TYPES, _join(path, key), f"should be true or false, found {result[key]!r}")
        if "response" in result:
            self.string(result["response"], _join(path, "response"))
        if "duration" in result and self.string(result["duration"], _join(path, "duration")):
            try:
                formats.parse_duration(result["duration"])
            except ValueError as error:
                self.add(DURATION, _join(path, "duration"), str(error))
        if "extensions" in result:
            self.extensions(result["extensions"], _join(path, "extensions"))
        if "score" in result:
            self.score(result["score"], _join(path, "score"))

    def score(self, value: Any, path: str) -> None:
        score = self.dict_at(value, path, "score")
        if score is None:
            return
        numbers = {}
        for key in ("scaled", "raw", "min", "max"):
            if key in score:
                if _is_number(score[key]):
                    numbers[key] = score[key]
                else:
                    self.add(JSON_TYPES, _join(path, key), f"should be a number, found {score[key]!r}")
        if "scaled" in numbers and not -1 <= numbers["scaled"] <= 1:
            self.add(SCORE_SCALED, _join(path, "scaled"), f"{numbers['scaled']} is outside -1..1")
        low, high, raw = numbers.get("min"), numbers.get("max"), numbers.get("raw")
        if low is not None and high is not None and not low < high:
            self.add(SCORE_MIN_MAX, path, f"min {low} is not less than max {high}")
        if raw is not None and ((low is not None and raw < low) or (high is not None and raw > high)):
            self.add(SCORE_RAW, _join(path, "raw"), f"raw {raw} is outside min {low} .. max {high}")

    def context(self, value: Any, path: str, object_: Any) -> None:
        context = self.dict_at(value, path, "context")
        if context is None:
            return
        if "registration" in context:
            self.uuid(context["registration"], _join(path, "registration"), REGISTRATION)
        if "instructor" in context:
            self.actor(context["instructor"], _join(path, "instructor"))
        if "team" in context:
            if isinstance(context["team"], dict) and context["team"].get("objectType") == "Group":
                self.group(context["team"], _join(path, "team"))
            else:
                self.add(GROUP, _join(path, "team"), "team is a Group with objectType Group")
        object_is_activity = isinstance(object_, dict) and object_.get("objectType", "Activity") == "Activity"
        for key in ("revision", "platform"):
            if key in context:
                self.string(context[key], _join(path, key))
                if not object_is_activity:
                    self.add(REVISION_PLATFORM, _join(path, key), "the statement's object is not an Activity")
        if "language" in context and self.string(context["language"], _join(path, "language")):
            if not formats.is_language_tag(context["language"]):
                self.add(CONTEXT_LANGUAGE, _join(path, "language"), f"not an RFC 5646 tag: {context['language']!r}")
        if "statement" in context:
            ref = context["statement"]
            if not (isinstance(ref, dict) and ref.get("objectType") == "StatementRef"):
                self.add(CONTEXT_STATEMENT, _join(path, "statement"), f"found {ref!r}")
            else:
                self.statement_object(ref, _join(path, "statement"), sub=True)
        if "extensions" in context:
            self.extensions(context["extensions"], _join(path, "extensions"))
        if "contextActivities" in context:
            self.context_activities(context["contextActivities"], _join(path, "contextActivities"))

    def context_activities(self, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            self.add(JSON_TYPES, path, f"contextActivities is a JSON object, found {value!r}")
            return
        for key, activities in value.items():
            key_path = _join(path, key)
            if key not in ("parent", "grouping", "category", "other"):
                self.add(CONTEXT_ACTIVITIES_KEYS, key_path, f"unknown key {key!r}")
            if not isinstance(activities, list):
                self.add(CONTEXT_ACTIVITIES_ARRAYS, key_path, "a single object; send an array of Activities")
                activities = [activities]
            for index, activity in enumerate(activities):
                self.activity(activity, _join(key_path, index))

    def attachments(self, value: Any, path: str) -> None:
        if not isinstance(value, list):
            self.add(JSON_TYPES, path, "attachments are an array")
            return
        for index, item in enumerate(value):
            item_path = _join(path, index)
            attachment = self.dict_at(item, item_path, "attachment")
            if attachment is None:
                continue
            missing = [k for k in ("usageType", "display", "contentType", "length", "sha2") if k not in attachment]
            if missing:
                self.add(ATTACHMENT, item_path, f"missing {missing}")
            if "usageType" in attachment:
                self.iri(attachment["usageType"], _join(item_path, "usageType"), ATTACHMENT)
            if "fileUrl" in attachment:
                self.iri(attachment["fileUrl"], _join(item_path, "fileUrl"), ATTACHMENT)
            for key in ("display", "description"):
                if key in attachment:
                    self.language_map(attachment[key], _join(item_path, key))
            length = attachment.get("length")
            if length is not None and not (isinstance(length, int) and not isinstance(length, bool) and length >= 0):
                self.add(ATTACHMENT, _join(item_path, "length"), f"an integer number of octets, found {length!r}")


def check_statement(stmt: dict, *, now: datetime | None = None) -> list[Violation]:
    """Every xAPI 1.0.3 rule `stmt` breaks (empty when none). `now` is the moment a timestamp
    may not be later than (Data 2.4.7); by default the current time."""
    checker = _StatementChecker(now or datetime.now(timezone.utc))
    checker.statement(stmt)
    return checker.found


def check_request(method: str, headers: Mapping[str, str]) -> list[Violation]:
    """The X-Experience-API-Version rules for one request to the LRS (Communication 3.3:
    "The Client MUST include the header in every request" and "MUST set this header to the
    latest patch version"). CORS preflights (OPTIONS) are the browser's, and carry no header."""
    if method.upper() == "OPTIONS":
        return []
    values = [value for name, value in headers.items() if name.lower() == VERSION_HEADER.lower()]
    if not values:
        return [Violation(VERSION_HEADER_PRESENT, VERSION_HEADER, f"{method.upper()} request without the header")]
    if values[0].strip() != XAPI_VERSION:
        return [Violation(VERSION_HEADER_VALUE, VERSION_HEADER, f"{values[0]!r}, expected {XAPI_VERSION!r}")]
    return []
