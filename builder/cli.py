"""The `coursepack` command: a click group; each verb lives in builder/commands/."""

from __future__ import annotations

import click

from coursepack import __version__
from coursepack.commands.build import build
from coursepack.commands.docs import docs
from coursepack.commands.new import new
from coursepack.commands.schema import schema
from coursepack.commands.validate import validate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="coursepack")
def main() -> None:
    """Build LMS packages (SCORM 1.2, ...) from courses written in YAML.

    A course is a folder holding course.yaml, modules/ and assets/.
    Start with `coursepack new my-course`, then `coursepack validate my-course`;
    `coursepack docs` shows the authoring guide.
    """


main.add_command(validate)
main.add_command(build)
main.add_command(new)
main.add_command(schema)
main.add_command(docs)
