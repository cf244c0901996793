"""Reports at scale (issue 13): `report sync --lrs` and `report show` over a million statements and more.
Prints figures, asserts nothing (the machines are 2-core, shared and noisy).

Run: python3 bench/report_scale.py [--learners 10000] [--big-learners N] [--limit 500] [--postgres URL]

1. Statements for the example course as its xAPI package sends them (report_scale_statements.py):
   --learners learners, about 105 statements each, seeded. Written once as StatementResult pages into
   a cache folder (--cache, reused while complete).
2. Those pages served by a static xAPI statements resource on 127.0.0.1 (report_scale_lrs.py, its own
   process): Ralph cannot be loaded with a million statements here, and a server that only sends
   files measures the *client*. Its CPU is printed beside the client's.
3. `coursepack report sync --lrs` in a fresh process into a fresh DuckDB store: wall, statements/s,
   peak RSS and VmRSS samples over the run (flat while syncing?); then a second sync (nothing new:
   what every nightly sync costs); then `report show --format csv --out F`: wall and peak RSS.
4. --big-learners N (100,000: about 10.5 M statements; default 0, skipped): the store filled through the sync's own
   code (lrs_sync.sync) with the statements made in the same process and handed over page by page, no
   HTTP and no files (10 M statements are 15 GB of JSON); then `report show --format csv` in a fresh
   process. At 0.6 ms a statement that is well over an hour on this machine.
5. --postgres URL: step 3 again into that PostgreSQL database (it must be empty).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report_scale_lrs import ENDPOINT_PATH, read_index, write_pages  # noqa: E402
from report_scale_statements import statements  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
USER, PASSWORD = "bench", "bench-password"
SAMPLE_EVERY_S = 0.25
TICKS = os.sysconf("SC_CLK_TCK")


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def mb(kib: float) -> str:
    return f"{kib / 1024:,.0f} MB"


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a running process (/proc/PID/stat fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def vm_rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


@dataclass
class Run:
    wall: float
    cpu: float
    peak_kib: int
    code: int
    samples: list[tuple[float, int]] = field(default_factory=list)  # (seconds since start, VmRSS KiB)
    stdout: str = ""
    stderr_lines: list[tuple[float, str]] = field(default_factory=list)


def measured(args: list[str], env: dict[str, str] | None = None) -> Run:
    """Run a command, sampling its VmRSS; wall, CPU and peak RSS from the kernel (wait4)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})
    run = Run(0.0, 0.0, 0, 0)
    done = threading.Event()

    def sample() -> None:
        while not done.wait(SAMPLE_EVERY_S):
            rss = vm_rss_kib(proc.pid)
            if rss is not None:
                run.samples.append((time.perf_counter() - start, rss))

    def read_stderr() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            run.stderr_lines.append((time.perf_counter() - start, line.rstrip()))

    threads = [threading.Thread(target=sample, daemon=True), threading.Thread(target=read_stderr, daemon=True)]
    for thread in threads:
        thread.start()
    assert proc.stdout is not None
    run.stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    run.wall = time.perf_counter() - start
    done.set()
    for thread in threads:
        thread.join()
    run.cpu = usage.ru_utime + usage.ru_stime
    run.peak_kib = usage.ru_maxrss
    run.code = proc.returncode
    return run


def print_run(title: str, run: Run, count: int | None = None) -> None:
    rate = f", {count / run.wall:,.0f} statements/s" if count else ""
    print(f"{title}: {run.wall:.1f} s wall, {run.cpu:.1f} CPU-s{rate}, peak RSS {mb(run.peak_kib)} (exit {run.code}; {load()})")
    if run.code != 0:
        print("  stdout:", run.stdout.strip()[-400:])
        print("  stderr:", " | ".join(line for _, line in run.stderr_lines[-5:]))


def print_outcome(run: Run, title: str) -> None:
    """What a timed step printed, its VmRSS samples, and an end to the bench if it failed."""
    if run.stdout.strip():
        print("  " + run.stdout.strip().replace("\n", "\n  "))
    if run.code != 0:
        print("  stderr:", " | ".join(line for _, line in run.stderr_lines[-5:]))
        raise SystemExit(f"{title} failed")
    print_samples(run, every=8)


def print_samples(run: Run, every: int = 10) -> None:
    """A few VmRSS samples spread over the run, and the sync's own progress lines (one each 10 s)."""
    if not run.samples:
        return
    shown = _spread(run.samples, every)
    print("  VmRSS over time: " + ", ".join(f"{t:.0f} s {mb(k)}" for t, k in shown))
    for t, line in _spread(run.stderr_lines, every):
        print(f"  stderr at {t:.0f} s: {line}")


