"""Benchmarks: print figures, assert nothing. Run: python3 bench/run.py [--skip-browser] [--example-only]

- start-up: wall time of `coursepack --version` and of `coursepack validate` on the example course, each
  in a fresh process (median of 7, and the least CPU time of the 7, which the machine's load moves less),
  beside `python -c pass` on the same machine, and the interpreter's path and version; the bytecode cache
  written first, as a user's first run writes it (under PYTHONDONTWRITEBYTECODE every run would compile
  coursepack's modules again); `validate` twice: a first check (no record of the course kept), beside the
  named dependencies alone (click, PyYAML and pydantic imported and one two-field model built, in a fresh
  process: the floor coursepack's own code cannot cut), and unchanged since a check (the kept outcome);
- build time (wall) and peak RSS of `coursepack build` on the example course; and `coursepack build
  --target all` of it (every target and edition) in a fresh process, as a user waits for it (median wall
  of 7, least CPU), a first build (nothing kept in the cache folder; the templates' compiled code
  ships with coursepack) and again unchanged (the Markdown's HTML kept), each against `zip -9` of the
  same files (the packages unzipped into one tree);
- the same on a generated 500-module / 5,000-question course to every target and edition
  (--target all --sco-per-module: one SCO per module, as such a course must be split to fit
  SCORM 1.2's 4,096 characters), and how the time grows to 1,000 modules, for `build` and
  `validate` alike (linear: 2x the modules, about 2x the time);
- peak RSS of a build of the example course plus one 300 MB video (made at bench time in
  a temporary copy of the course: assets are streamed, so memory must not follow size);
- gzipped size of the runtime JS + CSS that ships in every package;
- time to the first interactive page in headless Debian chromium.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# The floor under `validate`'s first check that coursepack's own code cannot cut: the dependencies it names
# imported, and one model built (pydantic's first validator imports its schema generator and plugin loader).
NAMED_DEPENDENCIES = "import click, yaml, pydantic\nclass Pair(pydantic.BaseModel):\n    a: int\n    b: str\nPair(a=1, b='b')\n"


def timed_command(*args: str) -> tuple[float, float, float]:
    """(seconds, peak RSS of the process, peak RSS of its build worker, in MB) of one `coursepack` command in a
    fresh process (a build forks at most one worker: RUSAGE_CHILDREN's peak is that one's; 0 when none). The
    worker is forked once the course is loaded: its RSS counts the pages it still shares with the process
    (the imports and the loaded course, 52 MB of 500 modules at the fork), so the sum of the two counts those twice."""
    code = (
        "import resource, sys, time\n"
        "from click.testing import CliRunner\n"
        "from coursepack.cli import main\n"
        "t = time.perf_counter()\n"
        f"r = CliRunner().invoke(main, {list(args)!r})\n"
        "dt = time.perf_counter() - t\n"
        "assert r.exit_code == 0, r.output\n"
        "own, worker = (resource.getrusage(who).ru_maxrss / 1024 for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))\n"
        "print(dt, own, worker)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    seconds, own, worker = result.stdout.split()[-3:]
    return float(seconds), float(own), float(worker)


def fresh_process_seconds(*argv: str, runs: int = 7, cold: bool = False) -> tuple[float, float]:
    """(median wall time, least CPU time) of a command in a fresh process, interpreter start included
    (as a user waits for it). cold: each run with no record of the course kept (load/cache_files.py)."""
    walls, cpus = [], []
    for _ in range(runs):
        if cold:
            os.environ["COURSEPACK_CACHE"] = tempfile.mkdtemp(dir=os.environ.get("COURSEPACK_CACHE_ROOT"))
        started = time.perf_counter()
        process = subprocess.Popen(argv, cwd=REPO, stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        walls.append(time.perf_counter() - started)
        cpus.append(usage.ru_utime + usage.ru_stime)
        if os.waitstatus_to_exitcode(status) != 0:
            raise subprocess.CalledProcessError(os.waitstatus_to_exitcode(status), argv)
    return sorted(walls)[len(walls) // 2], min(cpus)


def write_bytecode_cache(*argv: str) -> None:
    """Run the command once with bytecode writing allowed, so that the runs measured read coursepack's
    compiled modules as an installed copy does (Python reads the cache even under PYTHONDONTWRITEBYTECODE)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(argv, cwd=REPO, check=True, stdout=subprocess.DEVNULL, env=env)


def coursepack_command() -> list[str]:
    """The installed `coursepack` script beside this interpreter, else `python -m coursepack`."""
    script = Path(sys.executable).with_name("coursepack")
    return [str(script)] if script.exists() else [sys.executable, "-m", "coursepack"]


