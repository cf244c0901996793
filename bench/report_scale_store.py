"""Reports at scale without HTTP (issue 13): a report store holding millions of statements, filled
through the sync's own ingest code, then the evidence rebuild and `report show --format csv` timed.
Prints figures, asserts nothing.

Run: python3 bench/report_scale_store.py [--base-learners 1000] [--copies 10] [--batch 5000] [--keep DIR]

Making and checking 10 M statements as report_scale.py does (statements made, served over HTTP,
checked by xapi_facts) would take well over an hour here. Instead:

1. the base: --base-learners learners' statements from report_scale_statements.py (the same seeded
   generator; about 105 each), each checked by `xapi_facts.statement_facts` as the sync checks it;
2. fill (a fresh process): --copies copies of the base, each copy's learners, statement ids and
   voiding targets renamed (c<n>- in front), stored page by page (500) through `lrs_store.store_page`,
   the function the sync stores every page with (the same rows, the same stale-learner marks);
   wall, CPU and VmRSS over the fill;
3. rebuild (a fresh process): `lrs_rebuild.rebuild_evidence`, every learner stale (a fresh store),
   as the sync's last step; then again with nothing stale; then with one learner stale;
4. `coursepack report show --format csv --out F` (a fresh process).

Wall, CPU and peak RSS of each process from the kernel (wait4), VmRSS sampled every 0.25 s.
"""

from __future__ import annotations

import argparse
import dataclasses
import pickle
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report_scale import REPO, coursepack, load, mb, measured, print_run, print_samples  # noqa: E402

SOURCE = "lrs:http://127.0.0.1/xAPI/"
PAGE = 500


def base_facts(learners: int, cache: Path) -> list:
    """The base learners' statements as checked facts, kept in the cache folder (pickle) once made."""
    from coursepack.report.xapi_facts import statement_facts
    from report_scale_statements import statements

    path = cache / f"facts-learners{learners}-seed13.pickle"
    if path.exists():
        return pickle.loads(path.read_bytes())
    started = time.process_time()
    facts = [statement_facts(raw) for raw in statements(learners, 13, REPO)]
    print(f"base: {len(facts):,} statements for {learners:,} learners made and checked in "
          f"{time.process_time() - started:.0f} CPU-s ({load()})", flush=True)
    cache.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(facts))
    return facts


def renamed(facts: list, copy: int) -> list:
    """The base's facts as another set of learners: keys, statement ids and voiding targets renamed."""
    tag = f"c{copy}-"

    def key(value: str | None) -> str | None:
        return None if value is None else value.replace(":", ":" + tag, 1)

    out = []
    for f in facts:
        voids = f.verb.endswith("/voided")
        out.append(dataclasses.replace(f, statement_id=tag + f.statement_id, learner_key=key(f.learner_key),
                                       object_id=tag + f.object_id if voids else f.object_id))
    return out


def fill(db: Path, base_learners: int, copies: int, cache: Path) -> None:
    from coursepack.load.course_loader import load_course
    from coursepack.report import lrs_store
    from coursepack.report.course_map import course_map
    from coursepack.report.lrs_evidence import xapi_course
    from coursepack.report.store import open_store

    facts = base_facts(base_learners, cache)
    course_id = xapi_course(load_course(REPO), course_map(load_course(REPO))).course_id
    started, cpu = time.perf_counter(), time.process_time()
    stored = 0
    with open_store(db) as store:
        lrs_store.install(store)
        state = lrs_store.read_state(store, SOURCE, course_id)
        for copy in range(copies):
            page_facts = renamed(facts, copy)
            for start in range(0, len(page_facts), PAGE):
                page = page_facts[start : start + PAGE]
                high = max((f.stored for f in page if f.stored is not None), default=None)
                last = copy == copies - 1 and start + PAGE >= len(page_facts)
                _, state = lrs_store.store_page(store, SOURCE, course_id, page, since=None,
                                                more=None if last else "next", page_high=high, state=state)
                stored += len(page)
            print(f"  copy {copy + 1}/{copies}: {stored:,} statements in {time.perf_counter() - started:.0f} s "
                  f"({load()})", flush=True)
    print(f"fill: {stored:,} statements through lrs_store.store_page in {time.perf_counter() - started:.0f} s wall, "
          f"{time.process_time() - cpu:.0f} CPU-s", flush=True)


def rebuild(db: Path, stale_one: bool) -> None:
    from coursepack.load.course_loader import load_course
    from coursepack.report.course_map import course_map
    from coursepack.report.lrs_evidence import xapi_course
    from coursepack.report.lrs_rebuild import rebuild_evidence
    from coursepack.report.store import open_store

    loaded = load_course(REPO)
    course = xapi_course(loaded, course_map(loaded))
    with open_store(db) as store:
        if stale_one:
            ((key,),) = store.execute("SELECT MIN(learner_key) FROM enrolment")
            store.execute("INSERT INTO lrs_stale VALUES (?, ?, ?)", [SOURCE, course.course_id, key])
        started, cpu = time.perf_counter(), time.process_time()
        count = rebuild_evidence(store, course, SOURCE)
    print(f"rebuilt {count:,} learners in {time.perf_counter() - started:.1f} s wall, {time.process_time() - cpu:.1f} CPU-s "
          f"(peak RSS {mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)})", flush=True)


def step(title: str, args: list[str]) -> None:
    run = measured(args)
    print_run(title, run)
    print("  " + run.stdout.strip().replace("\n", "\n  "))
    print_samples(run, every=12)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-learners", type=int, default=1000)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "coursepack-report-scale")
    parser.add_argument("--keep", type=Path, default=None, help="use (and keep) this folder for the store")
    parser.add_argument("--skip-fill", action="store_true", help="reuse the store in --keep")
    parser.add_argument("--do", choices=("fill", "rebuild", "rebuild-one"), help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.do == "fill":
        return fill(options.db, options.base_learners, options.copies, options.cache)
    if options.do in ("rebuild", "rebuild-one"):
        return rebuild(options.db, options.do == "rebuild-one")
    print(f"{time.strftime('%Y-%m-%d %H:%M')} UTC, {options.copies} copies of {options.base_learners:,} learners ({load()})")
    work = options.keep or Path(tempfile.mkdtemp(prefix="coursepack-report-store-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "report.duckdb"
    me = [sys.executable, __file__, "--base-learners", str(options.base_learners), "--copies", str(options.copies),
          "--cache", str(options.cache), "--db", str(db)]
    if not options.skip_fill:
        db.unlink(missing_ok=True)
        step("fill", [*me, "--do", "fill"])
        print(f"  store {db.stat().st_size / 1e9:.2f} GB")
    step("evidence rebuild, every learner", [*me, "--do", "rebuild"])
    step("evidence rebuild, nothing stale", [*me, "--do", "rebuild"])
    step("evidence rebuild, one learner stale", [*me, "--do", "rebuild-one"])
    out = work / "report.csv"
    step("report show --format csv", coursepack("report", "show", "--format", "csv", "--out", str(out), "--db", str(db),
                                                str(REPO)))
    print(f"  {out.stat().st_size / 1e6:.1f} MB, {sum(1 for _ in out.open(encoding='utf-8-sig')) - 1:,} learners"
          if out.exists() else "  no CSV written")
    if options.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
