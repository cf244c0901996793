"""`coursepack build` on both cores: the packages, in build order, cut into runs, one per process.

The first run is made in this process and each other run in a child forked after the course is loaded
and checked, so a child starts with the loaded course in memory (no import, no pickling; its pages are
shared copy-on-write). Runs are contiguous stretches of the build order (every target of one edition,
then the next edition), so the packages of a run still share their renders; `build` makes one run per
edition (worker_count).

Each child writes its zips into the same folder as this process and reports over a pipe: each package
it starts (for the progress line), then done, the problems that stopped it, or its traceback. Nothing
here touches the output folder: `build` copies the packages there only once every run has succeeded.
"""

from __future__ import annotations

import os
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coursepack.load.errors import CourseError, Problem

# multiprocessing is imported only when a build forks (a small course never does): its import was about
# 3 % of the example's build
if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

# make_run(run, started): makes the packages of run (indexes into the build order) in order, calling
# started(index) as each is begun; raises CourseError when one cannot be made.
MakeRun = Callable[[Sequence[int], Callable[[int], None]], None]

# A smaller course is built in one process: a second process compiles the templates and renders the
# Markdown again (about 0.35 s of CPU on the 44-page example course, whose packages take 0.6 s in all).
PARALLEL_MIN_PAGES = 150
POLL_S = 0.2  # how often the progress line is brought up to date while the children finish


class BuildWorkerError(RuntimeError):
    """A child failed other than with the course's problems (a bug, a full disk, a signal)."""


def worker_count(editions: int, course_pages: int) -> int:
    """How many processes make the packages: one per edition, the split that renders least twice (only
    the Markdown; cut between targets, an edition's pages would be rendered again in each process: 40 %
    more CPU for one edition of the 500-module course). One when forking does not pay: one edition, a
    course of fewer than PARALLEL_MIN_PAGES pages, a platform without fork, one usable core."""
    if editions < 2 or course_pages < PARALLEL_MIN_PAGES:
        return 1
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(editions, cores))


def runs(count: int, workers: int) -> list[list[int]]:
    """range(count) cut into `workers` contiguous runs, the longer ones first."""
    size, extra = divmod(count, workers)
    bounds = [0]
    for n in range(workers):
        bounds.append(bounds[-1] + size + (1 if n < extra else 0))
    return [list(range(start, end)) for start, end in zip(bounds, bounds[1:]) if end > start]


@dataclass
class _Failure:
    index: int  # the package being made: the failure serial order would have met first is reported
    problems: list[Problem] | None = None
    crash: str | None = None


def make_runs(all_runs: list[list[int]], make_run: MakeRun, on_package: Callable[[int], None] | None = None) -> None:
    """Make every run: the first here, the others in forked children; return once all have ended.
    on_package(n) is called in this process as the n-th package (1-based, all processes) is started.
    Raises the CourseError (or BuildWorkerError) of the lowest-numbered package that failed, as a serial
    build would have; on KeyboardInterrupt the children are stopped before it propagates."""
    started = 0

    def count_started() -> None:
        nonlocal started
        started += 1
        if on_package is not None:
            on_package(started)

    if len(all_runs) == 1:
        make_run(all_runs[0], lambda _index: count_started())
        return
    children = _fork_children(all_runs[1:], make_run)
    try:
        failures: list[_Failure] = []
        last = all_runs[0][0]

        def here(index: int) -> None:
            nonlocal last
            last = index
            for child in children:  # the children's packages started so far count on the same line
                _drain(child, count_started, failures)
            count_started()

        try:
            make_run(all_runs[0], here)
        except CourseError as error:
            failures.append(_Failure(last, problems=error.problems))
        from multiprocessing.connection import wait

        while any(not child.ended for child in children):
            wait([child.receive for child in children if not child.ended], timeout=POLL_S)
            for child in children:
                _drain(child, count_started, failures)
        for child in children:
            child.process.join()
            if not child.reported:
                failures.append(_Failure(child.last, crash=f"a build worker stopped without a report ({_exit_reason(child.process)})"))
    finally:
        _stop(children)
    if failures:
        first = min(failures, key=lambda f: f.index)
        if first.problems is not None:
            raise CourseError(first.problems)
        raise BuildWorkerError(first.crash)


@dataclass
class _Child:
    process: BaseProcess
    receive: Connection
    last: int  # the package it started last (before it starts one: the first of its run)
    reported: bool = False  # sent done, its problems or its traceback
    ended: bool = False  # its end of the pipe is closed


def _fork_children(child_runs: list[list[int]], make_run: MakeRun) -> list[_Child]:
    import multiprocessing

    context = multiprocessing.get_context("fork")
    for stream in (sys.stdout, sys.stderr):  # a child flushes what it inherited: print nothing twice
        stream.flush()
    children: list[_Child] = []
    try:
        for run in child_runs:
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_child_main, args=(run, make_run, send), name="coursepack-build", daemon=True)
            process.start()
            send.close()  # the child holds the only write end: end of file when it exits
            children.append(_Child(process, receive, last=run[0]))
    except BaseException:
        _stop(children)
        raise
    return children


def _child_main(run: Sequence[int], make_run: MakeRun, send: Connection) -> None:
    """In the child: make the run, reporting each package begun and how the run ended."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle: it stops the children
    last = run[0]

    def started(index: int) -> None:
        nonlocal last
        last = index
        send.send(("started", index))

    try:
        make_run(run, started)
        send.send(("done",))
    except CourseError as error:
        send.send(("problems", last, error.problems))  # not the exception: unpickled from its message, it would lose them
    except BaseException:  # noqa: BLE001 - any other failure goes to the parent, which raises it
        send.send(("crash", last, traceback.format_exc()))
    finally:
        send.close()


def _drain(child: _Child, count_started: Callable[[], None], failures: list[_Failure]) -> None:
    """Read what the child has sent so far, without waiting."""
    try:
        while not child.ended and child.receive.poll():
            message = child.receive.recv()
            if message[0] == "started":
                child.last = message[1]
                count_started()
                continue
            child.reported = True
            if message[0] == "problems":
                failures.append(_Failure(message[1], problems=message[2]))
            elif message[0] == "crash":
                failures.append(_Failure(message[1], crash=f"a build worker failed:\n{message[2]}"))
    except EOFError:
        child.ended = True


def _exit_reason(process: BaseProcess) -> str:
    code = process.exitcode
    if code is not None and code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exit code {code}"


def _stop(children: list[_Child]) -> None:
    """End every child still running and wait for it: none outlives the build, or writes on after it."""
    for child in children:
        if child.process.is_alive():
            child.process.terminate()
    for child in children:
        child.process.join()
        child.receive.close()
