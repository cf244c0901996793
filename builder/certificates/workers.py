"""Making many certificates on every core: an ordered map over worker processes.

A certificate is mostly typst and Python work that holds the GIL, so threads would take turns;
processes run side by side. Each worker builds its own maker once (typst's compiler, fonts, the
badge signer) from a small picklable recipe, and results come back in the order given, so the index
and the output stay the same whatever the number of workers.

Workers are started with 'spawn', not 'fork': the parent holds a DuckDB connection and typst's
thread pool, whose threads a forked child would not have. As with any 'spawn' pool, a script that
calls this for many items must keep its own work under `if __name__ == "__main__":` (the workers
import the script again); coursepack's command and bench/ do.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

WORTH_A_POOL = 100  # fewer items than this: starting the workers (about a second each) costs more than it saves
ITEMS_PER_TASK = 16  # items sent to a worker at once: fewer round trips, still an even spread at the end

_work: Callable[[Any], Any] | None = None  # in a worker: the function its recipe built


class WorkersFailed(Exception):
    """A worker process ended before its work was done (killed, out of memory, or its start failed)."""


def cores() -> int:
    """The cores this process may run on (a container's or taskset's limit, not the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def ordered_map(build: Callable[[Any], Callable[[Item], Result]], recipe: Any, items: Sequence[Item],
                workers: int | None = None, local: Callable[[Item], Result] | None = None) -> list[Result]:
    """[work(item) for item in items], where work = build(recipe), in worker processes when that pays.

    build must be a module-level function (the workers import it by name) and recipe picklable.
    workers None: every core once there are WORTH_A_POOL items, else this process alone; local, when
    given, is this process's own work function (saves building one). An exception raised by work
    in a worker is raised here."""
    count = workers if workers is not None else (cores() if len(items) >= WORTH_A_POOL else 1)
    if count < 2 or len(items) < 2:
        work = local or build(recipe)
        return [work(item) for item in items]
    context = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(count, mp_context=context, initializer=_start, initargs=(build, recipe)) as pool:
            return list(pool.map(_run, items, chunksize=ITEMS_PER_TASK))
    except BrokenProcessPool as error:
        raise WorkersFailed(f"a worker process stopped before its work was done ({error})") from None


def _start(build: Callable[[Any], Callable[[Any], Any]], recipe: Any) -> None:
    global _work
    _work = build(recipe)


def _run(item: Any) -> Any:
    assert _work is not None, "worker started without its recipe"
    return _work(item)
