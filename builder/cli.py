"""The `coursepack` command: a click group; each verb lives in builder/commands/.

Verbs are imported when they run, not when the group loads: each verb pays only for what it uses (the
loader, the renderer, DuckDB, typst ... are heavy to import). The console script (console.py) answers
a lone `coursepack --version` before this module and click are imported."""

from __future__ import annotations

from importlib import import_module

import click

from coursepack import __version__
from coursepack.console import VERSION_LINE

# verb -> module in coursepack.commands holding a click command of the same name, in the order
# `coursepack --help` lists them
VERBS = ("validate", "build", "preview", "new", "schema", "docs", "report", "certificates")


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(VERBS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in VERBS:
            return None
        command = getattr(import_module(f"coursepack.commands.{cmd_name}"), cmd_name)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
# the console script's own line; the version given so that click does not look it up in the metadata
@click.version_option(__version__, prog_name="coursepack", message=VERSION_LINE)
def main() -> None:
    """Build LMS packages (SCORM 1.2 and 2004, xAPI, cmi5) from courses written in YAML.

    A course is a folder holding course.yaml, modules/ and assets/.
    Start with `coursepack new my-course`, then `coursepack validate my-course`;
    `coursepack preview my-course` shows it as a learner and an LMS see it;
    `coursepack docs` shows the authoring guide.
    """
