"""What a new user meets first (issue 10, items 10-16): the README's commands, warnings,
paths that open from where the user stands, `schema`, the shipped reference, the
installed package's name and the missing-module hint."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import REPO, SCAFFOLD
from coursepack.cli import main

MODULE = "modules/01-welcome.yaml"


def course_copy(parent: Path, name: str = "course") -> Path:
    course = parent / name
    shutil.copytree(SCAFFOLD, course)
    return course


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def list_modules(course: Path, *files: str) -> None:
    """Make course.yaml list exactly these module files."""
    text = (course / "course.yaml").read_text()
    listed = "".join(f"  - {f}\n" for f in files)
    (course / "course.yaml").write_text(text.replace(f"  - {MODULE}\n", listed))


# ---------------------------------------------------------------- 11: unlisted module files warn


def test_unlisted_module_file_warns_and_validate_still_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    course = course_copy(tmp_path)
    shutil.copyfile(course / MODULE, course / "modules" / "02-draft.yaml")
    (course / "modules" / ".01-welcome.yaml.swp").write_text("editor junk")  # hidden: not a module
    (course / "modules" / "notes.md").write_text("not a module")
    monkeypatch.chdir(tmp_path)
    result = run("validate", "course")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK ")
    assert result.stderr.splitlines() == [
        "course/modules/02-draft.yaml: warning: not listed in course.yaml modules "
        "(learners will not see it; list it there or move it out of modules/)"
    ]


def test_build_prints_the_unlisted_warning_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    course = course_copy(tmp_path)
    shutil.copyfile(course / MODULE, course / "modules" / "02-draft.yml")
    monkeypatch.chdir(course)
    result = run("build", "--edition", "standard")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "modules/02-draft.yml: warning: not listed in course.yaml modules "
        "(learners will not see it; list it there or move it out of modules/)"
    ]
    assert len(list((course / "dist").glob("*.zip"))) == 1


def test_every_listed_module_means_no_warning(tmp_path: Path) -> None:
    course = course_copy(tmp_path)
    result = run("validate", str(course))
    assert result.exit_code == 0 and result.stderr == "", result.output


# ---------------------------------------------------------------- 12: paths open from where the user stands


def test_paths_outside_the_current_directory_print_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    course = course_copy(tmp_path / "elsewhere")
    (tmp_path / "here").mkdir()
    module = course / MODULE
    module.write_text(module.read_text().replace("minutes: 10", "minutes: ten"))
    monkeypatch.chdir(tmp_path / "here")
    line = module.read_text().splitlines().index("minutes: ten") + 1
    expected = f"../elsewhere/course/{MODULE}:{line}:10: 'minutes' is 'ten' (expected a whole number)"
    assert run("validate", "../elsewhere/course").stderr.splitlines()[0] == expected
    # The printed path opens from here.
    assert Path(expected.split(":")[0]).resolve() == module.resolve()
    # Given absolute, it prints absolute (it opens from anywhere).
    assert run("validate", str(course)).stderr.splitlines()[0] == f"{module}:{line}:10: 'minutes' is 'ten' (expected a whole number)"


@pytest.mark.parametrize("where, given, shown", [
    ("course", ".", MODULE),                    # inside the course: relative to it
    ("course/modules", "..", MODULE.replace("modules/", "")),  # deeper still: relative to the current directory
    (".", "course", f"course/{MODULE}"),
    (".", "./course/../course", f"course/{MODULE}"),
])
def test_paths_inside_the_current_directory_print_relative_to_it(
    where: str, given: str, shown: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    course = course_copy(tmp_path)
    module = course / MODULE
    module.write_text(module.read_text().replace("minutes: 10", "minutes: ten"))
    monkeypatch.chdir(tmp_path / where)
    result = run("validate", given)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0].startswith(f"{shown}:")


def test_missing_course_folder_prints_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    result = run("validate", "../nowhere")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == "../nowhere:1:1: course folder not found (expected a folder holding course.yaml)"


# ---------------------------------------------------------------- 16: a listed module that is missing


def test_missing_module_names_near_matches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    course = course_copy(tmp_path)
    (course / MODULE).rename(course / "modules" / "01-welcome.yml")
    shutil.copyfile(course / "modules" / "01-welcome.yml", course / "modules" / "01-welcom.yaml")
    shutil.copyfile(course / "modules" / "01-welcome.yml", course / "modules" / "09-summary.yaml")
    monkeypatch.chdir(tmp_path)
    result = run("validate", "course")
    assert result.exit_code == 2
    line = (course / "course.yaml").read_text().splitlines().index(f"  - {MODULE}") + 1
    assert result.stderr.splitlines() == [
        f"course/course.yaml:{line}:5: module file '{MODULE}' not found (expected a file at course/{MODULE}; "
        "did you mean 'modules/01-welcome.yml' or 'modules/01-welcom.yaml'?)",
        "1 problem found.",
    ]
    assert "like 'modules/01-intro.yaml'" not in result.output


def test_missing_module_with_no_near_match_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    course = course_copy(tmp_path)
    list_modules(course, MODULE, "modules/02-next.yaml")
    shutil.copyfile(course / MODULE, course / "modules" / "07-unrelated.yaml")
    monkeypatch.chdir(course)
    result = run("validate")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0].endswith(
        "module file 'modules/02-next.yaml' not found (expected a file at modules/02-next.yaml; "
        "no unlisted file in modules/ has a similar name)"
    )


def test_listed_files_are_not_offered_as_near_matches(tmp_path: Path) -> None:
    # 01-welcome.yaml is close to 01-welcome2.yaml but already listed: suggesting it would
    # only lead to "listed twice".
    course = course_copy(tmp_path)
    list_modules(course, MODULE, "modules/01-welcome2.yaml")
    result = run("validate", str(course))
    assert "did you mean" not in result.stderr
    assert "no unlisted file in modules/ has a similar name" in result.stderr


def test_missing_modules_folder_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    course = course_copy(tmp_path)
    shutil.rmtree(course / "modules")
    monkeypatch.chdir(course)
    result = run("validate")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0].endswith(
        f"module file '{MODULE}' not found (expected a file at {MODULE}; the course folder has no modules/ folder)"
    )


# ---------------------------------------------------------------- 13: `schema` writes into the course folder


def test_schema_writes_into_the_named_course_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    course_copy(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = run("schema", "course")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["wrote course/schemas/course.schema.json", "wrote course/schemas/module.schema.json"]
    assert sorted(p.name for p in (tmp_path / "course" / "schemas").iterdir()) == ["course.schema.json", "module.schema.json"]
    assert not (tmp_path / "schemas").exists()


def test_schema_defaults_to_the_current_folder_when_it_is_a_course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    course = course_copy(tmp_path)
    monkeypatch.chdir(course)
    result = run("schema")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "wrote schemas/course.schema.json"
    assert (course / "schemas" / "module.schema.json").is_file()


def test_schema_outside_a_course_refuses_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("schema")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == ["course.yaml:1:1: file not found (expected a course folder holding course.yaml, or --out DIR)"]
    assert list(tmp_path.iterdir()) == []


def test_schema_out_writes_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("schema", "--out", "editor/schemas")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "editor" / "schemas" / "course.schema.json").is_file()


def test_schema_out_on_a_file_is_one_line_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("taken").write_text("a file")
    result = run("schema", "--out", "taken/schemas")
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.stderr.splitlines() == ["taken/schemas:1:1: cannot write the schemas: Not a directory (expected a writable folder)"]


# ---------------------------------------------------------------- 14: the guide ships with coursepack


def test_shipped_guide_is_docs_authoring_md() -> None:
    shipped = SCAFFOLD / "AUTHORING.md"
    assert shipped.read_text(encoding="utf-8") == (REPO / "docs" / "authoring.md").read_text(encoding="utf-8"), (
        "the guide shipped with coursepack differs from docs/authoring.md; run "
        "`cp docs/authoring.md builder/scaffold/AUTHORING.md`"
    )


def test_new_writes_the_guide_into_the_course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("new", "my-course")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Created my-course (my-course/AUTHORING.md explains every field). Next: coursepack validate my-course"
    assert (tmp_path / "my-course" / "AUTHORING.md").read_text(encoding="utf-8") == (SCAFFOLD / "AUTHORING.md").read_text(encoding="utf-8")


def test_starter_course_points_at_a_guide_it_has() -> None:
    text = (SCAFFOLD / "course.yaml").read_text()
    assert "docs/authoring.md" not in text  # no such file beside an installed course
    assert "AUTHORING.md beside it (or `coursepack docs`)" in text


def test_docs_prints_the_guide_and_its_path() -> None:
    guide = (SCAFFOLD / "AUTHORING.md").read_text(encoding="utf-8")  # equal to docs/authoring.md: tested above
    assert guide.startswith("# Writing a course for coursepack\n")
    printed = run("docs")
    assert printed.exit_code == 0 and printed.stdout == guide
    where = run("docs", "--path")
    assert where.exit_code == 0
    assert Path(where.stdout.strip()).read_text(encoding="utf-8") == guide


# ---------------------------------------------------------------- 15: installed as `coursepack`, no top-level `builder`

_INSTALLED = """
import importlib.metadata as md, importlib.util, json
dist = md.distribution("coursepack")
print(json.dumps({
    "builder": importlib.util.find_spec("builder") is not None,
    "coursepack": importlib.util.find_spec("coursepack") is not None,
    "top_level": (dist.read_text("top_level.txt") or "").split(),
    "files": sorted({str(f).split("/")[0] for f in dist.files or []}),
    "scripts": sorted(f"{ep.name}={ep.value}" for ep in dist.entry_points if ep.group == "console_scripts"),
}))
"""


def test_installed_distribution_is_coursepack_and_not_builder(tmp_path: Path) -> None:
    # From another folder, so the repository's own builder/ folder is not on sys.path.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([sys.executable, "-c", _INSTALLED], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    assert found["coursepack"] and not found["builder"], found
    assert found["top_level"] == ["coursepack"]
    assert "builder" not in found["files"]
    assert found["scripts"] == ["coursepack=coursepack.console:main"]
    version = subprocess.run([sys.executable, "-m", "coursepack", "--version"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and version.stdout.startswith("coursepack, version "), version.stderr


# ---------------------------------------------------------------- 10: the README's two commands, and CI runs them


def quick_start_commands() -> list[str]:
    """The one-line fenced commands of README.md's Quick start section, in order."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = section.split("```")[1::2]
    commands = [b.strip("\n") for b in blocks]
    assert all(c and "\n" not in c for c in commands), commands
    return commands