def measured_package() -> Path:
    """The coursepack package folder the measured commands import. An editable install maps the venv's
    `coursepack` to the checkout it was installed from, which need not be this one (PYTHONPATH, searched
    first, can name this tree instead)."""
    printed = subprocess.run([sys.executable, "-c", "import coursepack; print(coursepack.__file__)"],
                             cwd=REPO, capture_output=True, text=True, check=True).stdout
    return Path(printed.strip()).resolve().parent


def zip9_seconds(packages: list[Path], tree: Path, runs: int = 3) -> float:
    """Least wall time of `zip -9 -r` over the files of the packages, unzipped into one tree: the floor the
    example build is compared with (its own work beyond writing the same bytes compressed)."""
    import zipfile

    for package in packages:
        zipfile.ZipFile(package).extractall(tree / package.stem)
    archive = tree.with_suffix(".zip")
    walls = []
    for _ in range(runs):
        archive.unlink(missing_ok=True)  # zip would otherwise update the archive of the run before
        started = time.perf_counter()
        subprocess.run(["zip", "-9", "-q", "-r", str(archive), "."], cwd=tree, check=True)
        walls.append(time.perf_counter() - started)
    return min(walls)


def load_average() -> str:
    """The machine's 1-minute load average, printed beside each timing: on a shared machine it says how far to trust it."""
    return f"load average {os.getloadavg()[0]:.1f}"


def timed_build(course: Path, out: Path, *extra: str) -> tuple[float, float, float]:
    """(seconds, peak RSS of the process, peak RSS of its worker, in MB) of one build in a fresh process."""
    return timed_command("build", str(course), "--out", str(out), *extra)


def largest_package_mb(folder: Path) -> float:
    """Uncompressed size of the biggest package in folder, in MB."""
    import zipfile

    return max(sum(info.file_size for info in zipfile.ZipFile(p).infolist()) for p in folder.glob("*.zip")) / 1048576


def generate_course(root: Path, modules: int, questions_per_module: int) -> None:
    (root / "modules").mkdir(parents=True)
    (root / "assets").mkdir()
    files = [f"modules/m{i:03d}.yaml" for i in range(modules)]
    course = {
        "id": "https://example.org/courses/bench", "slug": "bench", "title": "Benchmark course",
        "description": "Generated.", "language": "en", "version": "1.0.0",
        "authors": [{"name": "bench"}], "modules": files,
        "certificate": {"title": "Certificate", "issuer": "Bench", "signatory": {"name": "A", "role": "B"}},
    }
    (root / "course.yaml").write_text(json.dumps(course))  # JSON is YAML

    def question(i: int, j: int) -> dict:
        """Question j of module i, of one of five types. Every text names its module and question, as
        in a real course: the build renders each distinct text once, so repeated texts would flatter it."""
        tag = f"{i}.{j}"
        kinds = [
            {"type": "single_choice", "choices": [{"id": c, "text": f"Choice {c.upper()} ({tag})"} for c in "abc"], "answer": "b"},
            {"type": "true_false", "answer": True},
            {"type": "multiple_response", "choices": [{"id": c, "text": f"Option {c.upper()} ({tag})"} for c in "ab"], "answers": ["a"]},
            {"type": "matching", "pairs": [{"id": c, "prompt": f"Term {c.upper()} ({tag})", "match": f"{n} ({tag})"} for n, c in enumerate("xy")]},
            {"type": "sequencing", "items": [{"id": c, "text": f"Step {c.upper()} ({tag})"} for c in "pq"]},
        ]
        return {"id": f"q{j}", "prompt": f"Question {j} of module {i}?", **kinds[j % len(kinds)]}

    for i, rel in enumerate(files):
        questions = [question(i, j) for j in range(questions_per_module)]
        module = {
            "id": f"m{i:03d}", "title": f"Module {i}", "objectives": ["Learn."], "minutes": 10,
            "pages": [
                {"id": "read", "title": "Read", "blocks": [{"type": "text", "text": f"Some **text** of module {i}.\n\n- a\n- b\n" * 5}]},
                {"id": "reflect", "title": "Reflect", "blocks": [{"type": "reflection", "id": f"r{i}", "prompt": f"Why module {i}?", "min_chars": 10}]},
                {"id": "quiz", "title": "Quiz", "blocks": [{"type": "quiz", "id": f"quiz{i}", "questions": questions}]},
            ],
        }
        (root / rel).write_text(json.dumps(module))


