"""`coursepack validate`: check a course and print what it holds."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from coursepack.commands.common import collector_paused, course_dir_argument, load_or_exit, report_and_exit
from coursepack.load.validate_cache import Outcome, ValidateCache

if TYPE_CHECKING:  # the loader, the models and the targets are imported only when the course is checked
    from coursepack.load.course_loader import LoadedCourse


def summary(loaded: LoadedCourse) -> str:
    from coursepack.model.content import ReflectionBlock
    from coursepack.model.quiz import QuizBlock

    modules = [m.module for m in loaded.modules]
    pages = sum(len(m.pages) for m in modules)
    blocks = [b for m in modules for p in m.pages for b in p.blocks]
    quizzes = [b for b in blocks if isinstance(b, QuizBlock)]
    questions = sum(len(q.questions) for q in quizzes)
    reflections = sum(isinstance(b, ReflectionBlock) for b in blocks)
    minutes = sum(m.minutes for m in modules)
    editions = "standard + certificate" if loaded.course.certificate else "standard"
    return (
        f"{loaded.course.title} {loaded.course.version}: {_count(len(modules), 'module')}, {_count(pages, 'page')}, "
        f"{_count(len(quizzes), 'quiz', 'quizzes')} with {_count(questions, 'question')}, "
        f"{_count(reflections, 'reflection')}, about {minutes} minutes; editions: {editions}"
    )


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


@click.command()
@course_dir_argument
@click.option("--sco-per-module", is_flag=True, help="Check the size limits for one SCO per module (as `build --sco-per-module`).")
def validate(course_dir: Path, sco_per_module: bool) -> None:
    """Check COURSE_DIR (default: the current folder) and report every problem.

    Checks the files, the cross-file rules, and that the learner's saved state fits
    every target's storage in every edition, exactly as `build` would. Problems print
    as FILE:LINE:COL: message, all at once; the exit code is 2 when there are any,
    0 when the course is valid.
    """
    cache = ValidateCache(str(course_dir), f"sco_per_module={sco_per_module}")
    kept = cache.outcome()
    if kept is not None:  # the same course, shown the same way, checked by the same code: nothing to import
        _print(kept)
        return
    with collector_paused():
        from coursepack.load.errors import CourseError
        from coursepack.targets.fit import target_fit_problems
        from coursepack.targets.limits import FITS  # each target's limits and split, without its manifest writer

        loaded = load_or_exit(course_dir)  # prints the warnings
        problems = [
            problem
            for target in FITS.values()
            for edition in loaded.course.editions()
            for problem in target_fit_problems(loaded, target, edition, per_module=True if sco_per_module else None)
        ]
    if problems:
        report_and_exit(CourseError(problems))
    outcome = Outcome(tuple(str(warning) for warning in loaded.warnings), (f"OK {summary(loaded)}",))
    click.echo(outcome.stdout[0])
    cache.keep(outcome)


def _print(outcome: Outcome) -> None:
    for line in outcome.stderr:
        click.echo(line, err=True)
    for line in outcome.stdout:
        click.echo(line)
