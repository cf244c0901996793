"""`coursepack new DIR`: scaffold a small valid course to start from, from one of the starter templates."""

from __future__ import annotations

import shutil
import sys
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import click

from coursepack.commands.common import EXIT_USER_ERROR
from coursepack.schemas import write_schemas

# The default is builder/scaffold/ itself; the others are builder/scaffold/templates/<name>/ and get
# the scaffold's AUTHORING.md (one copy of the guide ships, not one per template).
DEFAULT_TEMPLATE = "starter"
TEMPLATES = {
    DEFAULT_TEMPLATE: "one module with a text page, a reflection and a quiz; standard and certificate editions",
    "blank": "one module with one text page; nothing graded, no certificate",
    "quiz-heavy": "two modules of quizzes using every question type, graded against a pass mark",
    "certificate": "two modules with reflections and quizzes, and a certificate edition with a signature",
}
TEMPLATES_DIR = "templates"
GUIDE = "AUTHORING.md"
WORKFLOW_TEMPLATE = "github-workflow.yml"
WORKFLOW_PATH = Path(".github") / "workflows" / "coursepack.yml"


def _scaffold() -> Traversable:
    return resources.files("coursepack") / "scaffold"


def write_template(template: str, directory: Path) -> None:
    """Copy the template's course into directory (which may exist, empty)."""
    scaffold = _scaffold()
    with resources.as_file(scaffold) as source:
        if template == DEFAULT_TEMPLATE:
            shutil.copytree(source, directory, dirs_exist_ok=True, ignore=shutil.ignore_patterns(TEMPLATES_DIR))
        else:
            shutil.copytree(source / TEMPLATES_DIR / template, directory, dirs_exist_ok=True)
            shutil.copyfile(source / GUIDE, directory / GUIDE)


def write_workflow(directory: Path) -> Path:
    """The GitHub Actions workflow that validates, builds every target and attaches the packages."""
    path = directory / WORKFLOW_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((_scaffold() / TEMPLATES_DIR / WORKFLOW_TEMPLATE).read_bytes())
    return path


def _templates_help() -> str:
    return "; ".join(f"{name}: {what}" for name, what in TEMPLATES.items())


@click.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--template", type=click.Choice(list(TEMPLATES)), default=DEFAULT_TEMPLATE, show_default=True,
              help=f"The course to start from. {_templates_help()}.")
@click.option("--with-ci", is_flag=True,
              help=f"Also write {WORKFLOW_PATH.as_posix()}: on every pull request GitHub validates the course, "
                   "builds every target and attaches the packages.")
def new(directory: Path, template: str, with_ci: bool) -> None:
    """Create DIRECTORY holding a small example course to start from.

    It has course.yaml, modules/, assets/, schemas/ (for editor autocompletion)
    and AUTHORING.md (the guide to every field), and passes `coursepack validate`
    as it is. DIRECTORY must not exist yet, or be empty.
    """
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        click.echo(f"{directory}: already exists and is not an empty folder (expected a new folder name)", err=True)
        sys.exit(EXIT_USER_ERROR)
    write_template(template, directory)
    write_schemas(directory / "schemas")
    workflow = write_workflow(directory) if with_ci else None
    source = "" if template == DEFAULT_TEMPLATE else f" from the {template} template"
    click.echo(f"Created {directory}{source} ({directory / GUIDE} explains every field). Next: coursepack validate {directory}")
    if workflow is not None:
        click.echo(f"Wrote {workflow}: set the repository variable COURSEPACK_REQUIREMENT before the first pull request (the file says how).")
