"""Reports at scale on PostgreSQL (issue 13: the rules in SQL that runs where the data lives): a store of
N copies of 1,000 learners' statements in a PostgreSQL server of its own, the evidence rebuild and
`report show --format csv --db postgresql://…` timed, the CSV compared with DuckDB's for the same learners.
Prints figures beside issue 13's targets; checks the store and the report (exit 1 when wrong).

Run: python3 bench/report_scale_pg.py [--copies 10] [--chunk 10] [--runs 3] [--work DIR] [--duck STORE]
    [--pgoptions '-c jit=off'] [--without-indexes] [--hold]
(DIR: /tmp/coursepack-report-pg, holding the server's data; STORE: a DuckDB store of the same N copies made
by report_scale_10m.py, e.g. /tmp/a10m/store-10.duckdb; without it report_scale_10m.py makes one in DIR/duck)

1. a server (tests/pg_server.py, as the tests start theirs: Debian's binaries, 127.0.0.1, a free port, data
   in DIR, fsync off, every other setting the default: shared_buffers 128 MB, work_mem 4 MB), one database
   with ICU's en-US collation as the tests make (the report must not sort by it);
2. base (a fresh process): 1,000 learners' statements through `lrs_store.store_page` into that database
   (report_scale_store's base facts and copy 0, by import: 105,146 statements, every learner stale),
   the sync's own path;
3. `CREATE DATABASE … TEMPLATE base`, then (a fresh process) copies 1 … N-1 of every per-statement row by
   `INSERT … SELECT … FROM base CROSS JOIN generate_series(…)`, renamed by report_scale_10m's own
   expressions (STATEMENT_COPY: the same SQL runs here), then VACUUM ANALYZE (what autovacuum would do
   after such a load, done at once so every step below sees the same statistics); counts checked;
   --without-indexes then drops the statements' two lookup indexes (lrs_store.STATEMENT_INDEXES, in the
   schema since 2026-12-03), to see what they change;
4. each a fresh process: the full evidence rebuild (every learner stale), a rebuild with nothing stale,
   one with one learner stale, `coursepack report show --format csv` --runs times (and --runs more with
   --pgoptions as libpq's PGOPTIONS, their CSV compared with the first); wall, CPU and peak RSS
   of the coursepack process from the kernel, and the CPU the server's processes used meanwhile
   (the postmaster's own and reaped children's, plus its live children: backends, autovacuum, writers);
5. checks: the base database's own report (rebuilt and shown there) gives rows by status x N
   (report_scale_10m.check_report); the PostgreSQL CSV equals DuckDB's CSV of the same store, byte for byte.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from report_scale import REPO, Run, coursepack, load, mb, measured, print_outcome  # noqa: E402
from report_scale_10m import SHOW_TARGETS, TABLES, check_report  # noqa: E402
from report_scale_store import PAGE, SOURCE, base_facts, renamed  # noqa: E402

from tests.pg_server import Postgres, newest_bin_dir, unavailable  # noqa: E402

SCRIPT_10M = str(Path(__file__).with_name("report_scale_10m.py"))
TICKS = os.sysconf("SC_CLK_TCK")


# ---- what runs in the fresh processes ------------------------------------------------------------------------


def fill(db: str, base_learners: int, cache: Path) -> None:
    """The base (copy 0) page by page through lrs_store.store_page, as report_scale_store.fill stores a
    copy (its own fill now asks DuckDB for its memory, which PostgreSQL has no setting for)."""
    from coursepack.load.course_loader import load_course
    from coursepack.report import lrs_store
    from coursepack.report.course_map import course_map
    from coursepack.report.lrs_evidence import xapi_course
    from coursepack.report.store import open_store

    loaded = load_course(REPO)
    course_id = xapi_course(loaded, course_map(loaded)).course_id
    facts = renamed(base_facts(base_learners, cache), 0)
    started, cpu = time.perf_counter(), time.process_time()
    with open_store(db) as store:  # the URL, as the sync's --db takes it
        lrs_store.install(store)
        state = lrs_store.read_state(store, SOURCE, course_id)
        for start in range(0, len(facts), PAGE):
            page = facts[start : start + PAGE]
            high = max((f.stored for f in page if f.stored is not None), default=None)
            more = None if start + PAGE >= len(facts) else "next"
            _, state = lrs_store.store_page(store, SOURCE, course_id, page, since=None, more=more, page_high=high,
                                            state=state)
    print(f"fill: {len(facts):,} statements through lrs_store.store_page in {time.perf_counter() - started:.0f} s wall, "
          f"{time.process_time() - cpu:.1f} CPU-s", flush=True)


def rebuild(db: str, stale_one: bool) -> None:
    from report_scale_store import rebuild as store_rebuild

    store_rebuild(db, stale_one)


# what the rebuild's read (lrs_store.evidence_rows) uses on PostgreSQL: a stale batch's statements by
# learner, and the voiding statements by their target; without them each batch scans the whole table
INDEXES = ("xapi_statement_learner", "xapi_statement_object")  # made by lrs_store.install


def copy_rows(db: str, copies: int, chunk: int, without_indexes: bool) -> None:
    """Copies 1 … copies-1 of every per-statement row of the base (copy 0), `chunk` copies an INSERT."""
    from coursepack.report.store import open_store

    with open_store(db) as store:
        for table in TABLES:  # the base rows apart, so each chunk reads 105,146 rows, not the growing table
            store.execute(f"CREATE TEMP TABLE base_{table} AS SELECT * FROM {table}")
        started, cpu = time.perf_counter(), time.process_time()
        for low in range(1, copies, chunk):
            high = min(copies, low + chunk)
            t0 = time.perf_counter()
            for table, renaming in TABLES.items():
                columns = [c for (c,) in store.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                    "AND table_name = ? ORDER BY ordinal_position", [table])]
                select = ", ".join(renaming.get(c, c) for c in columns)
                store.execute(f"INSERT INTO {table} SELECT {select} FROM base_{table} "
                              "CROSS JOIN generate_series(CAST(? AS INTEGER), CAST(? AS INTEGER)) AS copies(n)",
                              [low, high - 1])
            print(f"  copies {low}-{high - 1}: {time.perf_counter() - t0:.1f} s wall ({load()})", flush=True)
        for index in INDEXES if without_indexes else ():
            store.execute(f"DROP INDEX IF EXISTS {index}")
            print(f"  dropped {index}", flush=True)
        t0 = time.perf_counter()
        store.execute("VACUUM ANALYZE")
        print(f"  VACUUM ANALYZE: {time.perf_counter() - t0:.1f} s wall", flush=True)
        for table, key in (("xapi_statement", "statement_id"), ("lrs_stale", "learner_key")):
            ((rows, distinct),) = store.execute(f"SELECT COUNT(*), COUNT(DISTINCT {key}) FROM {table} WHERE source = ?",
                                                [SOURCE])
            print(f"  {table}: {rows:,} rows, {distinct:,} distinct keys", flush=True)
    print(f"copied in {time.perf_counter() - started:.0f} s wall, {time.process_time() - cpu:.1f} CPU-s (client)", flush=True)


# ---- the server's CPU -----------------------------------------------------------------------------------------


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def server_cpu(postmaster: int) -> float:
    """CPU seconds of the server so far: the postmaster's own and its reaped children's (backends that
    ended), and its live children's (backends, autovacuum, checkpointer, writers)."""
    fields = _stat(postmaster)
    total = sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime, stime, cutime, cstime
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            child = _stat(int(entry.name))
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(child[1]) == postmaster:  # field 4, ppid
            total += int(child[11]) + int(child[12])
    return total / TICKS


