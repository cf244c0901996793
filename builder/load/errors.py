"""The one exception type for authors' mistakes, and how it prints."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

# Problem and AuthorWarning are named tuples, not dataclasses: the same fields, equality, hash, order (by
# their fields, in this order), repr and pickling, made at import in a fifth of the time (issue 16:
# start-up; a frozen, ordered dataclass compiles ten methods).


class Problem(NamedTuple):
    """One mistake in a course source file, located 1-based line and column."""

    file: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


class CourseError(Exception):
    """Raised with every problem found, so the author sees them all at once."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


class AuthorWarning(NamedTuple):
    """Something legal but probably unintended: printed, never changes the exit status."""

    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: warning: {self.message}"


def display_path(path: Path) -> str:
    """path as it opens from the current directory: relative to it when inside it, else as given.

    (`validate ../elsewhere/course` prints `../elsewhere/course/modules/...`, which the
    user can paste into an editor from where they stand.)
    """
    try:
        cwd = Path.cwd()
    except OSError:  # the current directory was deleted under us
        return str(path)
    # abspath first: it keeps symlinked folders as the user named them; resolve() catches the rest.
    for here, there in ((Path(os.path.abspath(path)), cwd), (path.resolve(), cwd.resolve())):
        try:
            return str(here.relative_to(there))
        except ValueError:
            pass
    return str(path)
