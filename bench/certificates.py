"""How long a certificate takes: prints figures, asserts nothing (the machines are 2-core, shared, noisy).

Run: python3 bench/certificates.py [--count N]

A temporary copy of the example course and a fresh issuer key (outside the copy). Then:
- per certificate, for N made-up learners (default 1,000; issue 13's target is 10,000 in under two
  minutes): signing the code (Ed25519), the QR code (segno, SVG), the PDF (typst), and the three
  together, as `coursepack certificates` runs them, with one typst compiler for the run;
- end to end, when ../shared/fixtures/moodle-4.3 is there: `coursepack certificates` in a fresh
  process on a store filled from the six recorded activities (5 eligible learners): start-up,
  course loading, the rules in the store, the PDFs, the index.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from coursepack.certificates.eligible import Recipient
from coursepack.certificates.issue import CertificateMaker
from coursepack.certificates.keys import generate_key
from coursepack.certificates.qr import qr_svg, verification_target
from coursepack.certificates.settings import CertificateSettings
from coursepack.certificates.signed_code import certificate_id, sign
from coursepack.load.course_loader import load_course
from coursepack.report.course_map import course_map
from coursepack.report.moodle_files import read_files
from coursepack.report.store import open_store

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(os.environ.get("COURSEPACK_SHARED", REPO.parent / "shared")) / "fixtures" / "moodle-4.3"
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


def per_certificate(course: Path, key_path: Path, count: int) -> None:
    loaded = load_course(course)
    key = generate_key(key_path)
    maker = CertificateMaker(loaded, CertificateSettings(), key, "https://certificates.example.org/verify", None)
    recipients = [made_up(i, key, loaded.course.id) for i in range(count)]
    signing, qr, pdf, whole = [], [], [], []
    size = 0
    started = time.perf_counter()
    for recipient in recipients:  # the steps of CertificateMaker.make, timed one by one
        t0 = time.perf_counter()
        code = sign(maker.claims(recipient), key)
        t1 = time.perf_counter()
        svg = qr_svg(verification_target(code, maker.verify_url))
        t2 = time.perf_counter()
        document = maker.renderer.render(maker.page(recipient, code), svg)
        t3 = time.perf_counter()
        signing.append(t1 - t0)
        qr.append(t2 - t1)
        pdf.append(t3 - t2)
        whole.append(t3 - t0)
        size += len(document)
    total = time.perf_counter() - started
    print(f"{count} certificates of the example course (A4, QR to a verification URL), one process:")
    print(f"  signed code (Ed25519)   {milliseconds(signing)}")
    print(f"  QR code (segno, SVG)    {milliseconds(qr)}")
    print(f"  PDF (typst)             {milliseconds(pdf)}")
    print(f"  whole certificate       {milliseconds(whole)}")
    print(f"  {total:.2f} s for {count} ({count / total:.0f} per second; 10,000 at this rate: {10_000 * total / count:.0f} s); "
          f"PDF size {size / count / 1024:.1f} KiB on average; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


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
    args = parser.parse_args()
    print(f"at {datetime.now().isoformat(timespec='seconds')}, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="coursepack-bench-certificates-") as temp:
        work = Path(temp)
        (work / "course").mkdir()
        course = copy_course(work / "course")
        key_path = work / "key" / "issuer-ed25519.pem"
        per_certificate(course, key_path, args.count)
        end_to_end(course, key_path, work)


if __name__ == "__main__":
    main()