# ---- the run ---------------------------------------------------------------------------------------------------


class Bench:
    def __init__(self, server: Postgres, password: str) -> None:
        self.server = server
        self.env = {"PGPASSWORD": password}  # libpq's: the URLs on the command lines carry no password

    def step(self, title: str, args: list[str], target: str = "", env: dict[str, str] | None = None) -> Run:
        before, cpu = load(), server_cpu(self.server.postmaster_pid())
        run = measured(args, env={**self.env, **(env or {})})
        time.sleep(0.5)  # the backend ends after the client, and is reaped
        used = server_cpu(self.server.postmaster_pid()) - cpu
        print(f"{title}: {run.wall:.1f} s wall, {run.cpu:.1f} CPU-s coursepack + {used:.1f} CPU-s server, "
              f"peak RSS {mb(run.peak_kib)} (exit {run.code}; before {before}, after {load()})"
              f"{'  [' + target + ']' if target else ''}", flush=True)
        print_outcome(run, title)
        return run


def without_password(url: str) -> str:
    parts = urlsplit(url)
    netloc = f"{parts.username}@{parts.hostname}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def database_size(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as connection:
        (size,) = connection.execute("SELECT pg_database_size(current_database())").fetchone()
    return f"{size / 1e9:.2f} GB"


def clone(url: str, name: str) -> str:
    """A new database of the server, a copy of the database at url (CREATE DATABASE … TEMPLATE)."""
    import psycopg

    template = urlsplit(url).path.lstrip("/")
    admin = url.replace(f"/{template}", "/postgres")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    return url.replace(f"/{template}", f"/{name}")


