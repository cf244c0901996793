"""pydantic models of xAPI 1.0.3 statements (xAPI Data 2.4), for reading them from an LRS.

Strict where the spec says MUST (one IFI per Agent, UUIDs, absolute IRIs, RFC 5646 keys,
score ranges, ISO 8601 durations, timestamps with a time zone, version 1.0.x, no nulls, no
strings for numbers or booleans) and lenient where readers must be (xAPI Communication 3.3:
tolerate extra properties, so other producers' and later versions' statements still load;
Data 2.4.6.2: a single Activity where contextActivities wants a list). Formats live in
`formats`; these models only apply them. Dump with `model_dump(exclude_none=True,
by_alias=True)` to get the statement back as JSON-ready data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    Tag,
    ValidationError,
    model_validator,
)

from coursepack.xapi import formats
from coursepack.xapi.vocabulary import COMPONENT_LISTS, COMPONENT_LISTS_BY_TYPE


def _checked(test: Callable[[object], bool], what: str) -> AfterValidator:
    """An AfterValidator that lets a string through when `test` accepts it."""

    def check(value: str) -> str:
        if not test(value):
            raise ValueError(f"not {what}: {value!r}")
        return value

    return AfterValidator(check)


def _check_timestamp(value: str) -> str:
    if formats.parse_timestamp(value).tzinfo is None:
        raise ValueError(f"timestamp without a time zone: {value!r}")
    return value


def _check_duration(value: str) -> str:
    formats.parse_duration(value)
    return value


def _check_language_map(value: dict[str, str]) -> dict[str, str]:
    bad = [key for key in value if not formats.is_language_tag(key)]
    if bad:
        raise ValueError(f"language map keys that are not RFC 5646 tags: {bad}")
    return value


def _check_extensions(value: dict[str, Any]) -> dict[str, Any]:
    bad = [key for key in value if not formats.is_absolute_iri(key)]
    if bad:
        raise ValueError(f"extension keys that are not absolute IRIs: {bad}")
    return value


def _as_list(value: Any) -> Any:
    # Data 2.4.6.2: a single Activity object is allowed (0.95 compatibility); keep lists.
    return [value] if isinstance(value, dict) else value


Iri = Annotated[StrictStr, _checked(formats.is_absolute_iri, "an absolute IRI")]
Uuid = Annotated[StrictStr, _checked(formats.is_uuid, "a UUID in standard string form")]
LanguageTag = Annotated[StrictStr, _checked(formats.is_language_tag, "an RFC 5646 language tag")]
Timestamp = Annotated[StrictStr, AfterValidator(_check_timestamp)]
Duration = Annotated[StrictStr, AfterValidator(_check_duration)]
LanguageMap = Annotated[dict[StrictStr, StrictStr], AfterValidator(_check_language_map)]
Extensions = Annotated[dict[StrictStr, Any], AfterValidator(_check_extensions)]
Number = Union[StrictInt, StrictFloat]  # keeps 80 an int and 0.8 a float; rejects "0.8" and True
Version = Annotated[StrictStr, Field(pattern=r"^1\.0\.[0-9]+$")]


class XapiModel(BaseModel):
    """Base of every model: extra properties kept (and dumped back), null values refused
    (Data 2.2: an LRS rejects statements with nulls, except inside extensions)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            nulls = [key for key, value in data.items() if value is None]
            if nulls:
                raise ValueError(f"null values are not allowed: {nulls}")
        return data


# ---------------------------------------------------------------- actors (Data 2.4.2)


class Account(XapiModel):
    home_page: Iri = Field(alias="homePage")
    name: StrictStr


class _Identified(XapiModel):
    name: StrictStr | None = None
    mbox: Annotated[StrictStr, _checked(formats.is_mailto_iri, "a mailto: IRI")] | None = None
    mbox_sha1sum: Annotated[StrictStr, _checked(formats.is_sha1_hex, "40 hex digits")] | None = None
    openid: Iri | None = None
    account: Account | None = None

    def ifis(self) -> list[str]:
        """The inverse functional identifiers this agent or group carries."""
        return [key for key in _IFIS if getattr(self, key) is not None]


class Agent(_Identified):
    object_type: Literal["Agent"] | None = Field(default=None, alias="objectType")

    @model_validator(mode="after")
    def _one_ifi(self) -> Agent:
        if len(self.ifis()) != 1:
            raise ValueError(f"an Agent has exactly one of mbox, mbox_sha1sum, openid, account; got {self.ifis()}")
        return self


