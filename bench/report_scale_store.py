"""Reports at scale without HTTP (issue 13): a report store holding millions of statements, filled
through the sync's own ingest code, then the evidence rebuild and `report show --format csv` timed.
Prints figures, asserts nothing.

Run: python3 bench/report_scale_store.py [--base-learners 1000] [--copies 10] [--keep DIR] [--fill-only]
                                        [--random-ids] [--ascending-stored] [--memory-limit SIZE]
                                        [--unbounded-fill]

Making and checking 10 M statements as report_scale.py does (statements made, served over HTTP,
checked by xapi_facts) would take well over an hour here. Instead:

1. the base: --base-learners learners' statements from report_scale_statements.py (the same seeded
   generator; about 105 each), each checked by `xapi_facts.statement_facts` as the sync checks it;
2. fill (a fresh process): --copies copies of the base, each copy's learners, statement ids and
   voiding targets renamed (c<n>- in front), stored page by page (500) through `lrs_store.store_page`,
   the function the sync stores every page with (the same rows, the same stale-learner marks);
   wall, CPU and VmRSS over the fill, and DuckDB's own account of its memory (duckdb_memory()) after
   each copy. Each page is renamed as it is stored, so Python holds the base and one page: VmRSS
   follows the store. --random-ids: statement ids (and voiding targets) are UUIDs made from the
   renamed ids instead, as random as an LRS's, so each page's primary-key checks touch the whole index
   rather than one copy's corner of it (the copy's tag in front keeps them together). --ascending-stored:
   each copy's `stored` times come after the previous copy's (shifted by the base's span), as one LRS's
   do over a sync; without it every copy repeats the base's times, which a store that finds a page's
   statements by their `stored` range (DuckDB, lrs_store._stored_before) pays for with wider scans.
   Per copy: that lookup's CPU per page, where the code has it;
3. rebuild (a fresh process): `lrs_rebuild.rebuild_evidence`, every learner stale (a fresh store),
   as the sync's last step; then again with nothing stale; then with one learner stale;
4. `coursepack report show --format csv --out F` (a fresh process).

Wall, CPU and peak RSS of each process from the kernel (wait4), VmRSS sampled every 0.25 s.
--memory-limit SIZE runs every step with COURSEPACK_REBUILD_MEMORY_LIMIT=SIZE (the DuckDB memory_limit
a sync stores its pages and rebuilds the evidence under, engine.py; "80%" is DuckDB's own default).
The fill stores under it as the sync does (round 6 on; --unbounded-fill: without it, as before).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import pickle
import resource
import shutil
import sys
import tempfile
import time
import uuid
from contextlib import nullcontext
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report_scale import REPO, coursepack, load, mb, measured, print_run, print_samples  # noqa: E402

SOURCE = "lrs:http://127.0.0.1/xAPI/"
PAGE = 500
RANDOM_IDS = uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")  # any fixed namespace: the same ids every run


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


def shifted(facts: list, by: timedelta) -> list:
    """The facts with their `stored` times moved by `by`."""
    return [dataclasses.replace(f, stored=f.stored + by if f.stored is not None else None) for f in facts]


def stored_span(facts: list) -> timedelta:
    """From the base's first `stored` time to a second after its last: each copy's times after the previous copy's."""
    times = [f.stored for f in facts if f.stored is not None]
    return max(times) - min(times) + timedelta(seconds=1) if times else timedelta(0)


class LookupClock:
    """CPU spent in lrs_store._stored_before (the DuckDB store's search for statements stored before),
    and how many times; absent before it existed."""

    def __init__(self, lrs_store: Any) -> None:
        self.seconds, self.calls = 0.0, 0
        original = getattr(lrs_store, "_stored_before", None)
        self.present = original is not None
        if original is None:
            return

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds += time.process_time() - started
                self.calls += 1

        lrs_store._stored_before = timed

    def take(self) -> str:
        """What it cost since the last take()."""
        if not self.present:
            return ""
        text = f"; lookups {self.seconds / max(self.calls, 1) * 1000:.1f} CPU-ms a page ({self.calls} pages)"
        self.seconds, self.calls = 0.0, 0
        return text


def random_ids(facts: list) -> list:
    """The facts with their statement ids (and voiding targets) as name-based UUIDs of those ids."""
    def rid(value: str) -> str:
        return str(uuid.uuid5(RANDOM_IDS, value))

    return [dataclasses.replace(f, statement_id=rid(f.statement_id),
                                object_id=rid(f.object_id) if f.verb.endswith("/voided") else f.object_id)
            for f in facts]


def duckdb_memory(store: Any) -> str:
    """DuckDB's own account of the memory it holds, by tag (what a memory_limit bounds)."""
    rows = store.execute("SELECT tag, memory_usage_bytes, temporary_storage_bytes FROM duckdb_memory() "
                         "WHERE memory_usage_bytes + temporary_storage_bytes >= 1000000 ORDER BY tag")
    return ", ".join(f"{tag} {used / 1e6:.0f} MB" + (f" (+{spilled / 1e6:.0f} MB on disk)" if spilled else "")
                     for tag, used, spilled in rows) or "nothing"


def own_rss_mb() -> str:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return mb(int(line.split()[1]))
    return "?"


