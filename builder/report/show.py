"""The report as a terminal table, CSV (for Excel) or JSON. The HTML page is in show_html.py."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from coursepack.report.excel_csv import excel_csv, excel_safe
from coursepack.report.rules import OpenRule, Report, ReportRow
from coursepack.report.store import Store



def percent(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def duration(seconds: float | None) -> str:
    """h:mm:ss, which Excel reads as a duration; '' when no source counted time."""
    if seconds is None:
        return ""
    whole = int(round(seconds))
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def iso_local(moment: datetime | None) -> str:
    """ISO 8601 with a space (which Excel reads as a date and time), UTC."""
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S")


def iso_utc(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def describe_open(rules: list[OpenRule]) -> str:
    """The rules still open, grouped: 'modules not completed: a, b; quizzes not taken: q2; quizzes below
    80 %: q1 (66.66 %); reflections missing: r1; reflections under 110 characters: r2 (40)'."""
    groups: dict[str, list[str]] = {}
    for r in rules:
        if r.rule == "module":
            groups.setdefault("modules not completed", []).append(r.item)
        elif r.rule == "quiz" and r.value is None:
            groups.setdefault("quizzes not taken", []).append(r.item)
        elif r.rule == "quiz":
            groups.setdefault(f"quizzes below {percent(r.needed)} %", []).append(f"{r.item} ({percent(r.value)} %)")
        elif not r.value:
            groups.setdefault("reflections missing", []).append(r.item)
        else:
            groups.setdefault(f"reflections under {percent(r.needed)} characters", []).append(f"{r.item} ({percent(r.value)})")
    return "; ".join(f"{label}: {', '.join(items)}" for label, items in groups.items())


def describe_open_short(row: ReportRow) -> str:
    """For a screen: a learner with nothing done has every rule open, which needs no list."""
    return "all (nothing done yet)" if row.status == "not started" else describe_open(row.open_rules)


def with_certificate_ids(store: Store, report: Report) -> Report:
    """The report with each learner's certificate id from certificate_issued (written by
    `coursepack certificates`), when that table exists; otherwise as it was (ids stay empty)."""
    exists = store.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'certificate_issued'")
    if not exists or not exists[0][0]:
        return report
    issued = dict(store.execute(
        "SELECT learner_key, certificate_id FROM certificate_issued WHERE course_id = ?", [report.course_id]))
    if not issued:
        return report
    rows = [replace(row, certificate_id=issued.get(row.learner_key, row.certificate_id)) for row in report.rows]
    return replace(report, rows=rows)


# ---- table ------------------------------------------------------------------------------------------


def _fraction(done: int, total: int) -> str:
    return f"{done}/{total}"


def table(report: Report) -> str:
    heads = ["Name", "Identifier", "Modules", "Best quiz scores (%)", "Reflections", "First activity (UTC)",
             "Last activity (UTC)", "Time", "Status", "Open rules", "Certificate"]
    lines = [heads]
    for row in report.rows:
        scores = " ".join("-" if v is None else percent(v) for v in row.quiz_best.values())
        lines.append([
            row.name, row.identifier, _fraction(row.modules_done, row.modules_total), scores,
            _fraction(row.reflections_answered, row.reflections_total), iso_local(row.first_activity),
            iso_local(row.last_activity), duration(row.seconds), row.status, describe_open_short(row) or "-",
            row.certificate_id or "-",
        ])
    widths = [max(len(line[i]) for line in lines) for i in range(len(heads) - 2)]
    out = []
    for line in lines:
        fixed = "  ".join(cell.ljust(width) for cell, width in zip(line, widths))
        out.append(f"{fixed}  {line[-2]}  {line[-1]}".rstrip())
    counts = ", ".join(f"{sum(1 for r in report.rows if r.status == s)} {s}" for s in ("eligible", "completed", "in progress", "not started"))
    out.append("")
    out.append(f"{len(report.rows)} learners: {counts}. Quizzes in course order: {', '.join(report.quizzes)}.")
    return "\n".join(out) + "\n"


# ---- CSV --------------------------------------------------------------------------------------------


def csv_columns(report: Report) -> list[str]:
    return (
        ["name", "identifier", "modules completed", "modules total"]
        + [f"best % {q}" for q in report.quizzes]
        + ["reflections answered", "reflections required", "first activity (UTC)", "last activity (UTC)",
           "total time (h:mm:ss)", "status", "open rules", "certificate id"]
    )


def csv_bytes(report: Report) -> bytes:
    """UTF-8 with a BOM (so Excel reads it as UTF-8), comma-separated, CRLF, ISO dates; counts in
    separate columns because Excel would turn '3/7' into a date."""
    return excel_csv(csv_columns(report), (
        [excel_safe(row.name), excel_safe(row.identifier), row.modules_done, row.modules_total]
        + [percent(v) for v in row.quiz_best.values()]
        + [row.reflections_answered, row.reflections_total, iso_local(row.first_activity), iso_local(row.last_activity),
           duration(row.seconds), row.status, describe_open(row.open_rules), row.certificate_id]
        for row in report.rows
    ))


# ---- JSON -------------------------------------------------------------------------------------------


def _json_row(row: ReportRow) -> dict[str, Any]:
    return {
        "name": row.name,
        "identifier": row.identifier,
        "learner": row.learner_key,
        "modules": {"completed": row.modules_done, "total": row.modules_total},
        "best_quiz_scores": row.quiz_best,
        "reflections": {"answered": row.reflections_answered, "required": row.reflections_total},
        "first_activity": iso_utc(row.first_activity),
        "last_activity": iso_utc(row.last_activity),
        "total_seconds": None if row.seconds is None else round(row.seconds, 2),
        "status": row.status,
        "open_rules": [{"rule": r.rule, "item": r.item, "value": r.value, "needed": r.needed} for r in row.open_rules],
        "certificate_id": row.certificate_id or None,
    }


def json_text(report: Report) -> str:
    document = {
        "course": {"id": report.course_id, "title": report.title, "certificate": report.has_certificate},
        "modules": [m for m, _ in report.modules],
        "quizzes": report.quizzes,
        "learners": [_json_row(row) for row in report.rows],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
