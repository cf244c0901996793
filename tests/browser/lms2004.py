"""Play a SCORM 2004 package the way an LMS does, and check its calls strictly.

The LMS side is scorm-again's ``Scorm2004API`` as ``window.API_1484_11`` in ``lms/lms2004.html``
(+ ``lms/lms2004.js``), served by harness.LmsServer; the package runs in the same
``<iframe title="Course content">`` as for SCORM 1.2. Every API call is recorded with
GetLastError() right after it. :func:`check_strict` applies the SCORM 2004 4th edition RTE data
model's formats (scorm-again is lenient in places: it takes timestamps with 6 decimals, durations
with any parts in any order, identifiers with spaces) and coursepack's own rules (never a status the
course would not give, no score while incomplete, a changed status committed before its score).
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from lxml import etree

from . import harness

LMS_FILES = ("lms2004.html", "lms2004.js")
NS = {"cp": "http://www.imsglobal.org/xsd/imscp_v1p1", "adlcp": "http://www.adlnet.org/xsd/adlcp_v1p3",
      "imsss": "http://www.imsglobal.org/xsd/imsss"}
FROM_MANIFEST = object()

# What an LMS hands a learner on a first launch.
DEFAULT_CMI: dict[str, Any] = {
    "learner_id": "learner-001",
    "learner_name": "Learner, Test",
    "credit": "credit",
    "mode": "normal",
    "entry": "ab-initio",
}


# --------------------------------------------------------------------------- manifest and launch

@dataclass(frozen=True)
class Sco:
    item: str
    launch: str
    passing: str | None  # minNormalizedMeasure when the primary objective is satisfied by measure


def read_scos(pkg_dir: Path) -> list[Sco]:
    root = etree.parse(str(pkg_dir / "imsmanifest.xml")).getroot()
    hrefs = {r.get("identifier"): r.get("href") for r in root.iterfind("cp:resources/cp:resource", NS)
             if r.get(f"{{{NS['adlcp']}}}scormType") == "sco"}
    out = []
    for item in root.iterfind(".//cp:item", NS):
        ref = item.get("identifierref")
        if ref not in hrefs:
            continue
        primary = item.find("imsss:sequencing/imsss:objectives/imsss:primaryObjective", NS)
        passing = None
        if primary is not None and primary.get("satisfiedByMeasure") == "true":
            passing = primary.findtext("imsss:minNormalizedMeasure", default="1.0", namespaces=NS)
        out.append(Sco(item.get("identifier"), hrefs[ref], passing))
    return out


def open_lms(page, server: harness.LmsServer, package: str | Path | None = None, *,
             cmi: Mapping[str, Any] | None = None, settings: Mapping[str, Any] | None = None,
             sco: int = 0, passing: Any = FROM_MANIFEST, timeout_ms: float = 20_000):
    """Open the 2004 host page and launch the package's ``sco``-th SCO; returns its Frame.
    ``cmi``: prior-session data (see :func:`next_session_cmi`) merged over :data:`DEFAULT_CMI`;
    ``passing``: cmi.scaled_passing_score (default: the SCO's minNormalizedMeasure, as an LMS does)."""
    for name in LMS_FILES:
        shutil.copyfile(harness.LMS_DIR / name, server.root / name)
    pkg_dir = server.install_package(package) if package is not None else server.root / "pkg"
    target = read_scos(pkg_dir)[sco]
    preload = json.loads(json.dumps(DEFAULT_CMI))
    value = target.passing if passing is FROM_MANIFEST else passing
    if value not in (None, ""):
        preload["scaled_passing_score"] = value
    if cmi:
        preload.update(json.loads(json.dumps(dict(cmi))))
    config = {"settings": dict(settings or {}), "cmi": preload, "launch": "/pkg/" + target.launch,
              "frameTitle": harness.CONTENT_FRAME_TITLE}
    config_url = server.write_config(config)
    page.goto(server.url(f"/lms2004.html?config={config_url}"), wait_until="load")
    page.wait_for_function("() => window.__lms && (window.__lms.ready || window.__lms.error)", timeout=timeout_ms)
    err = page.evaluate("() => window.__lms.error")
    if err:
        raise RuntimeError(f"LMS host page failed: {err}")
    page.wait_for_function("""() => { const f = document.getElementById('content');
        return !!(f && f.contentWindow && f.contentWindow.location.href !== 'about:blank'
                  && f.contentDocument && f.contentDocument.readyState === 'complete'); }""", timeout=timeout_ms)
    frame = harness.content_frame(page, timeout_ms=timeout_ms)
    frame.wait_for_load_state("load", timeout=timeout_ms)
    return frame


def final_cmi(page, timeout_ms: float = 5_000) -> dict:
    """scorm-again's cmi once Terminate has been called."""
    page.wait_for_function("() => window.__lms && window.__lms.finishCount > 0", timeout=timeout_ms)
    return page.evaluate("() => window.API_1484_11.renderCMIToJSONObject().cmi")


def as_list(value) -> list:
    """scorm-again renders arrays as {"0": {...}} (or {"childArray": [...]})."""
    if isinstance(value, dict):
        value = value.get("childArray", value)
    if isinstance(value, dict):
        return [value[k] for k in sorted(value, key=int)] if all(k.isdigit() for k in value) else []
    return list(value or [])


def next_session_cmi(final: Mapping[str, Any]) -> dict:
    """What an LMS hands the SCO on its next launch in the same attempt: the learner's data carried
    over, entry "resume" only after exit "suspend" (else ""), interactions and comments kept."""
    score = {k: v for k, v in (final.get("score") or {}).items() if v not in ("", None)}
    out: dict[str, Any] = {
        **DEFAULT_CMI,
        "entry": "resume" if final.get("exit") == "suspend" else "",
        "location": final.get("location", ""),
        "suspend_data": final.get("suspend_data", ""),
        "completion_status": final.get("completion_status", ""),
        "success_status": final.get("success_status", ""),
        "progress_measure": final.get("progress_measure", ""),
        "score": score,
    }
    for key in ("interactions", "comments_from_learner"):
        items = as_list(final.get(key))
        for it in items:
            for sub in ("objectives", "correct_responses"):
                if sub in it:
                    it[sub] = as_list(it[sub])
        if items:
            out[key] = items
    return {k: v for k, v in out.items() if v not in ("", None, {})}


# --------------------------------------------------------------------------- calls

ERROR_FUNCTIONS = {"GetLastError", "GetErrorString", "GetDiagnostic"}


@dataclass(frozen=True)
class Call:
    index: int
    name: str
    args: tuple[str | None, ...]
    ret: str | None
    error: str | None
    exception: str | None = None

    @property
    def element(self) -> str | None:
        return self.args[0] if self.name in ("GetValue", "SetValue") and self.args else None

    @property
    def value(self) -> str | None:
        return self.args[1] if self.name == "SetValue" and len(self.args) > 1 else None

    def __str__(self) -> str:
        args = ", ".join(repr(a if a is None or len(a) <= 60 else a[:57] + "...") for a in self.args)
        err = "" if self.error in (None, "0") else f" [error {self.error}]"
        return f"#{self.index} {self.name}({args}) -> {self.ret!r}{err}"


def get_calls(page) -> list[Call]:
    return [Call(c["i"], c["name"], tuple(c.get("args", ())), c.get("ret"), c.get("error"), c.get("exception"))
            for c in page.evaluate("() => window.__lms.calls")]


def commits(page) -> list[dict]:
    return page.evaluate("() => window.__lms.commits")


# --------------------------------------------------------------------------- strict checker

def _rx(pattern: str):
    compiled = re.compile(pattern, re.S)
    return lambda v: compiled.fullmatch(v) is not None


def _units(v: str) -> int:
    return len(v.encode("utf-16-le")) // 2


# SCORM 2004 4th edition RTE data types (RTE 4.1.1.x, C.1)
REAL = _rx(r"-?[0-9]+(\.[0-9]+)?")
# time(second,10,2): YYYY[-MM[-DD[Thh[:mm[:ss[.s[TZD]]]]]]], years 1970-2038, the zone only after a fraction
TIMESTAMP = _rx(r"(19[7-9][0-9]|20[0-2][0-9]|203[0-8])(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01])"
                r"(T([01][0-9]|2[0-3])(:[0-5][0-9](:[0-5][0-9](\.[0-9]{1,2}(Z|[+-]([01][0-9]|2[0-3])(:[0-5][0-9])?)?)?)?)?)?)?)?")
# timeinterval(second,10,2): P[yY][mM][dD][T[hH][nM][s[.s]S]], at least one part, T only before a time part
DURATION = lambda v: (re.fullmatch(r"P([0-9]+Y)?([0-9]+M)?([0-9]+D)?(T([0-9]+H)?([0-9]+M)?([0-9]+(\.[0-9]{1,2})?S)?)?", v) is not None  # noqa: E731
                      and v not in ("P", "PT") and not v.endswith("T"))
SHORT_ID = r"[A-Za-z0-9\-()+.:=@;$_!*'%/#]{1,250}"
LONG_ID = lambda v: 0 < _units(v) <= 4000 and re.search(r"\s", v) is None  # noqa: E731
LANG = r"(\{lang=[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*\})?"


def localized(n: int):
    """localized_string_type(SPM n): an optional {lang=...}, then text that does not start with '{'."""
    def check(v: str) -> bool:
        m = re.match(LANG, v)
        body = v[m.end():]
        return _units(body) <= n and not body.startswith("{") and "\n" not in body
    return check


def _list(item: str):
    return _rx(rf"{item}(\[,\]{item})*")


CHOICE = lambda v: v == "" or (_list(SHORT_ID)(v) and len(set(v.split("[,]"))) == len(v.split("[,]")))  # noqa: E731
PAIRS = _list(rf"{SHORT_ID}\[\.\]{SHORT_ID}")
SEQUENCE = _list(SHORT_ID)
TRUE_FALSE = _rx("true|false")


def _fill_in(n: int, pattern: bool):
    def check(v: str) -> bool:
        if pattern:
            v = re.sub(r"^(\{case_matters=(true|false)\})?(\{order_matters=(true|false)\})?", "", v)
        return all(localized(n)(part) for part in v.split("[,]"))
    return check


RESPONSES = {  # type -> (learner_response, correct_responses.n.pattern)
    "true-false": (TRUE_FALSE, TRUE_FALSE),
    "choice": (CHOICE, CHOICE),
    "fill-in": (_fill_in(250, False), _fill_in(250, True)),
    "long-fill-in": (localized(4000), _rx(r"(\{case_matters=(true|false)\})?") ),
    "matching": (PAIRS, PAIRS),
    "sequencing": (SEQUENCE, SEQUENCE),
}

ENUM = lambda *values: (lambda v: v in values)  # noqa: E731
# element (indexes as .n.) -> (access, format); access r, w, rw
DATAMODEL: dict[str, tuple[str, Any]] = {
    "cmi._version": ("r", None), "cmi.learner_id": ("r", None), "cmi.learner_name": ("r", None),
    "cmi.mode": ("r", None), "cmi.credit": ("r", None), "cmi.entry": ("r", None),
    "cmi.launch_data": ("r", None), "cmi.scaled_passing_score": ("r", None), "cmi.completion_threshold": ("r", None),
    "cmi.total_time": ("r", None), "cmi.max_time_allowed": ("r", None), "cmi.time_limit_action": ("r", None),
    "cmi.location": ("rw", lambda v: _units(v) <= 1000),
    "cmi.suspend_data": ("rw", lambda v: _units(v) <= 64000),
    "cmi.completion_status": ("rw", ENUM("completed", "incomplete")),  # coursepack never writes the others
    "cmi.success_status": ("rw", ENUM("passed", "failed")),
    "cmi.progress_measure": ("rw", lambda v: REAL(v) and 0 <= float(v) <= 1),
    "cmi.score.scaled": ("rw", lambda v: REAL(v) and -1 <= float(v) <= 1),
    "cmi.score.raw": ("rw", REAL), "cmi.score.min": ("rw", REAL), "cmi.score.max": ("rw", REAL),
    "cmi.exit": ("w", ENUM("suspend", "normal", "logout", "time-out", "")),
    "cmi.session_time": ("w", DURATION),
    "cmi.interactions._count": ("r", None), "cmi.interactions._children": ("r", None),
    "cmi.interactions.n.id": ("rw", LONG_ID),
    "cmi.interactions.n.type": ("rw", ENUM("true-false", "choice", "fill-in", "long-fill-in", "matching", "performance",
                                           "sequencing", "likert", "numeric", "other")),
    "cmi.interactions.n.timestamp": ("rw", TIMESTAMP),
    "cmi.interactions.n.weighting": ("rw", REAL),
    "cmi.interactions.n.learner_response": ("rw", None),  # by type, below
    "cmi.interactions.n.correct_responses.n.pattern": ("rw", None),
    "cmi.interactions.n.result": ("rw", lambda v: v in ("correct", "incorrect", "unanticipated", "neutral") or REAL(v)),
    "cmi.interactions.n.latency": ("rw", DURATION),
    "cmi.interactions.n.description": ("rw", localized(250)),
    "cmi.comments_from_learner._count": ("r", None),
    "cmi.comments_from_learner.n.comment": ("rw", localized(4000)),
    "cmi.comments_from_learner.n.location": ("rw", lambda v: _units(v) <= 250),
    "cmi.comments_from_learner.n.timestamp": ("rw", TIMESTAMP),
}
_INDEX = re.compile(r"\.(\d+)\.")
SCORE = ("cmi.score.min", "cmi.score.max", "cmi.score.raw", "cmi.score.scaled")


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    call: Call | None = None

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}" + (f" at {self.call}" if self.call is not None else "")