def test_readme_has_two_quick_start_commands() -> None:
    assert len(quick_start_commands()) == 2


def test_first_command_makes_and_uses_a_virtual_environment() -> None:
    setup, tests = quick_start_commands()
    steps = setup.split(" && ")
    # Debian's python3 refuses `pip install` outside a venv (PEP 668): make one, then use only its programs.
    assert steps[0] == "python3 -m venv .venv"
    assert steps[1:] == [".venv/bin/pip install -e '.[test]'", ".venv/bin/coursepack validate", ".venv/bin/coursepack build"]
    assert tests == ".venv/bin/python -m pytest"  # the same venv, every test (no path, no -k, no --ignore)
    assert ".venv/" in (REPO / ".gitignore").read_text().split()


def test_ci_runs_exactly_the_readme_commands() -> None:
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    lines = [line.strip() for line in script.splitlines()]
    commands = quick_start_commands()
    positions = [lines.index(c) for c in commands]  # each command is a whole line, as written
    assert positions == sorted(positions)
    assert lines[-1] == commands[-1], "the tests' exit status must be the script's"
    # Nothing else installs Python packages or runs tests behind the README's back.
    code = [line for line in lines if line and not line.startswith(("#", "echo ")) and line not in commands]
    assert not [line for line in code if re.search(r"\bpip\b|pytest|npm ci|-m venv", line)], code
    assert "export CI=1" in lines
    assert "PIP_BREAK_SYSTEM_PACKAGES" not in script  # the venv makes it unnecessary