class Group(_Identified):
    object_type: Literal["Group"] = Field(alias="objectType")
    member: list[Agent] | None = None

    @model_validator(mode="after")
    def _identified_or_listed(self) -> Group:
        if len(self.ifis()) > 1:
            raise ValueError(f"an identified Group has exactly one IFI; got {self.ifis()}")
        if not self.ifis() and not self.member:
            raise ValueError("an anonymous Group (no IFI) lists its members")
        return self


_IFIS = ("mbox", "mbox_sha1sum", "openid", "account")


def _object_type(default: str) -> Discriminator:
    """Picks the model by objectType. Without one, an object that has an IFI and no id is
    read as an Agent, so the "state objectType" error names the real mistake."""

    def tag(value: Any) -> str:
        if not isinstance(value, dict):
            return getattr(value, "object_type", None) or default
        if "objectType" not in value and "id" not in value and any(key in value for key in _IFIS):
            return "Agent"
        return value.get("objectType", default)

    return Discriminator(tag)


Actor = Annotated[Union[Annotated[Agent, Tag("Agent")], Annotated[Group, Tag("Group")]], _object_type("Agent")]


# ---------------------------------------------------------------- verb and activities (2.4.3, 2.4.4)


class Verb(XapiModel):
    id: Iri
    display: LanguageMap | None = None


class InteractionComponent(XapiModel):
    id: StrictStr
    description: LanguageMap | None = None


class ActivityDefinition(XapiModel):
    name: LanguageMap | None = None
    description: LanguageMap | None = None
    type: Iri | None = None
    more_info: Iri | None = Field(default=None, alias="moreInfo")
    interaction_type: (
        Literal["true-false", "choice", "fill-in", "long-fill-in", "matching", "performance", "sequencing",
                "likert", "numeric", "other"] | None
    ) = Field(default=None, alias="interactionType")
    correct_responses_pattern: list[StrictStr] | None = Field(default=None, alias="correctResponsesPattern")
    choices: list[InteractionComponent] | None = None
    scale: list[InteractionComponent] | None = None
    source: list[InteractionComponent] | None = None
    target: list[InteractionComponent] | None = None
    steps: list[InteractionComponent] | None = None
    extensions: Extensions | None = None

    @model_validator(mode="after")
    def _interaction_components(self) -> ActivityDefinition:
        present = [name for name in COMPONENT_LISTS if getattr(self, name) is not None]
        if self.interaction_type is None:
            if present or self.correct_responses_pattern is not None:
                raise ValueError("interaction properties without an interactionType")
            return self
        allowed = COMPONENT_LISTS_BY_TYPE.get(self.interaction_type, ())
        wrong = [name for name in present if name not in allowed]
        if wrong:
            raise ValueError(f"{self.interaction_type} supports the component lists {list(allowed)}, not {wrong}")
        for name in present:
            ids = [component.id for component in getattr(self, name)]
            if len(ids) != len(set(ids)):
                raise ValueError(f"component ids in {name} are not distinct: {ids}")
        return self


class Activity(XapiModel):
    object_type: Literal["Activity"] | None = Field(default=None, alias="objectType")
    id: Iri
    definition: ActivityDefinition | None = None


class StatementRef(XapiModel):
    object_type: Literal["StatementRef"] = Field(alias="objectType")
    id: Uuid


# ---------------------------------------------------------------- result and context (2.4.5, 2.4.6)


class Score(XapiModel):
    scaled: Annotated[Number, Field(ge=-1, le=1)] | None = None
    raw: Number | None = None
    min: Number | None = None
    max: Number | None = None

    @model_validator(mode="after")
    def _in_range(self) -> Score:
        if self.min is not None and self.max is not None and not self.min < self.max:
            raise ValueError(f"score.min {self.min} is not less than score.max {self.max}")
        if self.raw is not None and self.min is not None and self.raw < self.min:
            raise ValueError(f"score.raw {self.raw} is below score.min {self.min}")
        if self.raw is not None and self.max is not None and self.raw > self.max:
            raise ValueError(f"score.raw {self.raw} is above score.max {self.max}")
        return self