def course_with_big_video(root: Path, megabytes: int) -> None:
    """A copy of the example course with one more module: a page holding a video of the given size."""
    root.mkdir(parents=True)
    shutil.copyfile(REPO / "course.yaml", root / "course.yaml")
    for folder in ("modules", "assets"):
        shutil.copytree(REPO / folder, root / folder)
    with (root / "assets" / "big.mp4").open("wb") as handle:
        for _ in range(megabytes):  # random bytes: nothing on disk or in zlib can shortcut them
            handle.write(os.urandom(1024 * 1024))
    (root / "assets" / "big.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:05.000\nA long video.\n", encoding="utf-8")
    module = {
        "id": "bench-video", "title": "A long video", "objectives": ["Watch."], "minutes": 10,
        "pages": [{"id": "watch", "title": "Watch", "blocks": [
            {"type": "video", "src": "big.mp4", "title": "A long video", "captions": "big.vtt"},
        ]}],
    }
    (root / "modules" / "99-bench-video.yaml").write_text(json.dumps(module))
    text = (root / "course.yaml").read_text(encoding="utf-8")
    last = "  - modules/07-policy-responsible-use.yaml\n"
    assert last in text, "the example course's module list changed: update bench/run.py"
    (root / "course.yaml").write_text(text.replace(last, last + "  - modules/99-bench-video.yaml\n"), encoding="utf-8")


def runtime_size(target: str = "scorm12") -> tuple[int, int]:
    """Raw and gzipped bytes of the player a target's packages carry (its adapter and what that needs)."""
    from coursepack.render.page import runtime_files
    from coursepack.targets.registry import TARGETS

    files = runtime_files(TARGETS[target].adapter)
    blob = b"".join(content for name, content in sorted(files.items()) if name.endswith((".js", ".css")))
    return len(blob), len(gzip.compress(blob, 9))