def test_ci_stops_when_the_first_command_fails(tmp_path: Path) -> None:
    # set -e ignores a failure inside an && list, so .ci/run must wrap it; prove it with the real
    # script, its first command made to fail and every apt-get/python3 call stubbed out.
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    setup = quick_start_commands()[0]
    lines = script.splitlines()
    start = lines.index("apt_packages=()")
    end = lines.index("fi", start)
    body = "\n".join(lines[:start] + lines[end + 1:])  # without the apt-get part
    body = body.replace(setup, setup.replace("python3 -m venv .venv", "false"))
    body = body.replace(".venv/bin/python -m pytest", "echo TESTS-RAN")
    (tmp_path / ".ci").mkdir()
    (tmp_path / ".ci" / "run").write_text(body)
    proc = subprocess.run(["bash", str(tmp_path / ".ci" / "run")], capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "TESTS-RAN" not in proc.stdout, proc.stdout


def test_readme_and_skip_notes_give_the_same_root_commands() -> None:
    from conftest import INSTALL_CHROMIUM, INSTALL_NPM, NPM_CI

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert INSTALL_CHROMIUM == "sudo apt-get install chromium"
    for command in (INSTALL_CHROMIUM, INSTALL_NPM, " ".join(NPM_CI)):
        assert f"`{command}`" in readme, command


# ---------------------------------------------------------------- 10: the test run installs the npm packages


def fake_repo(tmp_path: Path, installed: str | None) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    lock = {"lockfileVersion": 3, "packages": {"": {"name": "x"}, "node_modules/pkg-a": {"version": "1.2.3"}}}
    (repo / "package-lock.json").write_text(json.dumps(lock))
    if installed is not None:
        (repo / "node_modules" / "pkg-a").mkdir(parents=True)
        (repo / "node_modules" / "pkg-a" / "package.json").write_text(json.dumps({"version": installed}))
    return repo


def fake_npm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An `npm` on PATH that logs its call and installs pkg-a 1.2.3 (no network)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "npm.log"
    (bin_dir / "npm").write_text(
        "#!/bin/sh\n"
        f'echo "$PWD $*" >> {log}\n'
        "mkdir -p node_modules/pkg-a && echo '{\"version\": \"1.2.3\"}' > node_modules/pkg-a/package.json\n"
    )
    (bin_dir / "npm").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return log


@pytest.mark.parametrize("installed", [None, "1.0.0"])
def test_missing_or_outdated_npm_packages_are_installed_once(installed: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import ensure_npm_packages, npm_packages_out_of_date

    repo = fake_repo(tmp_path, installed)
    log = fake_npm(tmp_path, monkeypatch)
    assert npm_packages_out_of_date(repo) == ["pkg-a"]
    said: list[str] = []
    assert ensure_npm_packages(repo, say=said.append) is None
    assert ensure_npm_packages(repo, say=said.append) is None  # up to date now: npm not run again
    assert log.read_text().splitlines() == [f"{repo} ci --no-audit --no-fund"]
    assert said == ["browser tests: npm packages missing or out of date (pkg-a); running `npm ci --no-audit --no-fund`"]


def test_without_npm_the_note_names_the_root_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import ensure_npm_packages

    repo = fake_repo(tmp_path, None)
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    note = ensure_npm_packages(repo, say=pytest.fail)
    assert note == "npm packages missing (pkg-a) and npm is not installed: run `sudo apt-get install npm`, then the tests again"
