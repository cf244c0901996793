"""The string formats xAPI 1.0.3 prescribes, as small checks and parsers.

IRIs (Data 4.3, 2.2), UUIDs (4.4), RFC 5646 language tags (4.2), ISO 8601 timestamps (4.5)
and durations (4.6), and the response patterns of interaction activities (2.4.4.1). Both the
statement models and the tests' rule checkers use these, so a format is decided in one place.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from coursepack.xapi.vocabulary import INTERACTION_TYPES

# ---------------------------------------------------------------- IRIs, UUIDs, e-mail, SHA-1

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
# Characters RFC 3987 never allows unescaped in an IRI (space, controls, and these).
_FORBIDDEN_IN_IRI = re.compile(r'[\x00-\x20\x7f-\x9f<>"{}|\\^`]')
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def is_absolute_iri(value: object) -> bool:
    """An IRI with a scheme (xAPI Data 2.2: an LRS rejects IRIs without one; cmi5 §3: IRIs
    are fully qualified), no characters RFC 3987 forbids, and a host for http(s)."""
    if not isinstance(value, str):
        return False
    scheme = _SCHEME.match(value)
    if scheme is None or scheme.end() == len(value):
        return False
    if _FORBIDDEN_IN_IRI.search(value) or _BAD_PERCENT.search(value) or value.count("#") > 1:
        return False
    if scheme.group()[:-1].lower() in ("http", "https"):
        try:
            return bool(urlsplit(value).hostname)
        except ValueError:  # e.g. an unbalanced "[" in the host
            return False
    return True


_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def is_uuid(value: object) -> bool:
    """A UUID in the standard string form, 8-4-4-4-12 hex digits (xAPI Data 4.4)."""
    return isinstance(value, str) and _UUID.match(value) is not None


_MAILTO = re.compile(r"^mailto:[^@\s/]+@[^@\s/]+$")


def is_mailto_iri(value: object) -> bool:
    """"mailto:" followed by one e-mail address (xAPI Data 2.4.2.3, mbox)."""
    return isinstance(value, str) and _MAILTO.match(value) is not None


def is_sha1_hex(value: object) -> bool:
    """40 hexadecimal digits (xAPI Data 2.4.2.3, mbox_sha1sum)."""
    return isinstance(value, str) and re.fullmatch(r"[0-9a-fA-F]{40}", value) is not None


# ---------------------------------------------------------------- RFC 5646 language tags

# The ABNF of RFC 5646 §2.1 as one pattern: langtag / privateuse / grandfathered.
_LANGTAG = (
    r"(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})"  # language [-extlang]
    r"(?:-[a-z]{4})?"  # script
    r"(?:-(?:[a-z]{2}|[0-9]{3}))?"  # region
    r"(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*"  # variants
    r"(?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*"  # extensions
    r"(?:-x(?:-[a-z0-9]{1,8})+)?"  # private use
)
_GRANDFATHERED = (
    "en-gb-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|i-navajo|i-pwn|"
    "i-tao|i-tay|i-tsu|sgn-be-fr|sgn-be-nl|sgn-ch-de|art-lojban|cel-gaulish|no-bok|no-nyn|"
    "zh-guoyu|zh-hakka|zh-min|zh-min-nan|zh-xiang"
)
_LANGUAGE_TAG = re.compile(rf"^(?:{_LANGTAG}|x(?:-[a-z0-9]{{1,8}})+|{_GRANDFATHERED})$", re.IGNORECASE)


def is_language_tag(value: object) -> bool:
    """A well-formed RFC 5646 language tag such as "en", "en-US", "es-419", "zh-Hant-TW"
    (xAPI Data 4.2: language map keys; 2.4.6: context.language)."""
    return isinstance(value, str) and _LANGUAGE_TAG.match(value) is not None


# ---------------------------------------------------------------- ISO 8601 timestamps

# The extended format (RFC 3339's profile of ISO 8601, which xAPI Data 4.5 recommends).
_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"([Zz]|[+-]\d{2}(?::?\d{2})?)?$"
)


def parse_timestamp(value: str) -> datetime:
    """The point in time of an ISO 8601 timestamp; aware when it has a time zone, naive when
    it has none. Raises ValueError for anything else (dates alone, "yesterday", spaces)."""
    match = _TIMESTAMP.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"not an ISO 8601 date and time: {value!r}")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    tzinfo = None
    if zone in ("Z", "z"):
        tzinfo = timezone.utc
    elif zone:
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
        tzinfo = timezone(-offset if zone[0] == "-" else offset)
    return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro, tzinfo)


def is_utc_timestamp(value: str) -> bool:
    """An ISO 8601 timestamp recorded in UTC: "Z" or a "+00:00" offset (cmi5 §9.7). "-00:00"
    means "offset unknown" in RFC 3339, so it does not count."""
    try:
        moment = parse_timestamp(value)
    except ValueError:
        return False
    zone = _TIMESTAMP.match(value).group(8)
    return moment.utcoffset() == timedelta(0) and not zone.startswith("-")


# ---------------------------------------------------------------- ISO 8601 durations

_NUM = r"(\d+(?:[.,]\d+)?)"
_DURATION = re.compile(rf"^P(?:{_NUM}Y)?(?:{_NUM}M)?(?:{_NUM}D)?(?:T(?=\d)(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?$")
_WEEKS = re.compile(rf"^P{_NUM}W$")
# Years and months have no fixed length; these are the conventional approximations.
_SECONDS = (365 * 86400, 30 * 86400, 86400, 3600, 60, 1)


def parse_duration(value: str) -> float:
    """Seconds in an ISO 8601:2004 §4.4.3.2 duration ("PT1H2M3.5S", "P1DT2H", "P4W"), as xAPI
    Data 4.6 requires; years count 365 days and months 30. Raises ValueError for the
    alternative format ("PT01:02:03"), an empty "P"/"PT", weeks mixed with other units, or a
    fraction on any but the last unit."""
    if not isinstance(value, str):
        raise ValueError(f"not an ISO 8601 duration: {value!r}")
    weeks = _WEEKS.match(value)
    if weeks:
        return float(weeks.group(1).replace(",", ".")) * 7 * 86400
    match = _DURATION.match(value)
    parts = match.groups() if match else ()
    present = [part for part in parts if part is not None]
    if not present:
        raise ValueError(f"not an ISO 8601 duration (PnYnMnDTnHnMnS or PnW): {value!r}")
    if any(("." in part or "," in part) for part in present[:-1]):
        raise ValueError(f"only the last unit of a duration may have a fraction: {value!r}")
    return sum(float(part.replace(",", ".")) * unit for part, unit in zip(parts, _SECONDS) if part is not None)


# ---------------------------------------------------------------- interaction response patterns

# xAPI Data 2.4.4.1 "Characterstring parameters": which parameters each type allows.
_LIST_PARAMETERS = {"fill-in": ("case_matters", "order_matters"), "long-fill-in": ("case_matters", "order_matters"),
                    "performance": ("order_matters",)}
_LANG_TYPES = ("fill-in", "long-fill-in", "performance")
_LIST_PARAMETER = re.compile(r"\{(case_matters|order_matters)=([^}]*)\}")
_LANG_PARAMETER = re.compile(r"\{lang=([^}]*)\}")
_CHECKED_TYPES = tuple(t for t in INTERACTION_TYPES if t != "other")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


@dataclass(frozen=True)
class PatternProblem:
    """What is wrong with one response pattern. kind: "format" (the shape of the type),
    "parameter" (a {…=…} characterstring parameter) or "component" (an id the definition's
    component lists do not have)."""

    kind: str
    message: str


def response_pattern_problems(
    interaction_type: str, pattern: str, components: Mapping[str, Collection[str]] | None = None
) -> list[PatternProblem]:
    """Check one correctResponsesPattern entry or result.response against its interactionType
    (xAPI Data 2.4.4.1 "Response Patterns"). `components` maps the definition's component
    lists ("choices", "source", …) to their ids; a list it lacks is not checked against."""
    if interaction_type not in _CHECKED_TYPES:  # "other": any format is valid
        return []
    components = components or {}
    problems: list[PatternProblem] = []

    def problem(kind: str, message: str) -> None:
        problems.append(PatternProblem(kind, message))

    body = pattern
    while (param := _LIST_PARAMETER.match(body)) is not None:
        name, value = param.groups()
        if name not in _LIST_PARAMETERS.get(interaction_type, ()):
            problem("parameter", f"{{{name}=…}} is not a parameter of {interaction_type} responses")
        elif value not in ("true", "false"):
            problem("parameter", f"{{{name}={value}}}: the value must be true or false")
        body = body[param.end():]
    items = body.split("[,]") if body else []

    def strip_lang(item: str) -> str:
        lang = _LANG_PARAMETER.match(item)
        if lang is None:
            return item
        if interaction_type not in _LANG_TYPES:
            problem("parameter", f"{{lang=…}} is not a parameter of {interaction_type} responses")
        elif not is_language_tag(lang.group(1)):
            problem("parameter", f"{{lang={lang.group(1)}}}: not an RFC 5646 language tag")
        return item[lang.end():]

    def known(list_name: str, item_id: str) -> None:
        ids = components.get(list_name)
        if ids is not None and item_id not in ids:
            problem("component", f"{item_id!r} is not an id in {list_name}")

    if interaction_type == "true-false":
        if body not in ("true", "false"):
            problem("format", f"{pattern!r}: a true-false response is true or false")
    elif interaction_type in ("choice", "sequencing"):
        for item in items:
            item_id = strip_lang(item)
            if not item_id:
                problem("format", f"{pattern!r}: an empty item id; the [,] delimiter separates ids")
            else:
                known("choices", item_id)
    elif interaction_type == "likert":
        item_id = strip_lang(body)
        if not item_id or len(items) > 1:
            problem("format", f"{pattern!r}: a likert response is a single item id")
        else:
            known("scale", item_id)
    elif interaction_type in ("fill-in", "long-fill-in"):
        for item in items:
            strip_lang(item)
    elif interaction_type == "matching":
        for item in items:
            pair = item.split("[.]")
            if len(pair) != 2 or not all(pair):
                problem("format", f"{item!r}: a matching pair is source[.]target")
            else:
                known("source", pair[0])
                known("target", pair[1])
    elif interaction_type == "performance":
        for item in items:
            step, delimiter, answer = item.partition("[.]")
            if not delimiter or not step:
                problem("format", f"{item!r}: a performance step is step_id[.]response")
            else:
                known("steps", step)
                strip_lang(answer)
    elif interaction_type == "numeric":
        _check_numeric(pattern, body, problem)
    return problems


def _check_numeric(pattern: str, body: str, problem: Callable[[str, str], None]) -> None:
    """A number, or a range min[:]max with either end left out (but not both)."""
    low, delimiter, high = body.partition("[:]")
    if not delimiter:
        if not _NUMBER.match(body):
            problem("format", f"{pattern!r}: a numeric response is a number or min[:]max")
        return
    if not (low or high) or any(end and not _NUMBER.match(end) for end in (low, high)):
        problem("format", f"{pattern!r}: a numeric range is min[:]max with numbers, either one optional")
    elif low and high and float(low) > float(high):
        problem("format", f"{pattern!r}: the range's minimum is greater than its maximum")
