"""`coursepack schema`: write the JSON Schemas editors use to autocomplete course files."""

from __future__ import annotations

from pathlib import Path

import click

from coursepack.schemas import write_schemas


@click.command()
@click.option(
    "--out", "out_dir", default="schemas", show_default=True,
    type=click.Path(file_okay=False, path_type=Path), help="Folder to write the schema files into.",
)
def schema(out_dir: Path) -> None:
    """Write course.schema.json and module.schema.json, generated from the models."""
    for path in write_schemas(out_dir):
        click.echo(f"wrote {path}")
