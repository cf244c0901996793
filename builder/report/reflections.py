"""Reflection answers kept for facilitators, opt-in, and their export.

The report store keeps only the *length* of each answer (reflection_result.chars; the LRS facts
only response_chars): that is all the rules need, and answers are personal. A facilitator who wants
to read them runs an import or a sync with --keep-reflections: only then are the texts the source
delivers kept, in their own table, and `coursepack report reflections --out FILE` exports them.

  reflection_text  per course + learner + reflection + source: the latest answer, its module and time

Where texts come from:
  - an LRS sync: `result.response` of the statements on B/<module>/reflection/<id> that this sync
    reads (a sync reads only what is new: earlier statements' texts are not fetched again; give
    --since to read them again);
  - Moodle web services: cmi.comments of each attempt (the last record of each id), else the
    interactions' one-line copy (cut to 255 characters);
  - Canvas and Moodle downloads: none (Canvas keeps only a score; the downloads are not read for texts).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from coursepack.report.excel_csv import excel_csv, excel_safe
from coursepack.report.evidence import ImportBatch
from coursepack.report.lrs_client import LrsClient, Page
from coursepack.report.lrs_evidence import XapiCourse, target_of
from coursepack.report.moodle_ws import MoodleClient, attempt_from_tracks
from coursepack.report.scorm_data import parse_comments, reflection_texts
from coursepack.report.store import Store
from coursepack.report.xapi_facts import statement_facts

TEXT_TABLE = """
CREATE TABLE IF NOT EXISTS reflection_text (
  course_id VARCHAR NOT NULL, learner_key VARCHAR NOT NULL, reflection_id VARCHAR NOT NULL, source VARCHAR NOT NULL,
  module_id VARCHAR NOT NULL, text VARCHAR NOT NULL, answered_at TIMESTAMP, kept_at TIMESTAMP NOT NULL,
  PRIMARY KEY (course_id, learner_key, reflection_id, source)
)
"""
COLUMNS = ("course_id", "learner_key", "reflection_id", "source", "module_id", "text", "answered_at", "kept_at")


@dataclass(frozen=True)
class ReflectionText:
    learner_key: str
    reflection_id: str
    module_id: str
    text: str
    answered_at: datetime | None  # naive UTC


def latest(texts: Iterable[ReflectionText]) -> list[ReflectionText]:
    """One text per learner and reflection: the latest answer (an undated one loses to a dated one)."""
    kept: dict[tuple[str, str], ReflectionText] = {}
    for item in texts:
        key = (item.learner_key, item.reflection_id)
        old = kept.get(key)
        if old is None or (item.answered_at or datetime.min) >= (old.answered_at or datetime.min):
            kept[key] = item
    return list(kept.values())


def keep_texts(store: Store, course_id: str, source: str, texts: Iterable[ReflectionText], now: datetime) -> int:
    """Store the texts (a later answer replaces an earlier one of the same source); returns how many."""
    store.execute(TEXT_TABLE)
    chosen = latest(t for t in texts if t.text.strip())
    existing = {
        (key, rid): at for key, rid, at in store.execute(
            "SELECT learner_key, reflection_id, answered_at FROM reflection_text WHERE course_id = ? AND source = ?",
            [course_id, source])
    }
    rows = [
        (course_id, t.learner_key, t.reflection_id, source, t.module_id, t.text, t.answered_at, now)
        for t in chosen
        # an incremental sync may read an older answer again: it does not replace a newer one
        if (t.answered_at or datetime.min) >= (existing.get((t.learner_key, t.reflection_id)) or datetime.min)
    ]
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS[4:])
    store.insert_rows("reflection_text", COLUMNS, rows,
                      f"ON CONFLICT (course_id, learner_key, reflection_id, source) DO UPDATE SET {updates}")
    return len(rows)


# ---- capturing texts as a source is read --------------------------------------------------------------


class ReflectionKeepingLrsClient(LrsClient):
    """An LrsClient that also keeps the reflection answers of every page the sync reads."""

    def __init__(self, *args: Any, course: XapiCourse, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.course = course
        self.texts: list[ReflectionText] = []

    def page(self, url: str, number: int) -> Page:
        page = super().page(url, number)
        for raw in page.statements:
            response = raw.get("result", {}).get("response") if isinstance(raw, dict) and isinstance(raw.get("result"), dict) else None
            if not isinstance(response, str):
                continue
            facts = statement_facts(raw)
            target = target_of(self.course, facts.object_id)
            if facts.problem is None and facts.learner_key and target.kind == "reflection" and target.item and target.module_id:
                self.texts.append(ReflectionText(facts.learner_key, target.item, target.module_id, response, facts.at))
        return page


class ReflectionKeepingMoodleClient(MoodleClient):
    """A MoodleClient that also keeps the tracks it reads, to take the reflection texts from them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.usernames: dict[int, str] = {}  # Moodle user id -> user name (Learner.lms_user)
        self.tracks: list[tuple[int, list[dict[str, Any]]]] = []  # (user id, tracks of one attempt and SCO)

    def call(self, function: str, **params: Any) -> Any:
        body = super().call(function, **params)
        if function == "core_enrol_get_enrolled_users" and isinstance(body, list):
            for user in body:
                if isinstance(user, dict) and "id" in user:
                    self.usernames[int(user["id"])] = str(user.get("username") or user["id"])
        elif function == "mod_scorm_get_scorm_sco_tracks" and isinstance(body, dict):
            tracks = (body.get("data") or {}).get("tracks") or []
            if tracks:
                self.tracks.append((int(params["userid"]), tracks))
        return body

    def reflection_texts(self, batch: ImportBatch, modules: dict[str, str]) -> list[ReflectionText]:
        """The texts of the import's learners: cmi.comments first (the player's full text), else the
        interactions' copy; `modules` maps reflection id -> module id."""
        keys = {item.learner.lms_user: item.learner.key for item in batch.learners}
        out: list[ReflectionText] = []
        for user_id, tracks in self.tracks:
            key = keys.get(self.usernames.get(user_id))
            if key is None:
                continue  # not one of the import's learners (a teacher)
            attempt = attempt_from_tracks("", 0, tracks)
            texts = reflection_texts(attempt.interactions)
            texts.update(parse_comments(attempt.comments) if attempt.comments else {})
            for rid, text in texts.items():
                if rid in modules:
                    out.append(ReflectionText(key, rid, modules[rid], text, attempt.last_at))
        return out


