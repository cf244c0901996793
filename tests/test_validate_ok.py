"""Valid courses pass `coursepack validate`: the scaffold, `coursepack new` output, the example course."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import coursepack
from coursepack.cli import main

REPO = Path(__file__).resolve().parent.parent
SCAFFOLD = Path(coursepack.__file__).parent / "scaffold"


def tree_hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir" for p in sorted(root.rglob("*"))}


def validate(course: Path) -> Result:
    return CliRunner().invoke(main, ["validate", str(course)])


def assert_valid(result: Result) -> None:
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.startswith("OK "), result.stdout


def copy_scaffold(tmp_path: Path) -> Path:
    course = tmp_path / "course"
    shutil.copytree(SCAFFOLD, course)
    return course


def test_scaffold_validates(tmp_path: Path) -> None:
    course = copy_scaffold(tmp_path)
    before = tree_hashes(course)
    result = validate(course)
    assert_valid(result)
    assert result.stdout.strip() == (
        "OK My First Course 0.1.0: 1 module, 3 pages, 1 quiz with 2 questions, 1 reflection, "
        "about 10 minutes; editions: standard + certificate"
    )
    assert tree_hashes(course) == before, "validate must not write anything"


def test_new_then_validate(tmp_path: Path) -> None:
    target = tmp_path / "my-course"
    created = CliRunner().invoke(main, ["new", str(target)])
    assert created.exit_code == 0, created.output
    assert (target / "course.yaml").is_file() and (target / "modules" / "01-welcome.yaml").is_file()
    assert_valid(validate(target))


def test_new_then_validate_in_a_real_process(tmp_path: Path) -> None:
    run = [sys.executable, "-c", "from coursepack.cli import main; main()"]
    made = subprocess.run([*run, "new", "c"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    checked = subprocess.run([*run, "validate", "c"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("OK ") and checked.stderr == ""


@pytest.mark.skipif(not (REPO / "course.yaml").is_file(), reason="no example course at the repository root")
def test_example_course_validates() -> None:
    """The example course shipped at the repository root (AI Literacy for Educators)."""
    before = tree_hashes(REPO / "modules")
    assert_valid(validate(REPO))
    assert tree_hashes(REPO / "modules") == before


# ---------------------------------------------------------------- inputs that look odd but are fine


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    course = copy_scaffold(tmp_path)
    for rel in ("course.yaml", "modules/01-welcome.yaml"):
        (course / rel).write_bytes(b"\xef\xbb\xbf" + (course / rel).read_bytes())
    assert_valid(validate(course))


def test_bom_does_not_shift_columns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    course = copy_scaffold(tmp_path)
    module = course / "modules" / "01-welcome.yaml"
    text = module.read_text().replace("minutes: 10", "minutes: ten")
    module.write_bytes(b"\xef\xbb\xbf" + text.encode())
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", "course"])
    assert result.exit_code == 2
    line = text.splitlines().index("minutes: ten") + 1
    assert result.stderr.splitlines()[0] == f"course/modules/01-welcome.yaml:{line}:10: 'minutes' is 'ten' (expected a whole number)"


def test_windows_line_endings_are_accepted(tmp_path: Path) -> None:
    course = copy_scaffold(tmp_path)
    for rel in ("course.yaml", "modules/01-welcome.yaml"):
        (course / rel).write_bytes((course / rel).read_bytes().replace(b"\n", b"\r\n"))
    assert_valid(validate(course))


def test_unicode_text_and_tab_after_colon_are_accepted(tmp_path: Path) -> None:
    course = copy_scaffold(tmp_path)
    module = course / "modules" / "01-welcome.yaml"
    text = module.read_text().replace("title: Welcome", "title: Bienvenue · 欢迎 · 👋").replace("minutes: 10", "minutes:\t10")
    module.write_text(text, encoding="utf-8")
    assert_valid(validate(course))


def test_quoted_values_that_look_like_other_types_are_accepted(tmp_path: Path) -> None:
    course = copy_scaffold(tmp_path)
    path = course / "course.yaml"
    path.write_text(path.read_text().replace("language: en-US", "language: 'no'").replace("version: 0.1.0", 'version: "1.0"'))
    assert_valid(validate(course))