class Result(XapiModel):
    score: Score | None = None
    success: StrictBool | None = None
    completion: StrictBool | None = None
    response: StrictStr | None = None
    duration: Duration | None = None
    extensions: Extensions | None = None


ActivityList = Annotated[list[Activity], BeforeValidator(_as_list)]


class ContextActivities(XapiModel):
    # Data 2.4.6.2: "Every key MUST be one of parent, grouping, category, or other".
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    parent: ActivityList | None = None
    grouping: ActivityList | None = None
    category: ActivityList | None = None
    other: ActivityList | None = None


class Context(XapiModel):
    registration: Uuid | None = None
    instructor: Actor | None = None
    team: Group | None = None
    context_activities: ContextActivities | None = Field(default=None, alias="contextActivities")
    revision: StrictStr | None = None
    platform: StrictStr | None = None
    language: LanguageTag | None = None
    statement: StatementRef | None = None
    extensions: Extensions | None = None


class Attachment(XapiModel):
    usage_type: Iri = Field(alias="usageType")
    display: LanguageMap
    description: LanguageMap | None = None
    content_type: StrictStr = Field(alias="contentType")
    length: Annotated[StrictInt, Field(ge=0)]
    sha2: StrictStr
    file_url: Iri | None = Field(default=None, alias="fileUrl")


# ---------------------------------------------------------------- statements (2.4, 2.4.4.3)


class _StatementCore(XapiModel):
    actor: Actor
    verb: Verb
    result: Result | None = None
    context: Context | None = None
    timestamp: Timestamp | None = None
    attachments: list[Attachment] | None = None

    def _check_context_for(self, object_: BaseModel) -> None:
        # Data 2.4.6: revision and platform only when the object is an Activity.
        if self.context and not isinstance(object_, Activity):
            used = [key for key in ("revision", "platform") if getattr(self.context, key) is not None]
            if used:
                raise ValueError(f"context {used} only with an Activity object")


SubObject = Annotated[
    Union[
        Annotated[Activity, Tag("Activity")],
        Annotated[Agent, Tag("Agent")],
        Annotated[Group, Tag("Group")],
        Annotated[StatementRef, Tag("StatementRef")],
    ],
    _object_type("Activity"),
]


class SubStatement(_StatementCore):
    object_type: Literal["SubStatement"] = Field(alias="objectType")
    object: SubObject  # a SubStatement inside a SubStatement is not in the union: no nesting

    @model_validator(mode="before")
    @classmethod
    def _not_a_full_statement(cls, data: Any) -> Any:
        # Data 2.4.4.3: a SubStatement MUST NOT have these (extra keys are otherwise kept).
        if isinstance(data, dict):
            forbidden = [key for key in ("id", "stored", "version", "authority") if key in data]
            if forbidden:
                raise ValueError(f"a SubStatement has no {forbidden}")
        return data

    @model_validator(mode="after")
    def _context_fits_object(self) -> SubStatement:
        self._check_context_for(self.object)
        return self


StatementObject = Annotated[
    Union[
        Annotated[Activity, Tag("Activity")],
        Annotated[Agent, Tag("Agent")],
        Annotated[Group, Tag("Group")],
        Annotated[StatementRef, Tag("StatementRef")],
        Annotated[SubStatement, Tag("SubStatement")],
    ],
    _object_type("Activity"),
]


class Statement(_StatementCore):
    id: Uuid | None = None
    object: StatementObject
    stored: Timestamp | None = None
    authority: Actor | None = None
    version: Version | None = None

    @model_validator(mode="after")
    def _context_fits_object(self) -> Statement:
        self._check_context_for(self.object)
        # Data 2.4.4.2: an Agent as the object names its objectType (a Group always does).
        if isinstance(self.object, Agent) and self.object.object_type is None:
            raise ValueError("an Agent as the object states objectType \"Agent\"")
        return self


def parse_statement(obj: Any) -> Statement:
    """The statement as a model; raises pydantic.ValidationError naming every problem."""
    return Statement.model_validate(obj)


def statement_problems(obj: Any) -> list[str]:
    """Every reason `obj` is not a valid xAPI 1.0.x statement, as "path: message"; empty when
    it is one."""
    try:
        parse_statement(obj)
    except ValidationError as error:
        return [
            f"{'.'.join(str(part) for part in problem['loc']) or '(statement)'}: {problem['msg']}"
            for problem in error.errors()
        ]
    return []