def _model(element: str) -> str:
    previous = None
    while previous != element:
        previous, element = element, _INDEX.sub(".n.", element)
    return element


def check_strict(calls: Iterable[Call], *, initial_cmi: Mapping[str, Any] | None = None) -> list[Violation]:
    """Violations of the SCORM 2004 RTE data model and of coursepack's status rules, in call order.

    Rules: initialize-first, initialize-once, terminate-once, call-after-terminate, error-code,
    unknown-element, read-only, write-only, value-format, response-format, dependency (id before the
    other fields, type before responses), index-gap, score-while-incomplete (a score while the
    completion is incomplete and success unknown), score-after-status (a score in the same commit
    window as a changed status), scaled-mismatch (score.scaled != raw / 100)."""
    calls = list(calls)
    initial = dict(initial_cmi or {})
    out: list[Violation] = []
    api = [c for c in calls if c.name not in ERROR_FUNCTIONS]
    if api and api[0].name != "Initialize":
        out.append(Violation("initialize-first", "first call is not Initialize", api[0]))
    inits = [c for c in api if c.name == "Initialize"]
    ends = [c for c in api if c.name == "Terminate"]
    if len(inits) != 1:
        out.append(Violation("initialize-once", f"Initialize called {len(inits)} times"))
    if len(ends) != 1:
        out.append(Violation("terminate-once", f"Terminate called {len(ends)} times"))
    ended = ends[0].index if ends else None
    counts = {"cmi.interactions": len(as_list(initial.get("interactions"))),
              "cmi.comments_from_learner": len(as_list(initial.get("comments_from_learner")))}
    fields: dict[str, set[str]] = {}
    types: dict[str, str] = {}
    completion = initial.get("completion_status") or "unknown"
    success = initial.get("success_status") or "unknown"
    status_changed = False
    score: dict[str, str] = {k: str(v) for k, v in (initial.get("score") or {}).items()}
    for c in calls:
        if c.exception:
            out.append(Violation("error-code", f"the API threw {c.exception}", c))
        if c.name in ERROR_FUNCTIONS:
            continue
        if ended is not None and c.index > ended:
            out.append(Violation("call-after-terminate", "call after Terminate", c))
        if c.error not in (None, "0"):
            out.append(Violation("error-code", f"GetLastError() is {c.error} after the call", c))
        if c.name == "Commit":
            status_changed = False
            continue
        element = c.element
        if element is None:
            continue
        model = _model(element)
        spec = DATAMODEL.get(model)
        if spec is None:
            out.append(Violation("unknown-element", f"{element} is not in the SCORM 2004 data model", c))
            continue
        access, fmt = spec
        if c.name == "GetValue":
            if access == "w":
                out.append(Violation("write-only", f"{element} is write-only (error 405)", c))
            continue
        value = c.value if c.value is not None else ""
        if access == "r":
            out.append(Violation("read-only", f"{element} is read-only (error 404)", c))
            continue
        m = re.match(r"(cmi\.(interactions|comments_from_learner))\.(\d+)\.(.*)", element)
        if m:
            array, n, field = m.group(1), int(m.group(3)), m.group(4)
            if n > counts[array]:
                out.append(Violation("index-gap", f"{element}: index {n} but {array}._count is {counts[array]}", c))
            elif n == counts[array]:
                counts[array] += 1
            key = f"{array}.{n}"
            have = fields.setdefault(key, set())
            if array == "cmi.interactions" and field != "id" and "id" not in have:
                out.append(Violation("dependency", f"{element} set before {key}.id", c))
            if field in ("learner_response",) or field.startswith("correct_responses"):
                if "type" not in have:
                    out.append(Violation("dependency", f"{element} set before {key}.type", c))
                kind = types.get(key)
                if kind in RESPONSES:
                    check = RESPONSES[kind][0 if field == "learner_response" else 1]
                    if not check(value):
                        out.append(Violation("response-format", f"{element} = {value[:80]!r} is no {kind} response", c))
            have.add(field)
            if field == "type":
                types[key] = value
        if fmt is not None and not fmt(value):
            out.append(Violation("value-format", f"{element} = {value[:80]!r} does not match its SCORM 2004 format", c))
        if element == "cmi.completion_status" and value != completion:
            completion, status_changed = value, True
        if element == "cmi.success_status" and value != success:
            success, status_changed = value, True
        if element in SCORE:
            if completion != "completed" and success == "unknown":
                out.append(Violation("score-while-incomplete", f"{element} written while {completion}", c))
            if status_changed:
                out.append(Violation("score-after-status", f"{element} in the commit window of a changed status", c))
            score[element.rsplit(".", 1)[1]] = value
    if score.get("scaled") and score.get("raw"):
        if abs(float(score["scaled"]) - float(score["raw"]) / 100) > 1e-9:
            out.append(Violation("scaled-mismatch", f"score.scaled {score['scaled']} is not raw {score['raw']} / 100"))
    return out
