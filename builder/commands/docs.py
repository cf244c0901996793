"""`coursepack docs`: the authoring reference that ships with the installed coursepack."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import click

# The shipped copy of docs/authoring.md (tests/test_newcomer.py keeps them equal); it sits in
# the starter course so that `coursepack new` also writes it into every new course.
GUIDE = ("scaffold", "AUTHORING.md")


def guide_text() -> str:
    return resources.files("coursepack").joinpath(*GUIDE).read_text(encoding="utf-8")


@click.command()
@click.option("--path", "show_path", is_flag=True, help="Print where the guide file is instead of its text.")
def docs(show_path: bool) -> None:
    """Show the authoring guide: every field and block, with examples.

    On a terminal it opens in a pager; piped, it prints plain Markdown
    (`coursepack docs > AUTHORING.md`). `coursepack new` also writes it into each
    new course as AUTHORING.md.
    """
    if show_path:
        guide = resources.files("coursepack").joinpath(*GUIDE)
        # A normal install is plain files; a zipped one has no path to give, only the text.
        click.echo(str(guide) if isinstance(guide, Path) else "(inside a zip: use `coursepack docs > AUTHORING.md`)")
        return
    text = guide_text()
    if sys.stdout.isatty():
        click.echo_via_pager(text)
    else:  # piped or redirected: plain text, no pager in the way
        click.echo(text, nl=False)
