"""Reports at scale on a store that really holds 10 M statements (issue 13), made the fast way: a base
store filled through the sync's own code, its statement rows copied by SQL inside the database.
Prints figures beside issue 13's targets; checks the copy and the report's rows (exit 1 when wrong).

Run: python3 bench/report_scale_10m.py [--copies 100] [--chunk 10] [--runs 3] [--work DIR] [--skip-copy]
                                      [--rebuild-all] [--memory-limit SIZE]
(DIR: /tmp/coursepack-report-10m; 10 M statements take 1.6 GB there)

1. base (a fresh process, reused when DIR/base.duckdb exists): 1,000 learners' statements stored as
   `report_scale_store.py --copies 1 --keep DIR` stores them (105,146 statements through
   `lrs_store.store_page`: the rows of xapi_statement, every learner in lrs_stale, the lrs_sync row);
2. copy (a fresh process): DIR/store-N.duckdb, the base file with its per-statement rows copied N-1
   more times by `INSERT … SELECT … FROM base CROSS JOIN range(…)`, --chunk copies a statement, the
   primary keys in place. Copy k is renamed as report_scale_store.renamed renames copy k (the tag
   "c0-" becomes "c<k>-" in front of statement ids and voiding targets, after the first ':' of learner
   keys; names and e-mails stay, as there), in xapi_statement and lrs_stale (lrs_sync has one row per
   LRS + course, not per statement). Then checked: row counts N x base, the keys unique, and sample
   copies equal to the base and to report_scale_store.renamed's copy, column for column;
3. each a fresh process (wall, CPU user+sys, peak RSS, load average before and after): the full
   evidence rebuild the sync ends with (every learner stale), a rebuild with nothing stale, one with one
   learner stale (report_scale_store.py --do rebuild / rebuild-one), then `coursepack report show
   --format csv --out F` --runs times (--skip-copy: only these, on the store an earlier run left;
   --rebuild-all with it: first the full rebuild again, every learner made stale by forgetting the
   course's fingerprint, as a changed course.yaml does; --runs 0: no report show);
   --memory-limit SIZE: every step with COURSEPACK_REBUILD_MEMORY_LIMIT=SIZE (the DuckDB memory_limit
   a sync and its rebuild run under, engine.py; "80%" is DuckDB's own default, the rebuild's before
   round 5);
4. the report checked: its rows by status are N x the base store's, and sample learners of sample
   copies have their base learner's row (the copy's tag put back).

Copies of one base are the same shapes of play under other keys; the rows and the queries over them
are real. The base store's own report (rebuilt and shown in DIR/base-report.duckdb) is the reference.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report_scale import REPO, Run, coursepack, load, mb, measured, print_outcome  # noqa: E402
from report_scale_store import base_facts, renamed  # noqa: E402

STORE_SCRIPT = str(Path(__file__).with_name("report_scale_store.py"))
BASE_TAG = "c0-"  # report_scale_store's tag of copy 0, which the base store holds
# issue 13's targets for `report show --format csv`: 1 M statements are 10,000 learners, 10 M 100,000
SHOW_TARGETS = ((10_000, "target < 5 s at 1,000,000 statements"), (100_000, "target < 30 s at 10,000,000 statements"))
SAMPLE_LEARNERS = 5  # learners compared per sample copy


def tag(copy: int) -> str:
    return f"c{copy}-"


# ---- the copy, inside the database ----------------------------------------------------------------------------

# Each statement's columns as copy n (a DuckDB expression over the base row and the range's n), in
# xapi_statement's column order: report_scale_store.renamed's renaming, in SQL.
STATEMENT_COPY = {
    "statement_id": "'c' || n || '-' || substr(statement_id, 4)",
    "learner_key": "regexp_replace(learner_key, ':c0-', ':c' || n || '-')",  # the first ':c0-', as renamed's first ':'
    "object_id": "CASE WHEN verb LIKE '%/voided' THEN 'c' || n || '-' || substr(object_id, 4) ELSE object_id END",
}
STALE_COPY = {"learner_key": STATEMENT_COPY["learner_key"]}
TABLES = {"xapi_statement": STATEMENT_COPY, "lrs_stale": STALE_COPY}  # every per-statement table the sync writes


def columns_of(con: Any, table: str) -> list[str]:
    return [c for (c,) in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                                      "ORDER BY ordinal_position", [table]).fetchall()]


def copy_rows(db: Path, copies: int, chunk: int) -> None:
    """Copies 1 … copies-1 of every per-statement row of the base (copy 0), `chunk` copies an INSERT."""
    import duckdb

    with duckdb.connect(str(db)) as con:
        for table in TABLES:  # the base rows apart, so each chunk reads 105,146 rows, not the growing table
            con.execute(f"CREATE TEMP TABLE base_{table} AS SELECT * FROM {table}")
        started, cpu = time.perf_counter(), time.process_time()
        for low in range(1, copies, chunk):
            high = min(copies, low + chunk)
            t0, c0 = time.perf_counter(), time.process_time()
            for table, renaming in TABLES.items():
                select = ", ".join(renaming.get(c, c) for c in columns_of(con, table))
                con.execute(f"INSERT INTO {table} SELECT {select} FROM base_{table} CROSS JOIN range(?, ?) AS copies(n)",
                            [low, high])
            print(f"  copies {low}-{high - 1}: {time.perf_counter() - t0:.1f} s wall, {time.process_time() - c0:.1f} CPU-s "
                  f"(VmRSS {mb(own_rss_kib())}; {load()})", flush=True)
        t0, c0 = time.perf_counter(), time.process_time()
        con.execute("CHECKPOINT")
        print(f"  checkpoint: {time.perf_counter() - t0:.1f} s wall, {time.process_time() - c0:.1f} CPU-s", flush=True)
    print(f"copied in {time.perf_counter() - started:.0f} s wall, {time.process_time() - cpu:.0f} CPU-s", flush=True)


def own_rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def check_copy(db: Path, copies: int, cache: Path, base_learners: int) -> list[str]:
    """What is wrong with the copied store (nothing: an empty list)."""
    import duckdb

    problems = []
    samples = sorted({1, copies // 2, copies - 1} - {0})
    facts = base_facts(base_learners, cache)
    with duckdb.connect(str(db), read_only=True) as con:
        (base_rows,), = con.execute("SELECT COUNT(*) FROM xapi_statement WHERE statement_id LIKE 'c0-%'").fetchall()
        for table, key, in_base in (
                ("xapi_statement", "source, course_id, statement_id", "starts_with(statement_id, 'c0-')"),
                ("lrs_stale", "source, course_id, learner_key", "learner_key LIKE '%:c0-%'")):
            (rows, distinct, base), = con.execute(
                f"SELECT COUNT(*), COUNT(DISTINCT ({key})), COUNT(*) FILTER (WHERE {in_base}) FROM {table}").fetchall()
            print(f"  {table}: {rows:,} rows, {distinct:,} distinct keys, {base:,} in the base ({rows / max(base, 1):g} x)")
            if rows != copies * base or distinct != rows:
                problems.append(f"{table}: {rows:,} rows, {distinct:,} keys; expected {copies} x {base:,}")
        if base_rows != len(facts):
            problems.append(f"the base holds {base_rows:,} statements, report_scale_store makes {len(facts):,}")
        columns = columns_of(con, "xapi_statement")
        for k in samples:
            # copy k with its tag put back equals the base, column for column, row for row
            back = ", ".join(
                {"statement_id": "'c0-' || substr(statement_id, length(?) + 1)",
                 "learner_key": "regexp_replace(learner_key, ':' || ?, ':c0-')",
                 "object_id": "CASE WHEN verb LIKE '%/voided' THEN 'c0-' || substr(object_id, length(?) + 1) "
                              "ELSE object_id END"}.get(c, c) for c in columns)
            (differ,), = con.execute(
                f"SELECT COUNT(*) FROM (SELECT {back} FROM xapi_statement WHERE starts_with(statement_id, ?) "
                f"EXCEPT ALL SELECT * FROM xapi_statement WHERE starts_with(statement_id, 'c0-'))",
                [tag(k), tag(k), tag(k), tag(k)]).fetchall()
            # and has the ids report_scale_store.renamed gives copy k
            ids = {(f.statement_id, f.learner_key, f.object_id) for f in renamed(facts, k)}
            stored = set(con.execute("SELECT statement_id, learner_key, object_id FROM xapi_statement "
                                     "WHERE starts_with(statement_id, ?)", [tag(k)]).fetchall())
            print(f"  copy {k}: {len(stored):,} statements, {differ} differ from the base, "
                  f"{len(ids ^ stored)} ids differ from report_scale_store.renamed")
            if differ or ids != stored:
                problems.append(f"copy {k} is not the base renamed ({differ} rows, {len(ids ^ stored)} ids)")
    return problems


# ---- the report, checked -------------------------------------------------------------------------------------


def report_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return header, rows


def check_report(base_csv: Path, big_csv: Path, copies: int) -> list[str]:
    """The big report's rows by status are copies x the base's; sample learners keep their row."""
    header, base = report_rows(base_csv)
    big_header, big = report_rows(big_csv)
    if header != big_header:
        return [f"the columns differ: {header} / {big_header}"]
    status = header.index("status")
    ident = header.index("identifier")
    want = Counter({s: n * copies for s, n in Counter(r[status] for r in base).items()})
    have = Counter(r[status] for r in big)
    print(f"  rows by status: {dict(have)}; {copies} x the base: {dict(want)}")
    problems = [] if have == want else [f"rows by status {dict(have)}, expected {dict(want)}"]
    by_id = {r[ident]: r for r in big}
    compared = 0
    for k in sorted({1, copies // 2, copies - 1} - {0}):
        for row in base[:: max(1, len(base) // SAMPLE_LEARNERS)][:SAMPLE_LEARNERS]:
            other = by_id.get(row[ident].replace(BASE_TAG, tag(k), 1))
            back = None if other is None else [v.replace(tag(k), BASE_TAG, 1) for v in other]
            compared += 1
            if back != row:
                problems.append(f"copy {k}: {row[ident]} is {other}, its base row {row}")
    print(f"  {compared} sample learners of copies compared with their base learner")
    return problems


# ---- the run ---------------------------------------------------------------------------------------------------


ENV: dict[str, str] = {}  # every step's environment: --memory-limit


def step(title: str, args: list[str], target: str = "") -> Run:
    before = load()
    run = measured(args, ENV)
    print(f"{title}: {run.wall:.1f} s wall, {run.cpu:.1f} CPU-s, peak RSS {mb(run.peak_kib)} "
          f"(exit {run.code}; before {before}, after {load()}){'  [' + target + ']' if target else ''}", flush=True)
    print_outcome(run, title)
    return run


def show(db: Path, out: Path) -> list[str]:
    return coursepack("report", "show", "--format", "csv", "--out", str(out), "--db", str(db), str(REPO))


def rebuild(db: Path, what: str = "rebuild") -> list[str]:
    return [sys.executable, STORE_SCRIPT, "--do", what, "--db", str(db)]


def size(db: Path) -> str:
    wal = db.with_name(db.name + ".wal")
    return f"{(db.stat().st_size + (wal.stat().st_size if wal.exists() else 0)) / 1e9:.2f} GB"


def forget_fingerprint(db: Path) -> None:
    """Every learner stale for the next rebuild, as after a change to course.yaml."""
    import duckdb

    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM lrs_evidence")


def base_report(work: Path, base: Path) -> Path:
    """The base store's own report: a copy of it rebuilt, then shown."""
    out = work / "base.csv"
    if not out.exists():
        db = work / "base-report.duckdb"
        shutil.copyfile(base, db)
        step("base: evidence rebuild", rebuild(db))
        step("base: report show --format csv", show(db, out))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--chunk", type=int, default=10, help="copies inserted by one statement")
    parser.add_argument("--runs", type=int, default=3, help="report show runs")
    parser.add_argument("--base-learners", type=int, default=1000)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "coursepack-report-scale")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "coursepack-report-10m")
    parser.add_argument("--skip-copy", action="store_true",
                        help="reuse DIR/store-N.duckdb, rebuilt by an earlier run, and only time report show")
    parser.add_argument("--rebuild-all", action="store_true",
                        help="with --skip-copy: make every learner stale and time the full rebuild first")
    parser.add_argument("--memory-limit",
                        help="COURSEPACK_REBUILD_MEMORY_LIMIT for every step (80%%: DuckDB's default)")
    parser.add_argument("--do", choices=("copy", "check"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.memory_limit:
        ENV["COURSEPACK_REBUILD_MEMORY_LIMIT"] = options.memory_limit
    work = options.work
    db = work / f"store-{options.copies}.duckdb"
    if options.do == "copy":
        return copy_rows(db, options.copies, options.chunk)
    if options.do == "check":
        wrong = check_copy(db, options.copies, options.cache, options.base_learners)
        print("\n".join(wrong))
        raise SystemExit(1 if wrong else 0)
    print(f"{time.strftime('%Y-%m-%d %H:%M')} UTC, {options.copies} copies of {options.base_learners:,} learners; "
          f"{os.cpu_count()} cores; memory limit {options.memory_limit or 'the default'} ({load()})", flush=True)
    work.mkdir(parents=True, exist_ok=True)
    base = work / "base.duckdb"
    if not base.exists():
        step("base: 1 copy through lrs_store.store_page",
             [sys.executable, STORE_SCRIPT, "--do", "fill", "--copies", "1", "--base-learners", str(options.base_learners),
              "--cache", str(options.cache), "--db", str(base)])
    problems: list[str] = []
    if not options.skip_copy:
        db.unlink(missing_ok=True)
        db.with_name(db.name + ".wal").unlink(missing_ok=True)
        shutil.copyfile(base, db)
        step(f"copy by SQL, {options.chunk} copies an INSERT",
             [sys.executable, __file__, "--do", "copy", "--copies", str(options.copies), "--chunk", str(options.chunk),
              "--work", str(work)])
        print(f"  store {size(db)} after the copy")
        # in its own process too: a child forked from a big parent reports the parent's RSS as its peak
        checked = measured([sys.executable, __file__, "--do", "check", "--copies", str(options.copies),
                            "--base-learners", str(options.base_learners), "--cache", str(options.cache),
                            "--work", str(work)])
        print(f"copy checked: {checked.wall:.0f} s wall, {checked.cpu:.0f} CPU-s\n{checked.stdout.rstrip()}", flush=True)
        if checked.code != 0:
            problems.append(f"the copy is wrong (exit {checked.code}; above): "
                            + " | ".join(line for _, line in checked.stderr_lines[-3:]))
        # the copy left every learner stale, as a store's first sync does
        step("evidence rebuild, every learner", rebuild(db), "no target in issue 13; round 2 foresaw 280-300 CPU-s at 10 M")
        step("evidence rebuild, nothing stale", rebuild(db))
        step("evidence rebuild, one learner stale", rebuild(db, "rebuild-one"))
    elif options.rebuild_all:
        forget_fingerprint(db)
        step("evidence rebuild, every learner (fingerprint forgotten)", rebuild(db))
    print(f"  store {size(db)} with its evidence")
    if options.runs == 0:
        return
    out = work / f"store-{options.copies}.csv"
    learners = options.copies * options.base_learners
    target = next((text for most, text in SHOW_TARGETS if learners <= most), "no target in issue 13")
    for run in range(options.runs):
        step(f"report show --format csv, run {run + 1}", show(db, out), target)
    print(f"  {out.stat().st_size / 1e6:.1f} MB of CSV")
    problems += check_report(base_report(work, base), out, options.copies)
    print(f"{time.strftime('%H:%M')} UTC ({load()})")
    if problems:
        print("WRONG:\n  " + "\n  ".join(problems[:20]))
        raise SystemExit(1)
    print("checked: the copy and the report are right")


if __name__ == "__main__":
    main()
