"""How long a certificate takes: prints figures, asserts nothing (the machines are 2-core, shared, noisy).

Run: python3 bench/certificates.py [--count N] [--workers W] [--steps S] [--qr-by segno]

A temporary copy of the example course, a fresh issuer key (outside the copy) and N made-up learners
(default 1,000; issue 13's target is 10,000 in under two minutes). Then:
- per certificate, for the first S of them (default 200): signing the code (Ed25519), the QR code
  (qr_fast, checked against segno; SVG), the PDF (typst), the Open Badges credential, and the four
  together, in one process with one typst compiler, as CPU time (the machines are shared: CPU time
  moves less with the load than wall time does);
- issuing them all: the N PDFs and badges written by `issue_certificates`' own path (every core, or W
  worker processes), with the index: wall time, the figure the target is about, and the CPU time of
  the worker processes (their start included), which moves less with other work on the machine.
  (Who is eligible comes from the report store; at this scale that is the report's benchmark.)
--qr-by segno has segno make every QR symbol, as before qr_fast (the same bytes): for before/after.
- end to end, when ../shared/fixtures/moodle-4.3 is there: `coursepack certificates` in a fresh
  process on a store filled from the six recorded activities (5 eligible learners): start-up,
  course loading, the rules in the store, the PDFs, the index.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from coursepack.certificates.eligible import Recipient
from coursepack.certificates.issue import INDEX_FILE, CertificateMaker, index_csv, worker_issuer, write_file
from coursepack.certificates.keys import generate_key
from coursepack.certificates import qr
from coursepack.certificates.qr import qr_svg, verification_target
from coursepack.certificates.settings import CertificateSettings
from coursepack.certificates.signed_code import certificate_id, sign
from coursepack.certificates.workers import WORTH_A_POOL, cores, ordered_map
from coursepack.load.course_loader import load_course
from coursepack.report.course_map import course_map
from coursepack.report.moodle_files import read_files
from coursepack.report.store import open_store

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(os.environ.get("COURSEPACK_SHARED", REPO.parent / "shared")) / "fixtures" / "moodle-4.3"
QR_BY = "COURSEPACK_BENCH_QR_BY"  # read again by each spawned worker, which imports this script anew
if os.environ.get(QR_BY) == "segno":  # every symbol made by segno, as before qr_fast: for before/after runs
    qr.symbol_rows = qr.segno_rows
FIRST_NAMES = ["Alice", "Bartholomew", "Chidinma", "Dmitri", "Eleni", "François", "Guadalupe", "Hiroshi", "Ingrid", "José"]
LAST_NAMES = ["Anders", "Berg", "Okafor", "Ivanov", "Papadopoulou", "Lefèvre", "Hernández", "Tanaka", "Johansson", "Ñúñez"]


def copy_course(target: Path) -> Path:
    for name in ("course.yaml", "modules", "assets"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target / name)
    return target


def made_up(index: int, key, course_id: str) -> Recipient:  # type: ignore[no-untyped-def]
    learner = f"mailto:learner{index}@example.org"
    name = f"{FIRST_NAMES[index % 10]} {LAST_NAMES[index // 10 % 10]}-{index}"
    done = date(2026, 9, 1) + timedelta(days=index % 90)
    quizzes = {f"quiz-{q}": float(80 + (index + q) % 21) for q in range(7)}
    return Recipient(learner, name, learner[7:], certificate_id(key, course_id, learner), done - timedelta(days=3), done, quizzes)


def milliseconds(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(ordered) * 1000:6.2f} ms, p95 {p95 * 1000:6.2f} ms"


def per_certificate(maker: CertificateMaker, recipients: list[Recipient]) -> None:
    steps: dict[str, list[float]] = {"signed code (Ed25519)": [], "QR code (SVG)": [], "PDF (typst)": [],
                                     "badge (OB 3.0, eddsa-rdfc-2022)": [], "whole certificate": []}
    samples = list(steps.values())
    clock = time.process_time
    started = time.perf_counter()
    for recipient in recipients:  # the steps of CertificateMaker.issue_one, timed one by one (no file writes)
        t0 = clock()
        code = sign(maker.claims(recipient), maker.key)
        t1 = clock()
        svg = qr_svg(verification_target(code, maker.verify_url))
        t2 = clock()
        maker.renderer.render(maker.page(recipient, code), svg)
        t3 = clock()
        maker.badges.make(recipient)
        t4 = clock()
        for sample, seconds in zip(samples, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0), strict=True):
            sample.append(seconds)
    total = time.perf_counter() - started
    print(f"{len(recipients)} certificates of the example course (A4, QR to a verification URL), one process, CPU time:")
    for name, sample in steps.items():
        print(f"  {name:32s} {milliseconds(sample)}")
    print(f"  {total:.2f} s wall for {len(recipients)}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def issuing(maker: CertificateMaker, recipients: list[Recipient], out: Path, workers: int | None) -> None:
    """What issue_certificates does after asking the store who is eligible."""
    out.mkdir()
    load = os.getloadavg()[0]
    started, children = time.perf_counter(), _children_cpu()
    issued = ordered_map(worker_issuer, maker.recipe(out), recipients, workers)
    write_file(out / INDEX_FILE, index_csv(issued))
    seconds, worker_cpu = time.perf_counter() - started, _children_cpu() - children
    count = len(recipients)
    size = sum(item.file.stat().st_size for item in issued) / count / 1024
    used = workers if workers is not None else (cores() if count >= WORTH_A_POOL else 1)
    print(f"issuing {count} (PDF + badge + index, {used} worker process{'es' if used != 1 else ''}): {seconds:.2f} s wall, "
          f"{seconds / count * 1000:.2f} ms per certificate (10,000 at this rate: {10_000 * seconds / count:.0f} s); "
          f"PDF {size:.1f} KiB on average; load average {load:.1f} before, {os.getloadavg()[0]:.1f} after, {os.cpu_count()} cores")
    if used > 1:  # the pool's processes have ended and been waited for, so their CPU time is counted
        print(f"  worker processes' CPU time: {worker_cpu:.1f} s, {worker_cpu / count * 1000:.2f} ms per certificate "
              f"({worker_cpu / used:.0f} s over {used} cores with nothing else running)")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def end_to_end(course: Path, key_path: Path, work: Path) -> None:
    if not FIXTURES.is_dir():
        print(f"end to end: skipped (no Moodle fixtures at {FIXTURES})")
        return
    loaded = load_course(course)
    db = work / "report.duckdb"
    with open_store(db) as store:
        for cmid in (2, 3, 4, 5, 6, 7):
            files = [FIXTURES / f"scorm-reports/cm{cmid}_interactions_full_CSV.txt", FIXTURES / "gradebook/grade_export_txt_default.csv"]
            store.write_import(read_files(files, course_map(loaded), source=f"moodle-files#cmid={cmid}"))
    command = [sys.executable, "-m", "coursepack", "certificates", "--db", str(db), "--key", str(key_path),
               "--out", str(work / "out"), str(course)]
    for label in ("first issue", "re-issue"):
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        print(f"end to end, {label}: {seconds:.2f} s in a fresh process ({result.stdout.strip() or result.stderr.strip()})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000, help="made-up learners to make certificates for")
    parser.add_argument("--workers", type=int, default=None, help="worker processes for issuing (default: every core)")
    parser.add_argument("--steps", type=int, default=200, help="certificates to time step by step (0: skip)")
    parser.add_argument("--qr-by", choices=["qr_fast", "segno"], default="qr_fast",
                        help="segno: every QR symbol made by segno, as before qr_fast (same bytes, for comparison)")
    args = parser.parse_args()
    if args.qr_by == "segno":
        os.environ[QR_BY] = "segno"
        qr.symbol_rows = qr.segno_rows
    print(f"at {datetime.now().isoformat(timespec='seconds')}, Python {sys.version.split()[0]}, QR symbols by {args.qr_by}")
    with tempfile.TemporaryDirectory(prefix="coursepack-bench-certificates-") as temp:
        work = Path(temp)
        (work / "course").mkdir()
        course = copy_course(work / "course")
        key_path = work / "key" / "issuer-ed25519.pem"
        loaded = load_course(course)
        key = generate_key(key_path)
        maker = CertificateMaker(loaded, CertificateSettings(), key, "https://certificates.example.org/verify", None)
        recipients = [made_up(i, key, loaded.course.id) for i in range(args.count)]
        if args.steps:
            per_certificate(maker, recipients[: args.steps])
        issuing(maker, recipients, work / "issued", args.workers)
        end_to_end(course, key_path, work)


if __name__ == "__main__":
    main()
