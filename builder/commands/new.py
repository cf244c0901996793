"""`coursepack new DIR`: scaffold a small valid course to start from."""

from __future__ import annotations

import shutil
import sys
from importlib import resources
from pathlib import Path

import click

from coursepack.commands.common import EXIT_USER_ERROR
from coursepack.schemas import write_schemas


@click.command()
@click.argument("directory", type=click.Path(path_type=Path))
def new(directory: Path) -> None:
    """Create DIRECTORY holding a one-module example course.

    It has course.yaml, modules/01-welcome.yaml, assets/, schemas/ (for editor
    autocompletion) and AUTHORING.md (the guide to every field), and passes
    `coursepack validate` as it is. DIRECTORY must not
    exist yet, or be empty.
    """
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        click.echo(f"{directory}: already exists and is not an empty folder (expected a new folder name)", err=True)
        sys.exit(EXIT_USER_ERROR)
    scaffold = resources.files("coursepack") / "scaffold"
    with resources.as_file(scaffold) as source:
        shutil.copytree(source, directory, dirs_exist_ok=True)
    write_schemas(directory / "schemas")
    click.echo(f"Created {directory} ({directory / 'AUTHORING.md'} explains every field). Next: coursepack validate {directory}")
