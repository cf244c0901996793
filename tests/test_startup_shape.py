"""What start-up imports (issue 16): `coursepack --version` only the command line, and `validate` nothing
that renders pages. Checked in a fresh interpreter, by the modules it holds afterwards (no timing)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO

HEAVY = ("jinja2", "lxml", "markdown_it", "nh3", "pydantic", "yaml", "coursepack.load", "coursepack.model", "coursepack.render")


def modules_after(*args: str) -> set[str]:
    """Every module loaded once `coursepack ARGS` has run, in a fresh interpreter."""
    code = (
        "import json, sys\n"
        "from coursepack.cli import main\n"
        "try:\n"
        f"    main({list(args)!r}, standalone_mode=False)\n"
        "finally:\n"
        "    print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    return set(json.loads(result.stdout.splitlines()[-1]))


def loaded_of(modules: set[str], packages: tuple[str, ...]) -> set[str]:
    return {m for m in modules if any(m == p or m.startswith(p + ".") for p in packages)}


def test_version_imports_only_the_command_line() -> None:
    modules = modules_after("--version")
    assert "click" in modules  # the check sees what was imported
    assert loaded_of(modules, HEAVY) == set()


def test_validate_imports_nothing_that_renders_pages() -> None:
    modules = modules_after("validate", str(REPO))
    assert {"coursepack.load.course_loader", "coursepack.targets.fit"} <= modules  # it did validate
    assert loaded_of(modules, ("jinja2", "coursepack.render.page", "coursepack.render.render_cache", "coursepack.targets.zipper")) == set()
