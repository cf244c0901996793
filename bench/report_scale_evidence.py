"""`report show` at many learners without storing their statements (issue 13): a store's evidence
tables copied N times by SQL, each copy's learner keys renamed, then `report show --format csv` timed.
Prints figures, asserts nothing.

Run: python3 bench/report_scale_evidence.py BASE.duckdb --copies 100 [--out DIR] [--runs 1]

`report show` reads the evidence tables (a row per learner, module, quiz, reflection and session) and
the course's rules, never the statements, so a store of 100,000 learners' evidence is what 10 M
statements (~105 a learner) come to. BASE is a store filled by report_scale_store.py (--keep DIR
leaves DIR/report.duckdb). The copies are the same shapes of play under other keys ("mailto:" becomes
"mailto:e<n>-"); copy 0 is the base itself.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report_scale import REPO, coursepack, load, measured, print_run  # noqa: E402

# every table report show reads per learner, with its columns after learner_key
EVIDENCE = ("learner", "enrolment", "session", "progress", "quiz_result", "reflection_result")


def copied(base: Path, copies: int, out: Path) -> Path:
    """BASE copied to OUT/evidence-<copies>.duckdb with its evidence tables copied `copies` times."""
    import duckdb

    db = out / f"evidence-{copies}.duckdb"
    if db.exists():
        return db
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(base, db)
    started = time.perf_counter()
    with duckdb.connect(str(db)) as con:
        for table in EVIDENCE:
            columns = [c for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                [table]).fetchall()]
            renamed = ", ".join(
                "regexp_replace(learner_key, ':', ':e' || CAST(n AS VARCHAR) || '-')" if c == "learner_key" else c
                for c in columns)
            con.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {renamed} "
                        f"FROM {table}, range(1, ?) AS copies(n)", [copies])
        con.execute("CHECKPOINT")
        (learners,), = con.execute("SELECT COUNT(*) FROM enrolment").fetchall()
    print(f"{db}: {learners:,} learners' evidence in {time.perf_counter() - started:.0f} s "
          f"({db.stat().st_size / 1e6:,.0f} MB)", flush=True)
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("base", type=Path)
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--out", type=Path, default=Path("/tmp/coursepack-report-evidence"))
    parser.add_argument("--runs", type=int, default=1)
    options = parser.parse_args()
    db = copied(options.base, options.copies, options.out)
    csv = options.out / f"evidence-{options.copies}.csv"
    for _ in range(options.runs):
        run = measured(coursepack("report", "show", "--format", "csv", "--out", str(csv), "--db", str(db), str(REPO)))
        print_run(f"report show --format csv, {options.copies} copies", run)
    print(f"{time.strftime('%H:%M')} UTC ({load()})")


if __name__ == "__main__":
    main()
