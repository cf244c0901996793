"""The `coursepack` console script (and `python -m coursepack`).

`coursepack --version` is answered here, before click and the commands are imported, so it costs the
interpreter's start and little more (issue 16); every other command line goes to the click group in
cli.py, which prints the same version line for `--version` given with anything else."""

from __future__ import annotations

import sys

from coursepack import __version__

# click's version_option prints "%(prog)s, version %(version)s"; cli.py passes this same line to it
VERSION_LINE = f"coursepack, version {__version__}"


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        sys.stdout.write(VERSION_LINE + "\n")
        return
    from coursepack.cli import main as command_line

    command_line()
