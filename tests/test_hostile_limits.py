"""Titles, versions and paths that would make a manifest the SCORM 1.2 XSD rejects are refused
with the limit; at the limit the built manifest still validates against the official XSD."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from coursepack.cli import main
from conftest import SCAFFOLD, validate_manifest

MODULE = "modules/01-welcome.yaml"


@pytest.fixture
def course(tmp_path: Path) -> Path:
    target = tmp_path / "course"
    shutil.copytree(SCAFFOLD, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def validate(course: Path) -> Result:
    return CliRunner().invoke(main, ["validate", str(course)])


def refused(course: Path) -> list[str]:
    result = validate(course)
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    return [line.split(": ", 1)[1] for line in result.stderr.splitlines()[:-1]]


def test_course_title_over_200_is_refused(course: Path) -> None:
    edit(course / "course.yaml", "title: My First Course", "title: " + "T" * 201)
    assert refused(course) == ["'title' is too long (expected at most 200 characters)"]


def test_version_over_20_is_refused(course: Path) -> None:
    edit(course / "course.yaml", "version: 0.1.0", "version: 1.0.0-" + "r" * 15)  # 21 characters
    assert refused(course) == ["'version' is too long (expected at most 20 characters)"]


def test_certificate_edition_title_over_200_is_refused(course: Path) -> None:
    edit(course / "course.yaml", "title: My First Course", "title: " + "T" * 150)
    edit(course / "course.yaml", "title: Certificate of Completion", "title: " + "C" * 48)
    assert refused(course) == [
        "the certificate edition's title '<course title> (<certificate title>)' would be 201 characters "
        "(expected at most 200, the SCORM 1.2 limit: shorten this title or the course title)"
    ]


def test_module_title_over_200_is_refused(course: Path) -> None:
    edit(course / MODULE, "title: Welcome", "title: " + "W" * 201)
    assert refused(course) == ["module title is 201 characters (expected at most 200: it is a SCORM 1.2 manifest title with --sco-per-module)"]


def test_asset_path_over_1000_is_refused(course: Path) -> None:
    edit(course / MODULE, "src: welcome.svg", "src: " + "d/" * 500 + "w.svg")
    assert refused(course) == ["'src' is too long (expected at most 1000 characters)"]


@pytest.mark.parametrize("per_module", [False, True])
def test_titles_at_the_limits_give_valid_manifests(course: Path, tmp_path: Path, per_module: bool, reference_validator: Path) -> None:
    edit(course / "course.yaml", "title: My First Course", "title: " + "T" * 150)
    edit(course / "course.yaml", "title: Certificate of Completion", "title: " + "C" * 47)
    edit(course / "course.yaml", "version: 0.1.0", "version: 1.0.0-" + "r" * 14)  # 20 characters
    edit(course / MODULE, "title: Welcome", "title: " + "W" * 200)
    args = ["build", str(course), "--out", str(tmp_path / "out")] + (["--sco-per-module"] if per_module else [])
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    packages = sorted((tmp_path / "out").glob("*.zip"))
    assert len(packages) == 2
    for package in packages:
        with zipfile.ZipFile(package) as archive:
            manifest = tmp_path / f"{package.stem}.xml"
            manifest.write_bytes(archive.read("imsmanifest.xml"))
        checked = validate_manifest(reference_validator, manifest, "scorm12")
        assert checked.returncode == 0, checked.stdout + checked.stderr
