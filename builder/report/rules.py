"""The course's rules in SQL over the store, one implementation for every source: views of what each
learner did, and per report the parts that several of its queries read, computed once into the
session's temporary tables (REPORT_TABLES).

A module is completed when a source says so (a SCO of that one module passed or completed; later an
xAPI 'completed' statement), or when the learner has evidence in it and, where the source tells pages
seen, saw every page, submitted every quiz of it and answered every required reflection with the
standard edition's minimum (the player's own module rule).

Eligibility for the certificate (course.yaml certificate.requires): every required module completed,
every quiz in them at or above quiz_pass_mark (the best attempt), every required reflection in them
answered with at least reflection_min_chars characters (or the block's own min_chars, if larger).
Completion (course.yaml completion): every required module completed, and with a pass_mark, every quiz
in them at or above it. Across sources the best evidence counts (highest quiz best, longest answer).

Status: eligible (certificate rules met), completed (completion rules met), in progress (any
evidence), not started. shown_open_rule names every rule still open, per learner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from coursepack.load.course_loader import LoadedCourse
from coursepack.render.unit_contents import quiz_mark, reflection_min, required_module_ids, unit_contents
from coursepack.report.store import Store

# The rules as views in the store: what each learner did, the best across sources. Views of older
# versions that are per report now (REPORT_TABLES) are dropped, dependents first.
VIEWS = """
DROP VIEW IF EXISTS learner_report;
DROP VIEW IF EXISTS learner_open;
DROP VIEW IF EXISTS learner_modules_done;
DROP VIEW IF EXISTS learner_reflections_answered;
DROP VIEW IF EXISTS open_rule;
DROP VIEW IF EXISTS module_state;
DROP VIEW IF EXISTS learner_module_quizzes;
DROP VIEW IF EXISTS learner_module_reflections;
DROP VIEW IF EXISTS module_evidence;

CREATE OR REPLACE VIEW report_learner AS
  SELECT DISTINCT course_id, learner_key FROM enrolment;

CREATE OR REPLACE VIEW quiz_best AS
  SELECT course_id, learner_key, quiz_id, MAX(best_percent) AS best_percent, SUM(attempts) AS attempts
  FROM quiz_result GROUP BY course_id, learner_key, quiz_id;

CREATE OR REPLACE VIEW reflection_best AS
  SELECT course_id, learner_key, reflection_id, MAX(chars) AS chars
  FROM reflection_result GROUP BY course_id, learner_key, reflection_id;

-- a module's quizzes, and its reflections that completion asks for
CREATE OR REPLACE VIEW module_quiz_count AS
  SELECT course_id, module_id, COUNT(*) AS quizzes FROM course_quiz GROUP BY course_id, module_id;

CREATE OR REPLACE VIEW module_reflection_count AS
  SELECT course_id, module_id, COUNT(*) AS reflections
  FROM course_reflection WHERE min_chars_completion > 0 GROUP BY course_id, module_id;

CREATE OR REPLACE VIEW reflection_gate AS
  SELECT r.course_id, r.reflection_id,
         CASE WHEN cr.has_certificate THEN
                CASE WHEN m.required_certificate THEN r.min_chars_certificate ELSE 0 END
              ELSE CASE WHEN m.required_completion THEN r.min_chars_completion ELSE 0 END
         END AS needed
  FROM course_reflection r
  JOIN course_rule cr ON cr.course_id = r.course_id
  JOIN course_module m ON m.course_id = r.course_id AND m.module_id = r.module_id;

CREATE OR REPLACE VIEW learner_times AS
  SELECT course_id, learner_key, MIN(COALESCE(started_at, last_at)) AS first_at,
         MAX(COALESCE(last_at, started_at)) AS last_at, SUM(seconds) AS seconds
  FROM session GROUP BY course_id, learner_key;

-- grouped rather than UNION: PostgreSQL hashes a GROUP BY larger than work_mem (spilling), but sorts a
-- UNION that large, and sorting text in the database's collation cost more than the rest of the row
CREATE OR REPLACE VIEW learner_active AS
  SELECT course_id, learner_key FROM (
    SELECT course_id, learner_key FROM session
    UNION ALL SELECT course_id, learner_key FROM progress
    UNION ALL SELECT course_id, learner_key FROM quiz_result
    UNION ALL SELECT course_id, learner_key FROM reflection_result
  ) evidence GROUP BY course_id, learner_key;
