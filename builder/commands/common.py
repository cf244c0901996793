"""What every verb shares: loading a course and reporting authors' mistakes."""

from __future__ import annotations

import sys
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
