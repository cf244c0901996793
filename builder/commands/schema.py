"""`coursepack schema`: write the JSON Schemas editors use to autocomplete course files."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from coursepack.commands.common import EXIT_USER_ERROR, course_dir_argument
from coursepack.load.course_loader import COURSE_FILE
from coursepack.load.errors import Problem, display_path
from coursepack.schemas import write_schemas


@click.command()
@course_dir_argument
@click.option(
    "--out", "out_dir", default=None,
    type=click.Path(file_okay=False, path_type=Path), help="Folder to write the schema files into  [default: COURSE_DIR/schemas]",
)
def schema(course_dir: Path, out_dir: Path | None) -> None:
    """Write course.schema.json and module.schema.json, generated from the models, into
    COURSE_DIR/schemas (COURSE_DIR defaults to the current folder).

    Run it after upgrading coursepack. COURSE_DIR must hold course.yaml, so that running
    it in the wrong folder writes nothing; with --out it writes there, course or not.
    """
    if out_dir is None:
        # Refuse rather than scatter a schemas/ folder wherever the command happens to run.
        if not (course_dir / COURSE_FILE).is_file():
            where = display_path(course_dir / COURSE_FILE)
            click.echo(str(Problem(where, 1, 1, "file not found (expected a course folder holding course.yaml, or --out DIR)")), err=True)
            sys.exit(EXIT_USER_ERROR)
        out_dir = course_dir / "schemas"
    try:
        written = write_schemas(out_dir)
    except OSError as exc:  # e.g. --out names a file, or a read-only folder
        click.echo(str(Problem(display_path(out_dir), 1, 1, f"cannot write the schemas: {exc.strerror} (expected a writable folder)")), err=True)
        sys.exit(EXIT_USER_ERROR)
    for path in written:
        click.echo(f"wrote {display_path(path)}")