def fill(db: Path, base_learners: int, copies: int, cache: Path, randomise: bool = False,
         ascending: bool = False, unbounded: bool = False) -> None:
    from coursepack.load.course_loader import load_course
    from coursepack.report import lrs_store
    from coursepack.report.course_map import course_map
    from coursepack.report.lrs_evidence import xapi_course
    from coursepack.report.store import open_store

    facts = base_facts(base_learners, cache)
    span = stored_span(facts) if ascending else timedelta(0)
    clock = LookupClock(lrs_store)
    course_id = xapi_course(load_course(REPO), course_map(load_course(REPO))).course_id
    started, cpu = time.perf_counter(), time.process_time()
    with open_store(db) as store:
        lrs_store.install(store)
        state = lrs_store.read_state(store, SOURCE, course_id)
        # the sync stores its pages under the store's memory bound (lrs_sync.py), and so does the fill
        # but with --unbounded-fill (the sync's inserts before round 6)
        with nullcontext() if unbounded else lrs_store.bounded_memory(store):
            ((limit,),) = store.execute("SELECT current_setting('memory_limit')")
            print(f"  DuckDB memory_limit {limit}", flush=True)
            fill_copies(store, facts, copies, course_id, state, randomise, span, clock, started, cpu)
    print(f"fill: {copies * len(facts):,} statements through lrs_store.store_page in {time.perf_counter() - started:.0f} s wall, "
          f"{time.process_time() - cpu:.0f} CPU-s", flush=True)


def fill_copies(store: Any, facts: list, copies: int, course_id: str, state: Any, randomise: bool, span: timedelta,
                clock: LookupClock, started: float, cpu: float) -> Any:
    """The copies page by page through lrs_store.store_page, with figures after each copy; the last state."""
    from coursepack.report import lrs_store

    stored = 0
    for copy in range(copies):
        copy_cpu = time.process_time()
        for start in range(0, len(facts), PAGE):
            page = renamed(facts[start : start + PAGE], copy)
            if randomise:
                page = random_ids(page)
            if span:
                page = shifted(page, span * copy)
            high = max((f.stored for f in page if f.stored is not None), default=None)
            last = copy == copies - 1 and start + PAGE >= len(facts)
            _, state = lrs_store.store_page(store, SOURCE, course_id, page, since=None,
                                            more=None if last else "next", page_high=high, state=state)
            stored += len(page)
        print(f"  copy {copy + 1}/{copies}: {stored:,} statements in {time.perf_counter() - started:.0f} s, "
              f"{time.process_time() - cpu:.0f} CPU-s ({time.process_time() - copy_cpu:.1f} this copy{clock.take()}); "
              f"VmRSS {own_rss_mb()}; DuckDB: {duckdb_memory(store)} ({load()})", flush=True)
    return state


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


def step(title: str, args: list[str], env: dict[str, str] | None = None) -> None:
    run = measured(args, env)
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
    parser.add_argument("--fill-only", action="store_true", help="time the fill alone")
    parser.add_argument("--random-ids", action="store_true", help="statement ids as random as an LRS's")
    parser.add_argument("--unbounded-fill", action="store_true",
                        help="store the pages without the memory bound (as the sync did before round 6)")
    parser.add_argument("--ascending-stored", action="store_true",
                        help="each copy's `stored` times after the previous copy's, as one LRS's")
    parser.add_argument("--memory-limit",
                        help="COURSEPACK_REBUILD_MEMORY_LIMIT for every step (80%%: DuckDB's default)")
    parser.add_argument("--do", choices=("fill", "rebuild", "rebuild-one"), help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.do == "fill":
        return fill(options.db, options.base_learners, options.copies, options.cache, options.random_ids,
                    options.ascending_stored, options.unbounded_fill)
    if options.do in ("rebuild", "rebuild-one"):
        return rebuild(options.db, options.do == "rebuild-one")
    env = {"COURSEPACK_REBUILD_MEMORY_LIMIT": options.memory_limit} if options.memory_limit else None
    print(f"{time.strftime('%Y-%m-%d %H:%M')} UTC, {options.copies} copies of {options.base_learners:,} learners"
          f"{', random ids' if options.random_ids else ''}{', ascending stored times' if options.ascending_stored else ''}"
          f"; memory limit "
          f"{options.memory_limit or os.environ.get('COURSEPACK_REBUILD_MEMORY_LIMIT') or 'the default'} ({load()})")
    work = options.keep or Path(tempfile.mkdtemp(prefix="coursepack-report-store-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "report.duckdb"
    me = [sys.executable, __file__, "--base-learners", str(options.base_learners), "--copies", str(options.copies),
          "--cache", str(options.cache), "--db", str(db)] + (["--random-ids"] if options.random_ids else []) + (
          ["--ascending-stored"] if options.ascending_stored else []) + (
          ["--unbounded-fill"] if options.unbounded_fill else [])
    if not options.skip_fill:
        db.unlink(missing_ok=True)
        step("fill", [*me, "--do", "fill"], env)
        print(f"  store {db.stat().st_size / 1e9:.2f} GB")
    if options.fill_only:
        return
    step("evidence rebuild, every learner", [*me, "--do", "rebuild"], env)
    step("evidence rebuild, nothing stale", [*me, "--do", "rebuild"], env)
    step("evidence rebuild, one learner stale", [*me, "--do", "rebuild-one"], env)
    out = work / "report.csv"
    step("report show --format csv", coursepack("report", "show", "--format", "csv", "--out", str(out), "--db", str(db),
                                                str(REPO)), env)
    print(f"  {out.stat().st_size / 1e6:.1f} MB, {sum(1 for _ in out.open(encoding='utf-8-sig')) - 1:,} learners"
          if out.exists() else "  no CSV written")
    if options.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
