"""`coursepack validate` keeps a valid outcome in the user's cache folder (load/validate_cache.py) and
gives it again only for the same inputs, shown the same way, checked by the same code. Each change below
must check the course again (the loader runs) and print what a first check prints."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import coursepack.commands.validate as validate_command
from conftest import SCAFFOLD
from coursepack.cli import main
from coursepack.load import validate_cache
from coursepack.load.cache_files import record_path



@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COURSEPACK_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def record_file(course: Path) -> Path:
    """Where the course's record is kept."""
    return Path(record_path(str(course), validate_cache.CACHE_FILE))


@pytest.fixture
def course(tmp_path: Path) -> Path:
    course = tmp_path / "course"
    shutil.copytree(SCAFFOLD, course, ignore=shutil.ignore_patterns("templates", "AUTHORING.md"))
    return course


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The course folders validate loaded (a kept outcome loads nothing)."""
    loaded: list[Path] = []
    real = validate_command.load_or_exit

    def counting(course_dir: Path):  # type: ignore[no-untyped-def]
        loaded.append(course_dir)
        return real(course_dir)

    monkeypatch.setattr(validate_command, "load_or_exit", counting)
    return loaded


def validate(course: Path, *options: str) -> Result:
    return CliRunner().invoke(main, ["validate", str(course), *options])


def shown(result: Result) -> tuple[int, str, str]:
    return result.exit_code, result.stdout, result.stderr


def test_an_unchanged_course_is_not_loaded_again(course: Path, loads: list[Path]) -> None:
    (course / "modules" / "02-draft.yaml").write_text("id: draft\n", encoding="utf-8")  # a warning to give again
    first = validate(course)
    assert first.exit_code == 0 and "not listed in course.yaml" in first.stderr
    assert record_file(course).is_file() and not (course / ".coursepack").exists()  # nothing in the course
    again = validate(course)
    assert shown(again) == shown(first)
    assert len(loads) == 1
    # another way of asking is another record: the options, and the folder as given
    validate(course, "--sco-per-module")
    assert len(loads) == 2


def _change_a_byte(course: Path) -> None:
    module = course / "modules" / "01-welcome.yaml"
    text = module.read_text(encoding="utf-8")
    module.write_text(text.replace("Welcome", "Welcomf", 1), encoding="utf-8")  # the same size


def _add_a_module_file(course: Path) -> None:
    (course / "modules" / "02-draft.yaml").write_text("id: draft\n", encoding="utf-8")


def _remove_the_asset(course: Path) -> None:
    (course / "assets" / "welcome.svg").unlink()


def _spoil_the_asset(course: Path) -> None:
    svg = course / "assets" / "welcome.svg"
    svg.write_bytes(svg.read_bytes().replace(b"</svg>", b"</svg"))


def _add_an_asset_folder(course: Path) -> None:
    (course / "assets" / "unused").mkdir()


def _add_a_name_to_the_course_folder(course: Path) -> None:
    (course / "Modules").mkdir()


CHANGES: dict[str, Callable[[Path], None]] = {
    "a byte of a module file": _change_a_byte,
    "a module file added": _add_a_module_file,
    "an asset removed": _remove_the_asset,
    "an asset's bytes": _spoil_the_asset,
    "a folder added in assets/": _add_an_asset_folder,
    "a name added to the course folder": _add_a_name_to_the_course_folder,
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=list(CHANGES))
def test_any_change_to_the_inputs_checks_again(course: Path, loads: list[Path], change: Callable[[Path], None]) -> None:
    assert validate(course).exit_code == 0
    change(course)
    after = validate(course)
    assert len(loads) == 2
    record_file(course).unlink()
    assert shown(validate(course)) == shown(after)  # what a first check prints


def test_another_version_or_changed_code_checks_again(course: Path, loads: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    validate(course)
    record = json.loads(record_file(course).read_text(encoding="utf-8"))
    assert any(stamp[0] == validate_cache.__file__ for stamp in record["code"])  # the deciding code is stamped
    # a module file of the deciding code that is no longer what it was
    record["code"][0][1] += 1
    record_file(course).write_text(json.dumps(record), encoding="utf-8")
    validate(course)
    assert len(loads) == 2
    monkeypatch.setattr(validate_cache, "__version__", "0.0.0-other")
    validate(course)
    assert len(loads) == 3
    validate(course)
    assert len(loads) == 3


CORRUPT: dict[str, Callable[[dict[str, Any]], str]] = {
    "cut short": lambda record: json.dumps(record)[:-9],
    "not a mapping": lambda record: "[]",
    "no stamps": lambda record: json.dumps({**record, "code": []}),
    "a line that is no text": lambda record: json.dumps({**record, "stdout": [7]}),
}


@pytest.mark.parametrize("corrupt", CORRUPT.values(), ids=list(CORRUPT))
def test_a_corrupt_record_is_ignored_and_replaced(course: Path, loads: list[Path], corrupt: Callable[[dict[str, Any]], str]) -> None:
    first = validate(course)
    record = json.loads(record_file(course).read_text(encoding="utf-8"))
    record_file(course).write_text(corrupt(record), encoding="utf-8")
    assert shown(validate(course)) == shown(first)
    assert len(loads) == 2
    validate(course)
    assert len(loads) == 2  # replaced by a good record


def test_only_what_is_fully_hashed_and_valid_is_kept(course: Path, loads: list[Path]) -> None:
    (course / "assets" / "elsewhere.svg").symlink_to(course / "assets" / "welcome.svg")  # its target is not hashed
    assert validate(course).exit_code == 0
    assert not record_file(course).exists()
    (course / "assets" / "elsewhere.svg").unlink()
    _remove_the_asset(course)
    assert validate(course).exit_code == 2
    assert not record_file(course).exists()


def test_a_file_saved_during_the_check_is_not_kept(course: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = validate_command.load_or_exit

    def saved_meanwhile(course_dir: Path):  # type: ignore[no-untyped-def]
        loaded = real(course_dir)
        _add_an_asset_folder(course_dir)
        return loaded

    monkeypatch.setattr(validate_command, "load_or_exit", saved_meanwhile)
    assert validate(course).exit_code == 0
    assert not record_file(course).exists()


def test_shown_from_another_folder_is_another_record(course: Path, loads: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    _add_a_module_file(course)  # a warning, printed relative to the current folder
    monkeypatch.chdir(course.parent)
    first = validate(course)
    monkeypatch.chdir(course)
    here = validate(course)
    assert len(loads) == 2
    assert first.stderr.startswith("course" + os.sep + "modules") and here.stderr.startswith("modules")