def duck_csv(work: Path, copies: int, duck: Path | None, bench: Bench) -> Path:
    """DuckDB's CSV of the same N copies: --duck's store shown by this code (a copy of it), or a store
    report_scale_10m.py makes."""
    folder = work / "duck"
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"store-{copies}-duckdb.csv"
    if duck is None:
        run = subprocess.run([sys.executable, SCRIPT_10M, "--copies", str(copies), "--runs", "1", "--work", str(folder)],
                             capture_output=True, text=True)
        print("DuckDB reference (report_scale_10m.py):\n  " + run.stdout.strip().replace("\n", "\n  "), flush=True)
        if run.returncode != 0:
            raise SystemExit(f"report_scale_10m.py failed: {run.stderr.strip()[-400:]}")
        shutil.copyfile(folder / f"store-{copies}.csv", out)
        return out
    db = folder / duck.name
    shutil.copyfile(duck, db)  # report show refreshes the rules in the store: never in someone else's file
    bench.step("DuckDB: report show --format csv (same store, same code)",
               coursepack("report", "show", "--format", "csv", "--out", str(out), "--db", str(db), str(REPO)))
    db.unlink()
    return out


def compare(pg_csv: Path, duck: Path) -> list[str]:
    a, b = pg_csv.read_bytes(), duck.read_bytes()
    if a == b:
        print(f"  the PostgreSQL CSV equals DuckDB's byte for byte ({len(a):,} bytes)")
        return []
    lines_a, lines_b = a.splitlines(), b.splitlines()
    differ = [i for i, (x, y) in enumerate(zip(lines_a, lines_b)) if x != y]
    print(f"  the CSVs differ: {len(lines_a):,} / {len(lines_b):,} lines, {len(differ):,} lines differ")
    for i in differ[:5]:
        print(f"    line {i + 1}:\n      PostgreSQL {lines_a[i]!r}\n      DuckDB     {lines_b[i]!r}")
    return [f"the PostgreSQL CSV is not DuckDB's ({len(differ):,} lines differ)"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--chunk", type=int, default=10, help="copies inserted by one statement")
    parser.add_argument("--runs", type=int, default=3, help="report show runs")
    parser.add_argument("--base-learners", type=int, default=1000)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "coursepack-report-scale")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "coursepack-report-pg")
    parser.add_argument("--duck", type=Path, default=None, help="a DuckDB store of the same copies (report_scale_10m.py)")
    parser.add_argument("--pgoptions", default="", metavar="OPTIONS",
                        help="also time report show with these session settings (libpq's PGOPTIONS), e.g. '-c jit=off'")
    parser.add_argument("--without-indexes", action="store_true",
                        help="drop the two lookup indexes of INDEXES after the copy (stores before 2026-12-03 had none)")
    parser.add_argument("--hold", action="store_true",
                        help="keep the server after the run, until Ctrl+C, to look at plans with psql (its URL, with the "
                             "password, in DIR/server-url, readable by you only)")
    parser.add_argument("--do", choices=("fill", "copy", "rebuild", "rebuild-one"), help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.do == "fill":
        return fill(options.db, options.base_learners, options.cache)
    if options.do == "copy":
        return copy_rows(options.db, options.copies, options.chunk, options.without_indexes)
    if options.do in ("rebuild", "rebuild-one"):
        return rebuild(options.db, options.do == "rebuild-one")
    reason = unavailable()
    if reason:
        raise SystemExit(f"no PostgreSQL server can be started here: {reason}")
    print(f"{time.strftime('%Y-%m-%d %H:%M')} UTC, {options.copies} copies of {options.base_learners:,} learners on "
          f"PostgreSQL; {os.cpu_count()} cores ({load()})", flush=True)
    options.work.mkdir(parents=True, exist_ok=True)
    os.chmod(options.work, 0o755)  # the server (user postgres) enters its folder inside
    server = Postgres(newest_bin_dir(), root=Path(tempfile.mkdtemp(prefix="pg-", dir=options.work)))
    server.start()
    try:
        big_url = run_bench(server, options)
        if options.hold:
            hold(big_url, options.work / "server-url")
    finally:
        server.stop()


def hold(url: str, record: Path) -> None:
    record.touch(mode=0o600)
    record.write_text(url + "\n")
    print(f"the server runs until Ctrl+C or SIGTERM (psql \"$(cat {record})\")", flush=True)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stopped either way, the server with it
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        record.unlink(missing_ok=True)


def run_bench(server: Postgres, options: argparse.Namespace) -> str:
    """The steps and checks (exit 1 when wrong); the URL of the big store."""
    import psycopg

    with psycopg.connect(server.url()) as connection:
        settings = {name: connection.execute(f"SHOW {name}").fetchone()[0]
                    for name in ("server_version", "shared_buffers", "work_mem", "max_parallel_workers_per_gather")}
    print("server: " + ", ".join(f"{k} {v}" for k, v in settings.items()) + f"; data in {server.data}", flush=True)
    bench = Bench(server, server.password)
    base_url = server.new_database()
    base = without_password(base_url)
    me = [sys.executable, __file__, "--base-learners", str(options.base_learners), "--cache", str(options.cache)]
    bench.step("base: 1 copy through lrs_store.store_page", [*me, "--do", "fill", "--db", base])
    big_url = clone(base_url, f"store_{options.copies}")
    big = without_password(big_url)
    bench.step(f"copy by SQL, {options.chunk} copies an INSERT, then VACUUM ANALYZE",
               [*me, "--do", "copy", "--copies", str(options.copies), "--chunk", str(options.chunk), "--db", big]
               + (["--without-indexes"] if options.without_indexes else []))
    print(f"  database {database_size(big_url)} after the copy", flush=True)
    bench.step("evidence rebuild, every learner", [*me, "--do", "rebuild", "--db", big], "no target in issue 13")
    bench.step("evidence rebuild, nothing stale", [*me, "--do", "rebuild", "--db", big])
    bench.step("evidence rebuild, one learner stale", [*me, "--do", "rebuild-one", "--db", big])
    print(f"  database {database_size(big_url)} with its evidence", flush=True)
    out = options.work / f"store-{options.copies}-postgresql.csv"
    learners = options.copies * options.base_learners
    target = next((text for most, text in SHOW_TARGETS if learners <= most), "no target in issue 13")
    for number in range(options.runs):
        bench.step(f"report show --format csv, run {number + 1}",
                   coursepack("report", "show", "--format", "csv", "--out", str(out), "--db", big, str(REPO)), target)
    print(f"  {out.stat().st_size / 1e6:.1f} MB of CSV", flush=True)
    problems: list[str] = []
    if options.pgoptions:  # the same command with session settings (libpq's PGOPTIONS), e.g. jit off
        varied = options.work / f"store-{options.copies}-postgresql-pgoptions.csv"
        for number in range(options.runs):
            bench.step(f"report show --format csv with PGOPTIONS='{options.pgoptions}', run {number + 1}",
                       coursepack("report", "show", "--format", "csv", "--out", str(varied), "--db", big, str(REPO)),
                       target, {"PGOPTIONS": options.pgoptions})
        if varied.read_bytes() != out.read_bytes():
            problems.append(f"the CSV with PGOPTIONS='{options.pgoptions}' differs from the CSV without")
    # the base database's own report: the reference for rows by status
    bench.step("base: evidence rebuild", [*me, "--do", "rebuild", "--db", base])
    base_csv = options.work / "base-postgresql.csv"
    bench.step("base: report show --format csv",
               coursepack("report", "show", "--format", "csv", "--out", str(base_csv), "--db", base, str(REPO)))
    problems += check_report(base_csv, out, options.copies)
    problems += compare(out, duck_csv(options.work, options.copies, options.duck, bench))
    print(f"{time.strftime('%H:%M')} UTC ({load()})")
    if problems:
        print("WRONG:\n  " + "\n  ".join(problems[:20]))
        if not options.hold:
            raise SystemExit(1)
    else:
        print("checked: the store and the report are right")
    return big_url


if __name__ == "__main__":
    main()