"""

# Per report, in the report's own session: every part of the rules that several of the report's
# queries read is computed once, for the course shown, into a temporary table (filled in this order
# by fill_report_tables), and the rest are temporary views over those tables. As views, each query
# recomputed them: the module states 3-5 times per report, the quiz bests 6-9 (PostgreSQL at 1 M
# statements: 7.0-7.5 CPU-s of the server, now 2.2-3.0; bench/README.md, "PostgreSQL round 2: the rules once").
REPORT_TABLES: tuple[tuple[str, str, str], ...] = (
    ("shown_learner", "course_id VARCHAR, learner_key VARCHAR",
     "SELECT course_id, learner_key FROM report_learner WHERE course_id = ?"),
    ("shown_quiz_best", "course_id VARCHAR, learner_key VARCHAR, quiz_id VARCHAR, best_percent NUMERIC(7,2)",
     "SELECT course_id, learner_key, quiz_id, best_percent FROM quiz_best WHERE course_id = ?"),
    ("shown_reflection_best", "course_id VARCHAR, learner_key VARCHAR, reflection_id VARCHAR, chars INTEGER",
     "SELECT course_id, learner_key, reflection_id, chars FROM reflection_best WHERE course_id = ?"),
    # a few rows, but as a view its CASE hid that from PostgreSQL, which then joined it in a loop
    ("shown_reflection_gate", "course_id VARCHAR, reflection_id VARCHAR, needed INTEGER",
     "SELECT course_id, reflection_id, needed FROM reflection_gate WHERE course_id = ?"),
    # a module's state per learner: from one pass over the learner's facts of each module (the progress
    # the sources tell, the quizzes submitted, the reflections answered long enough: grouped together,
    # then joined once; a join per kind of fact cost twice as much on PostgreSQL), not a subquery per
    # learner and module, so the cost follows the rows, not learners x modules x subqueries
    ("shown_module_state",
     "course_id VARCHAR, learner_key VARCHAR, module_id VARCHAR, position INTEGER, required_completion BOOLEAN, "
     "required_certificate BOOLEAN, done INTEGER",
     """SELECT l.course_id, l.learner_key, m.module_id, m.position, m.required_completion, m.required_certificate,
    CASE
      WHEN f.claimed = 1 THEN 1
      WHEN COALESCE(f.progress, 0) = 0 THEN 0  -- no evidence in it
      WHEN f.all_pages_seen = 0 THEN 0
      WHEN f.quizzes < COALESCE(mq.quizzes, 0) THEN 0  -- a quiz of it not submitted
      WHEN f.reflections < COALESCE(mr.reflections, 0) THEN 0  -- a reflection missing or short
      ELSE 1
    END AS done
  FROM shown_learner l
  JOIN course_module m ON m.course_id = l.course_id
  LEFT JOIN module_quiz_count mq ON mq.course_id = m.course_id AND mq.module_id = m.module_id
  LEFT JOIN module_reflection_count mr ON mr.course_id = m.course_id AND mr.module_id = m.module_id
  LEFT JOIN (
    SELECT course_id, learner_key, module_id, MAX(claimed) AS claimed, MAX(progress) AS progress,
           MAX(all_pages_seen) AS all_pages_seen, SUM(quizzes) AS quizzes, SUM(reflections) AS reflections
    FROM (
      SELECT course_id, learner_key, module_id, CASE WHEN completed THEN 1 ELSE 0 END AS claimed, 1 AS progress,
             CASE WHEN pages_total IS NULL THEN NULL WHEN pages_seen >= pages_total THEN 1 ELSE 0 END AS all_pages_seen,
             0 AS quizzes, 0 AS reflections
      FROM progress WHERE course_id = ?
      UNION ALL
      SELECT b.course_id, b.learner_key, q.module_id, NULL, 0, NULL, 1, 0
      FROM shown_quiz_best b JOIN course_quiz q ON q.course_id = b.course_id AND q.quiz_id = b.quiz_id
      UNION ALL
      SELECT b.course_id, b.learner_key, r.module_id, NULL, 0, NULL, 0, 1
      FROM shown_reflection_best b
      JOIN course_reflection r ON r.course_id = b.course_id AND r.reflection_id = b.reflection_id
      WHERE r.min_chars_completion > 0 AND b.chars >= r.min_chars_completion
    ) facts GROUP BY course_id, learner_key, module_id
  ) f ON f.course_id = l.course_id AND f.learner_key = l.learner_key AND f.module_id = m.module_id
  WHERE l.course_id = ?"""),
    # every rule still open, per learner and rule set
    ("shown_open_rule",
     "course_id VARCHAR, learner_key VARCHAR, rule_set VARCHAR, rule VARCHAR, item VARCHAR, item_position INTEGER, "
     "value NUMERIC(7,2), needed NUMERIC(7,2)",
     """SELECT ms.course_id, ms.learner_key, 'certificate' AS rule_set, 'module' AS rule, ms.module_id AS item,
         ms.position AS item_position, CAST(NULL AS NUMERIC(7,2)) AS value, CAST(NULL AS NUMERIC(7,2)) AS needed
  FROM shown_module_state ms JOIN course_rule cr ON cr.course_id = ms.course_id
  WHERE cr.has_certificate AND ms.required_certificate AND ms.done = 0
  UNION ALL
  SELECT l.course_id, l.learner_key, 'certificate', 'quiz', q.quiz_id, q.position, b.best_percent, q.pass_mark_certificate
  FROM shown_learner l
  JOIN course_rule cr ON cr.course_id = l.course_id
  JOIN course_quiz q ON q.course_id = l.course_id
  JOIN course_module m ON m.course_id = q.course_id AND m.module_id = q.module_id
  LEFT JOIN shown_quiz_best b ON b.course_id = l.course_id AND b.learner_key = l.learner_key AND b.quiz_id = q.quiz_id
  WHERE cr.has_certificate AND m.required_certificate
    AND (b.best_percent IS NULL OR b.best_percent < q.pass_mark_certificate)
  UNION ALL
  SELECT l.course_id, l.learner_key, 'certificate', 'reflection', r.reflection_id, r.position,
         CAST(COALESCE(b.chars, 0) AS NUMERIC(7,2)), CAST(r.min_chars_certificate AS NUMERIC(7,2))
  FROM shown_learner l
  JOIN course_rule cr ON cr.course_id = l.course_id
  JOIN course_reflection r ON r.course_id = l.course_id
  JOIN course_module m ON m.course_id = r.course_id AND m.module_id = r.module_id
  LEFT JOIN shown_reflection_best b
    ON b.course_id = l.course_id AND b.learner_key = l.learner_key AND b.reflection_id = r.reflection_id
  WHERE cr.has_certificate AND m.required_certificate AND r.min_chars_certificate > 0
    AND COALESCE(b.chars, 0) < r.min_chars_certificate
  UNION ALL
  SELECT ms.course_id, ms.learner_key, 'completion', 'module', ms.module_id, ms.position,
         CAST(NULL AS NUMERIC(7,2)), CAST(NULL AS NUMERIC(7,2))
  FROM shown_module_state ms
  WHERE ms.required_completion AND ms.done = 0
  UNION ALL
  SELECT l.course_id, l.learner_key, 'completion', 'quiz', q.quiz_id, q.position, b.best_percent, q.pass_mark_completion
  FROM shown_learner l
  JOIN course_quiz q ON q.course_id = l.course_id
  JOIN course_module m ON m.course_id = q.course_id AND m.module_id = q.module_id
  LEFT JOIN shown_quiz_best b ON b.course_id = l.course_id AND b.learner_key = l.learner_key AND b.quiz_id = q.quiz_id
  WHERE m.required_completion AND q.pass_mark_completion IS NOT NULL
    AND (b.best_percent IS NULL OR b.best_percent < q.pass_mark_completion)"""),
)

# The learner's row, over the tables above; per learner, each part over its table once (grouped,
# then joined), not a subquery per learner: at 10,000 learners the correlated form cost most of
# `report show`
REPORT_VIEWS: tuple[str, ...] = (
    """CREATE OR REPLACE TEMP VIEW shown_learner_open AS
  SELECT course_id, learner_key,
         COUNT(CASE WHEN rule_set = 'certificate' THEN 1 END) AS certificate_open,
         COUNT(CASE WHEN rule_set = 'completion' THEN 1 END) AS completion_open
  FROM shown_open_rule GROUP BY course_id, learner_key""",
    """CREATE OR REPLACE TEMP VIEW shown_modules_done AS
  SELECT course_id, learner_key, COUNT(*) AS modules_done
  FROM shown_module_state WHERE done = 1 GROUP BY course_id, learner_key""",
    """CREATE OR REPLACE TEMP VIEW shown_reflections_answered AS
  SELECT b.course_id, b.learner_key, COUNT(*) AS reflections_answered
  FROM shown_reflection_best b
  JOIN shown_reflection_gate g ON g.course_id = b.course_id AND g.reflection_id = b.reflection_id
  WHERE g.needed > 0 AND b.chars >= g.needed
  GROUP BY b.course_id, b.learner_key""",
    """CREATE OR REPLACE TEMP VIEW shown_learner_report AS
  SELECT l.course_id, l.learner_key, p.name, p.email,
    COALESCE(md.modules_done, 0) AS modules_done,
    COALESCE(mt.modules_total, 0) AS modules_total,
    COALESCE(ra.reflections_answered, 0) AS reflections_answered,
    COALESCE(rt.reflections_total, 0) AS reflections_total,
    t.first_at, t.last_at, t.seconds,
    CASE
      WHEN cr.has_certificate AND COALESCE(o.certificate_open, 0) = 0 THEN 'eligible'
      WHEN COALESCE(o.completion_open, 0) = 0 THEN 'completed'
      WHEN a.learner_key IS NOT NULL THEN 'in progress'
      ELSE 'not started'
    END AS status
  FROM shown_learner l
  JOIN learner p ON p.learner_key = l.learner_key
  JOIN course_rule cr ON cr.course_id = l.course_id
  LEFT JOIN (SELECT course_id, COUNT(*) AS modules_total FROM course_module GROUP BY course_id) mt
    ON mt.course_id = l.course_id
  LEFT JOIN (SELECT course_id, COUNT(*) AS reflections_total FROM shown_reflection_gate WHERE needed > 0 GROUP BY course_id) rt
    ON rt.course_id = l.course_id
  LEFT JOIN shown_modules_done md ON md.course_id = l.course_id AND md.learner_key = l.learner_key
  LEFT JOIN shown_reflections_answered ra ON ra.course_id = l.course_id AND ra.learner_key = l.learner_key
  LEFT JOIN learner_times t ON t.course_id = l.course_id AND t.learner_key = l.learner_key
  LEFT JOIN shown_learner_open o ON o.course_id = l.course_id AND o.learner_key = l.learner_key
  LEFT JOIN learner_active a ON a.course_id = l.course_id AND a.learner_key = l.learner_key""",
)

STATUSES = ("not started", "in progress", "completed", "eligible")


def install_views(store: Store) -> None:
    store.script(VIEWS)


def fill_report_tables(store: Store, course_id: str) -> None:
    """The course's shown_* tables (REPORT_TABLES) filled anew, and the views over them made: in this
    session only (TEMP), so reports of other sessions and courses never see them."""
    for table, columns, _ in REPORT_TABLES:
        store.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} ({columns})")
    for view in REPORT_VIEWS:
        store.execute(view)
    with store.transaction():  # one commit for the lot
        for table, _, select in REPORT_TABLES:
            store.execute(f"DELETE FROM {table}")
            store.execute(f"INSERT INTO {table} {select}", [course_id] * select.count("?"))
            # a temporary table has no statistics until analysed (autovacuum never sees one): without
            # them PostgreSQL misjudged the module state's joins (216 s instead of 0.75 s at 1 M statements)
            store.execute(f"ANALYZE {table}")


def course_tables(loaded: LoadedCourse) -> dict[str, list[tuple[Any, ...]]]:
    """The course's rules as rows for the course_* tables, computed with the player's own rule
    functions (render/unit_contents.py), so the report and the player apply the same rule."""
    course = loaded.course
    standard = unit_contents(loaded, "standard")
    certificate = unit_contents(loaded, "certificate") if course.certificate else None
    needed_completion = set(required_module_ids(standard))
    needed_certificate = set(required_module_ids(certificate)) if certificate else set()
    return {
        "course_rule": [(course.id, course.title, certificate is not None)],
        "course_module": [
            (course.id, m.module.id, i, m.module.title, m.module.id in needed_completion, m.module.id in needed_certificate)
            for i, m in enumerate(standard.modules)
        ],
        "course_quiz": [
            (course.id, q.block.id, q.module.module.id, i, quiz_mark(standard, q.block),
             quiz_mark(certificate, q.block) if certificate else None)
            for i, q in enumerate(standard.quizzes)
        ],
        "course_reflection": [
            (course.id, r.block.id, r.module.module.id, i, reflection_min(standard, r.block),
             reflection_min(certificate, r.block) if certificate else 0)
            for i, r in enumerate(standard.reflections)
        ],
    }


def refresh_course(store: Store, loaded: LoadedCourse) -> None:
    store.write_course(course_tables(loaded), loaded.course.id)
    install_views(store)


# ---- reading the report ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenRule:
    rule: str  # module | quiz | reflection
    item: str
    value: float | None  # best percent or characters; None for a module or a quiz never submitted
    needed: float | None


@dataclass(frozen=True)
class ReportRow:
    name: str
    identifier: str
    learner_key: str
    modules_done: int
    modules_total: int
    quiz_best: dict[str, float | None]  # in course order
    reflections_answered: int
    reflections_total: int
    first_activity: datetime | None
    last_activity: datetime | None
    seconds: float | None
    status: str
    open_rules: list[OpenRule]
    certificate_id: str = ""  # certificates are issued later (issue 13 §5)


@dataclass(frozen=True)
class Report:
    course_id: str
    title: str
    has_certificate: bool
    modules: list[tuple[str, str]]  # (id, title) in course order
    quizzes: list[str]
    rows: list[ReportRow]
    module_done_counts: dict[str, int]  # learners who completed each module (the funnel)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def read_report(store: Store, course_id: str) -> Report:
    fill_report_tables(store, course_id)
    (title, has_certificate), = store.execute("SELECT title, has_certificate FROM course_rule WHERE course_id = ?", [course_id])
    modules = [(m, t) for m, t in store.execute(
        "SELECT module_id, title FROM course_module WHERE course_id = ? ORDER BY position", [course_id])]
    quizzes = [q for (q,) in store.execute("SELECT quiz_id FROM course_quiz WHERE course_id = ? ORDER BY position", [course_id])]
    # a learner's best scores as one list in course order (a row per learner, not per learner and
    # quiz), and every NUMERIC as a double in SQL: Python's Decimal objects cost more than the query
    # (DECIMAL(7,2) to double is the same float as float(Decimal) on both engines)
    best: dict[str, dict[str, float | None]] = {}
    for key, values in store.stream(
        "SELECT l.learner_key, array_agg(CAST(b.best_percent AS DOUBLE PRECISION) ORDER BY q.position) "
        "FROM shown_learner l JOIN course_quiz q ON q.course_id = l.course_id "
        "LEFT JOIN shown_quiz_best b ON b.course_id = l.course_id AND b.learner_key = l.learner_key AND b.quiz_id = q.quiz_id "
        "WHERE l.course_id = ? GROUP BY l.learner_key",
        [course_id],
    ):
        best[key] = dict(zip(quizzes, values))
    rule_set = "certificate" if has_certificate else "completion"
    open_rules: dict[str, list[OpenRule]] = {}
    for key, rule, item, value, needed in store.stream(
        "SELECT learner_key, rule, item, CAST(value AS DOUBLE PRECISION), CAST(needed AS DOUBLE PRECISION) "
        "FROM shown_open_rule WHERE course_id = ? AND rule_set = ? "
        "ORDER BY learner_key, CASE rule WHEN 'module' THEN 0 WHEN 'quiz' THEN 1 ELSE 2 END, item_position",
        [course_id, rule_set],
    ):
        open_rules.setdefault(key, []).append(OpenRule(rule, item, value, needed))
    rows = []
    for (key, name, email, done, total, answered, gated, first, last, seconds, status) in store.stream(
        "SELECT learner_key, name, email, modules_done, modules_total, reflections_answered, reflections_total, "
        "first_at, last_at, seconds, status FROM shown_learner_report WHERE course_id = ?",
        [course_id],
    ):
        identifier = email or key.split("#", 1)[-1]
        rows.append(ReportRow(
            name, identifier, key, int(done), int(total), best.get(key, {q: None for q in quizzes}), int(answered),
            int(gated), first, last, _float(seconds), status, open_rules.get(key, []),
        ))
    # Sorted here, not in SQL: PostgreSQL sorts text by the database's collation, DuckDB by code
    # point; Python's order is the code points' on both, so the engines give the same report.
    rows.sort(key=lambda row: (row.name, row.learner_key))
    counts = {m: 0 for m, _ in modules}
    for module, count in store.execute(
        "SELECT module_id, COUNT(*) FROM shown_module_state WHERE course_id = ? AND done = 1 GROUP BY module_id", [course_id]
    ):
        counts[module] = int(count)
    return Report(course_id, title, bool(has_certificate), modules, quizzes, rows, counts)