def first_page_ms(package: Path) -> float:
    import http.server
    import threading
    import zipfile
    from functools import partial

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as site:
        zipfile.ZipFile(package).extractall(site)
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=site))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
        with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
            browser = p.chromium.launch_persistent_context(
                profile, executable_path="/usr/bin/chromium", headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-sync"],
            )
            page = browser.new_page()
            page.goto(url)  # warm-up: first launch pays for disk caches
            times = []
            mark = "() => performance.getEntriesByName('coursepack:interactive').map(e => e.startTime)[0]"
            for _ in range(7):
                page.goto(url, wait_until="commit")
                page.wait_for_function(f"({mark})() !== undefined")
                times.append(page.evaluate(mark))  # ms from navigation start, measured by the browser
            browser.close()
        server.shutdown()
    return sorted(times)[len(times) // 2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--example-only", action="store_true", help="start-up and the example course only (about a minute)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        # the records validate and build keep of a course: in this run's folder, not the user's
        os.environ["COURSEPACK_CACHE_ROOT"] = tmp
        os.environ["COURSEPACK_CACHE"] = tempfile.mkdtemp(dir=tmp)
        package = measured_package()
        elsewhere = "" if package == (REPO / "builder").resolve() else "  NOT this tree's builder/: the figures below are another checkout's"
        print(f"coursepack measured: {package}{elsewhere}")
        # builds of one Python version differ: pyenv's 3.11 (no PGO) runs the start-up about 1.5x slower than Debian's
        print(f"interpreter: {sys.executable} (Python {platform.python_version()}, built {platform.python_build()[1]}, {platform.python_compiler()})")
        write_bytecode_cache(*coursepack_command(), "validate", str(REPO))
        floor, floor_cpu = fresh_process_seconds(sys.executable, "-c", "pass")
        version, version_cpu = fresh_process_seconds(*coursepack_command(), "--version")
        print(f"coursepack --version: {version:.3f} s wall, {version_cpu:.3f} s CPU (python -c pass: {floor:.3f} s, {floor_cpu:.3f} s CPU)"
              f"  (target < 0.15 s)  [{load_average()}]")
        validated, validated_cpu = fresh_process_seconds(*coursepack_command(), "validate", str(REPO), cold=True)
        print(f"validate of the example course, first check: {validated:.3f} s wall, {validated_cpu:.3f} s CPU  (target < 0.3 s)  [{load_average()}]")
        named, named_cpu = fresh_process_seconds(sys.executable, "-c", NAMED_DEPENDENCIES)
        print(f"  the named dependencies alone (click, PyYAML, pydantic imported, one two-field model built): {named:.3f} s wall, "
              f"{named_cpu:.3f} s CPU  [{load_average()}]")
        validated, validated_cpu = fresh_process_seconds(*coursepack_command(), "validate", str(REPO))
        print(f"validate of the example course, unchanged since a check: {validated:.3f} s wall, {validated_cpu:.3f} s CPU  (target < 0.3 s)  [{load_average()}]")
        seconds, rss, _ = timed_build(REPO, tmp_path / "example")  # no worker: one target
        print(f"example course build: {seconds:.2f} s wall, peak RSS {rss:.0f} MB  (target < 1 s)")
        every = (*coursepack_command(), "build", str(REPO), "--target", "all", "--out", str(tmp_path / "example-all"))
        first, first_cpu = fresh_process_seconds(*every, cold=True)
        again, again_cpu = fresh_process_seconds(*every)  # finding what the last first build kept
        floor_zip = zip9_seconds(sorted((tmp_path / "example-all").glob("*.zip")), tmp_path / "example-tree")
        for when, wall, cpu in (("first build (nothing kept)", first, first_cpu), ("again unchanged (Markdown kept)", again, again_cpu)):
            print(f"example course, every target and edition, {when}: {wall:.3f} s wall, {cpu:.3f} s CPU, {wall / floor_zip:.1f}x zip -9 "
                  f"of the same files ({floor_zip:.3f} s)  (target < 1 s, at most 10x)  [{load_average()}]")
        if args.example_only:
            return
        big, bigger = tmp_path / "big", tmp_path / "bigger"
        generate_course(big, 500, 10)
        generate_course(bigger, 1000, 10)
        every = ("--target", "all", "--sco-per-module")
        seconds, own, worker = timed_build(big, tmp_path / "big-out", *every)
        largest = largest_package_mb(tmp_path / "big-out")
        shutil.rmtree(tmp_path / "big-out")
        print(f"500 modules / 5,000 questions build, every target and edition: {seconds:.2f} s wall, peak RSS {own + worker:.0f} MB "
              f"({own:.0f} + {worker:.0f} MB; largest package {largest:.0f} MB unzipped)  (target < 10 s, < 300 MB)  [{load_average()}]")
        seconds_1000, own_1000, worker_1000 = timed_build(bigger, tmp_path / "bigger-out", *every)
        largest_1000 = largest_package_mb(tmp_path / "bigger-out")
        shutil.rmtree(tmp_path / "bigger-out")
        print(f"1,000 modules build, every target and edition: {seconds_1000:.2f} s wall ({seconds_1000 / seconds:.2f}x the 500-module time), "
              f"peak RSS {own_1000 + worker_1000:.0f} MB ({own_1000:.0f} + {worker_1000:.0f} MB), on 500 modules {own_1000 - own:+.0f} MB in the process, "
              f"{worker_1000 - worker:+.0f} MB in the worker ({own_1000 + worker_1000 - own - worker:+.0f} MB summed) (largest package {largest_1000:.0f} MB unzipped, "
              f"{largest_1000 - largest:+.0f} MB)  (target at most 2.1x; memory to grow no more than the largest package)  [{load_average()}]")
        checked, _, _ = timed_command("validate", str(big), "--sco-per-module")
        checked_1000, _, _ = timed_command("validate", str(bigger), "--sco-per-module")
        print(f"validate --sco-per-module: 500 modules {checked:.2f} s, 1,000 modules {checked_1000:.2f} s "
              f"({checked_1000 / checked:.2f}x)  (target at most 2.1x)  [{load_average()}]")
        shutil.rmtree(bigger)
        video = tmp_path / "video"
        course_with_big_video(video, 300)
        seconds, rss, _ = timed_build(video, tmp_path / "video-out")
        shutil.rmtree(video)
        sizes = ", ".join(f"{p.stat().st_size / 1048576:.0f} MB" for p in sorted((tmp_path / "video-out").glob("*.zip")))
        print(f"example course + one 300 MB video build: {seconds:.2f} s wall, peak RSS {rss:.0f} MB, packages {sizes}  (target: RSS as without the video)")
        shutil.rmtree(tmp_path / "video-out")
        from coursepack.targets.registry import TARGETS

        for target in TARGETS:
            raw, gz = runtime_size(target)
            print(f"runtime JS+CSS, {target}: {raw / 1024:.1f} KB raw, {gz / 1024:.1f} KB gzipped  (target < 40 KB gzipped)")
        if not args.skip_browser:
            package = next((tmp_path / "example").glob("*-scorm12.zip"))
            print(f"first interactive page (median of 7, navigation start to player ready, standalone, headless chromium): {first_page_ms(package):.0f} ms  (target < 150 ms)")


if __name__ == "__main__":
    main()
