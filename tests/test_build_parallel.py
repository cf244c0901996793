"""`coursepack build` on two cores (issue 16): the packages made in two processes are byte for byte those of
one process, a failure in the forked worker is reported as a serial build reports it and leaves nothing
behind, and Ctrl+C stops the worker."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from coursepack.cli import main
from coursepack.commands import build as build_module, build_workers
from coursepack.commands.build import build_packages
from coursepack.load.course_loader import load_course
from coursepack.load.errors import CourseError, Problem
from coursepack.targets.registry import TARGETS
from conftest import REPO, SCAFFOLD


@pytest.fixture
def course(tmp_path: Path) -> Path:
    target = tmp_path / "course"
    shutil.copytree(SCAFFOLD, target)
    return target


@pytest.fixture
def staging(tmp_path: Path, monkeypatch) -> Path:
    """The folder `build` stages its packages in, so a test can see that none is left behind."""
    folder = tmp_path / "staging"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def force_workers(monkeypatch, workers: int) -> None:
    monkeypatch.setattr(build_module, "worker_count", lambda editions, pages: workers)


def pids_writing_zips(monkeypatch, folder: Path) -> Path:
    """Each process that writes a zip leaves a file named by its pid in folder (a forked worker's
    memory is its own: a file is how the test learns that a second process really built)."""
    folder.mkdir()
    write_zip = build_module.write_zip

    def recorded(files, path):
        (folder / str(os.getpid())).touch()
        write_zip(files, path)

    monkeypatch.setattr(build_module, "write_zip", recorded)
    return folder


def cli_build(course: Path, out: Path, *extra: str):
    return CliRunner().invoke(main, ["build", str(course), "--out", str(out), *extra])


@pytest.mark.parametrize("extra", [["--target", "all"], ["--target", "all", "--sco-per-module"], ["--target", "all", "--au-per-course"]])
def test_two_processes_build_the_same_bytes_as_one(tmp_path: Path, monkeypatch, extra: list[str]) -> None:
    force_workers(monkeypatch, 1)
    serial = cli_build(REPO, tmp_path / "serial", *extra)
    assert serial.exit_code == 0, serial.output
    force_workers(monkeypatch, 2)
    pids = pids_writing_zips(monkeypatch, tmp_path / "pids")
    parallel = cli_build(REPO, tmp_path / "parallel", *extra)
    assert parallel.exit_code == 0, parallel.output
    assert len(list(pids.iterdir())) == 2, "the packages were not made by two processes"
    names = sorted(p.name for p in (tmp_path / "serial").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "parallel").iterdir()) and len(names) >= 4
    for name in names:
        assert (tmp_path / "serial" / name).read_bytes() == (tmp_path / "parallel" / name).read_bytes(), name
    assert parallel.output.replace("parallel", "serial") == serial.output  # the same lines, in the same order


def test_runs_are_contiguous_stretches_of_the_build_order() -> None:
    assert build_workers.runs(8, 2) == [[0, 1, 2, 3], [4, 5, 6, 7]]  # both editions: one each
    assert build_workers.runs(3, 2) == [[0, 1], [2]]
    assert build_workers.runs(1, 2) == [[0]]
    assert build_workers.runs(5, 1) == [[0, 1, 2, 3, 4]]


def test_one_process_per_edition_and_none_where_it_does_not_pay(monkeypatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    big = build_workers.PARALLEL_MIN_PAGES
    assert build_workers.worker_count(2, big) == 2
    assert build_workers.worker_count(1, big) == 1  # one edition: its pages would be rendered twice
    assert build_workers.worker_count(2, big - 1) == 1
    assert sum(len(m.module.pages) for m in load_course(REPO).modules) < big  # the example course: one process
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    assert build_workers.worker_count(2, big) == 1
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert build_workers.worker_count(2, big) == 1


def test_the_progress_count_runs_through_every_package_once(tmp_path: Path) -> None:
    loaded = load_course(REPO)
    seen: list[int] = []
    build_packages(loaded, list(TARGETS), loaded.course.editions(), tmp_path, on_package=seen.append, workers=2)
    assert seen == list(range(1, len(TARGETS) * 2 + 1))


def failing_in(monkeypatch, editions: dict[str, str]) -> None:
    """package_files fails with a problem for these editions (edition → message), as when an asset is
    removed while the course builds."""
    package_files = build_module.package_files

    def failing(loaded, target_name, edition, **kwargs):
        if edition in editions:
            raise CourseError([Problem(f"modules/{edition}.yaml", 3, 5, editions[edition])])
        return package_files(loaded, target_name, edition, **kwargs)

    monkeypatch.setattr(build_module, "package_files", failing)


@pytest.mark.parametrize("editions", [{"certificate": "asset 'x.png' is no longer a regular file"},
                                      {"standard": "first in build order", "certificate": "second in build order"}],
                         ids=["in-the-worker", "in-both"])
def test_a_failure_is_reported_as_a_serial_build_reports_it_and_nothing_is_left(course: Path, tmp_path: Path, staging: Path,
                                                                                monkeypatch, editions: dict[str, str]) -> None:
    failing_in(monkeypatch, editions)
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("old")
    force_workers(monkeypatch, 1)
    serial = cli_build(course, out, "--target", "all")
    force_workers(monkeypatch, 2)
    parallel = cli_build(course, out, "--target", "all")
    assert parallel.exit_code == serial.exit_code == 2
    first = next(iter(editions.values()))
    assert parallel.output == serial.output == f"modules/{next(iter(editions))}.yaml:3:5: {first}\n1 problem found.\n"
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert list(staging.iterdir()) == []


@pytest.mark.parametrize("how", ["raises", "killed"])
def test_a_worker_that_crashes_fails_the_build_and_leaves_nothing(course: Path, tmp_path: Path, staging: Path, monkeypatch, how: str) -> None:
    package_files = build_module.package_files

    def crashing(loaded, target_name, edition, **kwargs):
        if edition == "certificate":  # made by the forked worker
            if how == "killed":
                os.kill(os.getpid(), signal.SIGKILL)
            raise RuntimeError("disk on fire")
        return package_files(loaded, target_name, edition, **kwargs)

    monkeypatch.setattr(build_module, "package_files", crashing)
    force_workers(monkeypatch, 2)
    out = tmp_path / "out"
    result = cli_build(course, out, "--target", "all")
    assert isinstance(result.exception, build_workers.BuildWorkerError)
    expected = "RuntimeError: disk on fire" if how == "raises" else "stopped without a report (killed by SIGKILL)"
    assert expected in str(result.exception)
    assert not out.exists() and list(staging.iterdir()) == []


def test_ctrl_c_stops_the_worker(course: Path, tmp_path: Path, staging: Path, monkeypatch) -> None:
    pid_file = tmp_path / "worker.pid"
    package_files = build_module.package_files

    def slow_worker_interrupted_parent(loaded, target_name, edition, **kwargs):
        if edition == "certificate":  # the worker: would run on long after the parent stopped
            written = pid_file.with_suffix(".partial")  # renamed: the parent never reads it half-written
            written.write_text(str(os.getpid()))
            written.replace(pid_file)
            time.sleep(60)
        while not pid_file.exists():  # the parent: Ctrl+C once the worker is busy
            time.sleep(0.01)
        raise KeyboardInterrupt

    monkeypatch.setattr(build_module, "package_files", slow_worker_interrupted_parent)
    force_workers(monkeypatch, 2)
    started = time.monotonic()
    result = cli_build(course, tmp_path / "out", "--target", "all")
    assert result.exit_code == 1 and "Aborted!" in result.output  # click's answer to Ctrl+C
    assert time.monotonic() - started < 30, "the build waited for the worker"
    with pytest.raises(ProcessLookupError):  # stopped and reaped: not even a zombie is left
        os.kill(int(pid_file.read_text()), 0)
    assert not (tmp_path / "out").exists() and list(staging.iterdir()) == []