# ---- the export ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportRow:
    name: str
    identifier: str
    module_id: str
    reflection_id: str
    text: str
    answered_at: datetime | None
    source: str


def has_texts(store: Store) -> bool:
    found = store.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'reflection_text'")
    return bool(found and found[0][0])


def read_texts(store: Store, course_id: str, order: dict[str, int]) -> list[ExportRow]:
    """Every kept answer of the course; `order` gives each reflection's position in the course."""
    if not has_texts(store):
        return []
    rows = [
        ExportRow(name or key, email or key.split("#", 1)[-1], module, rid, text, at, source)
        for key, name, email, module, rid, text, at, source in store.execute(
            "SELECT t.learner_key, p.name, p.email, t.module_id, t.reflection_id, t.text, t.answered_at, t.source "
            "FROM reflection_text t LEFT JOIN learner p ON p.learner_key = t.learner_key WHERE t.course_id = ?",
            [course_id])
    ]
    # sorted in Python, as the report is, so both engines give the same order
    rows.sort(key=lambda r: (r.name, r.identifier, order.get(r.reflection_id, len(order)), r.source))
    return rows


def _when(moment: datetime | None, sep: str) -> str:
    return "" if moment is None else moment.strftime(f"%Y-%m-%d{sep}%H:%M:%S") + ("Z" if sep == "T" else "")


CSV_COLUMNS = ("name", "identifier", "module", "reflection", "text", "answered (UTC)", "source")


def csv_bytes(rows: list[ExportRow]) -> bytes:
    """UTF-8 with a BOM (Excel), CRLF between rows; line breaks inside an answer stay in its quoted cell."""
    return excel_csv(CSV_COLUMNS, (
        [excel_safe(r.name), excel_safe(r.identifier), r.module_id, r.reflection_id, excel_safe(r.text),
         _when(r.answered_at, " "), r.source]
        for r in rows
    ))


def json_text(rows: list[ExportRow], course_id: str) -> str:
    document = {
        "course": course_id,
        "reflections": [
            {"name": r.name, "identifier": r.identifier, "module": r.module_id, "reflection": r.reflection_id,
             "text": r.text, "answered_at": _when(r.answered_at, "T") or None, "source": r.source}
            for r in rows
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