def _spread(items: list, every: int) -> list:
    """About `every` items spread over the list, the last always among them (and never twice)."""
    picked = items[:: max(1, len(items) // every)]
    return picked if not items or picked[-1] is items[-1] else picked + items[-1:]


# ---- the statements and the static LRS ----------------------------------------------------------------------


def pages_folder(cache: Path, learners: int, seed: int, limit: int) -> tuple[Path, dict[str, Any]]:
    folder = cache / f"learners{learners}-seed{seed}-limit{limit}"
    index = read_index(folder)
    if index is not None:
        print(f"statements: {index['statements']:,} for {learners:,} learners in {index['pages']:,} pages "
              f"({index['bytes'] / 1e9:.2f} GB of JSON), reused from {folder}")
        return folder, index
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    index = write_pages(statements(learners, seed, REPO), limit, folder)
    print(f"statements: {index['statements']:,} for {learners:,} learners ({index['statements'] / learners:.0f} each) "
          f"in {index['pages']:,} pages of {limit} ({index['bytes'] / 1e9:.2f} GB of JSON), made in "
          f"{time.perf_counter() - started:.0f} s ({load()})")
    return folder, index


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """The static LRS in its own process, so its CPU is counted apart from the client's."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).with_name("report_scale_lrs.py")), str(folder),
                                      str(self.port), USER, PASSWORD], stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        if self.proc.stdout.readline().strip() != "ready":
            raise SystemExit("the static LRS did not start")
        self.url = f"http://127.0.0.1:{self.port}{ENDPOINT_PATH}"

    def cpu(self) -> float:
        return cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(10)


# ---- the measurements ---------------------------------------------------------------------------------------------


def coursepack(*args: str) -> list[str]:
    return [sys.executable, "-m", "coursepack", *args]


def sync_and_show(server: Server, index: dict[str, Any], db: str, limit: int, out: Path, label: str) -> None:
    env = {"COURSEPACK_LRS_USER": USER, "COURSEPACK_LRS_PASSWORD": PASSWORD}
    command = coursepack("report", "sync", "--lrs", server.url, "--limit", str(limit), "--db", db, str(REPO))
    before = server.cpu()
    first = measured(command, env)
    served = server.cpu() - before
    print_run(f"[{label}] first sync, {index['statements']:,} statements", first, index["statements"])
    print(f"  server CPU {served:.1f} s against the client's {first.cpu:.1f} s; {first.stdout.strip()}")
    print_samples(first)
    again = measured(command, env)
    print_run(f"[{label}] second sync (nothing new; reads the last day again, rebuilds the evidence)", again)
    print(f"  {again.stdout.strip()}")
    show = measured(coursepack("report", "show", "--format", "csv", "--out", str(out), "--db", db, str(REPO)))
    print_run(f"[{label}] report show --format csv", show)
    print(f"  {out.stat().st_size / 1e6:.1f} MB, {sum(1 for _ in out.open(encoding='utf-8-sig')) - 1:,} learners"
          if out.exists() else "  no CSV written")


class GeneratedLrs:
    """What lrs_sync.sync needs of an LrsClient, over statements made here: pages of `limit`."""

    endpoint = "http://127.0.0.1/xAPI/"  # never contacted; names the source in the store

    def __init__(self, made: Iterator[dict[str, Any]], limit: int) -> None:
        self._made = made
        self._limit = limit
        self.count = 0

    def first_url(self, course_id: str, since: str | None, limit: int) -> str:
        return f"{self.endpoint}statements?page=0"

    def page(self, url: str, number: int) -> Any:
        from coursepack.report.lrs_client import Page

        batch = [s for _, s in zip(range(self._limit), self._made)]
        self.count += len(batch)
        more = f"{self.endpoint}statements?page={number}" if len(batch) == self._limit else None
        return Page(url, batch, more)


def big(learners: int, limit: int, work: Path) -> None:
    """The store filled through lrs_sync.sync (in this process), then `report show` in a fresh one."""
    from coursepack.load.course_loader import load_course
    from coursepack.report.course_map import course_map
    from coursepack.report.lrs_evidence import xapi_course
    from coursepack.report.lrs_sync import sync
    from coursepack.report.store import open_store

    loaded = load_course(REPO)
    course = xapi_course(loaded, course_map(loaded))
    db = work / "big.duckdb"
    client = GeneratedLrs(statements(learners, 13, REPO), limit)
    started = time.perf_counter()
    cpu = time.process_time()
    with open_store(db) as store:
        result = sync(store, client, course, limit=limit)  # type: ignore[arg-type]
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"[big] {client.count:,} statements for {learners:,} learners made and stored through lrs_sync.sync in "
          f"{wall:.0f} s wall, {time.process_time() - cpu:.0f} CPU-s (statement making included), "
          f"{result.learners:,} learners, peak RSS {mb(peak)}, store {db.stat().st_size / 1e9:.2f} GB ({load()})")
    out = work / "big.csv"
    show = measured(coursepack("report", "show", "--format", "csv", "--out", str(out), "--db", str(db), str(REPO)))
    print_run(f"[big] report show --format csv ({learners:,} learners)", show)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--big-learners", type=int, default=0)
    parser.add_argument("--limit", type=int, default=500)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "coursepack-report-scale")
    parser.add_argument("--postgres", default=None, metavar="URL", help="also sync into this (empty) PostgreSQL database")
    options = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M')} UTC, {os.cpu_count()} cores, {load()}")
    folder, index = pages_folder(options.cache, options.learners, options.seed, options.limit)
    work = Path(tempfile.mkdtemp(prefix="coursepack-report-scale-"))
    server = Server(folder)
    try:
        sync_and_show(server, index, str(work / "report.duckdb"), options.limit, work / "report.csv", "DuckDB")
        if options.postgres:
            sync_and_show(server, index, options.postgres, options.limit, work / "report-pg.csv", "PostgreSQL")
            same = (work / "report.csv").read_bytes() == (work / "report-pg.csv").read_bytes()
            print(f"  CSV from DuckDB and PostgreSQL byte-identical: {same}")
    finally:
        server.stop()
    if options.big_learners:
        big(options.big_learners, options.limit, work)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
