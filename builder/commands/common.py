"""What every verb shares: loading a course and reporting authors' mistakes."""

from __future__ import annotations

import atexit
import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # imported when used: `validate` of an unchanged course needs neither (load/validate_cache.py)
    from coursepack.load.course_loader import LoadedCourse
    from coursepack.load.errors import CourseError

EXIT_USER_ERROR = 2

course_dir_argument = click.argument(
    "course_dir", default=".", type=click.Path(path_type=Path), metavar="[COURSE_DIR]"
)


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off within the block, and never walking what the block made again
    in this process (issue 16: start-up).

    Importing the loader, pydantic and the models and loading a course make a few hundred thousand
    objects, nearly all kept to the end of the command, and almost no garbage. The collector would walk
    the young ones every 700 allocations, all of them at once in its first collection after the block,
    and every object once more when the interpreter exits (together about a tenth of `validate`'s first
    check). After the block they are moved to the oldest generation without being walked (gc.freeze
    then gc.unfreeze), which a collection walks only once it has grown by a quarter; and at exit, where
    nothing is left to free, they are frozen again so that the interpreter's last collection skips them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        atexit.unregister(gc.freeze)  # once, however many commands this process runs (tests run many)
        atexit.register(gc.freeze)
        if was_enabled:
            gc.enable()


def report_and_exit(error: CourseError) -> None:
    for problem in error.problems:
        click.echo(str(problem), err=True)
    count = len(error.problems)
    click.echo(f"{count} problem{'s' if count != 1 else ''} found.", err=True)
    sys.exit(EXIT_USER_ERROR)


def load_or_exit(course_dir: Path) -> LoadedCourse:
    """The loaded course, its warnings already printed; on problems, print them and exit 2."""
    from coursepack.load.course_loader import load_course
    from coursepack.load.errors import CourseError

    try:
        loaded = load_course(course_dir)
    except CourseError as error:
        report_and_exit(error)
        raise  # unreachable; keeps type checkers happy
    for warning in loaded.warnings:
        click.echo(str(warning), err=True)
    return loaded
