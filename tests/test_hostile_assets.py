"""Hostile or broken asset references: validate and build refuse them alike, exit 2, nothing written.

Course files are untrusted: nothing outside the course folder is ever read or packed,
every asset path has one spelling, and text assets must be UTF-8.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from coursepack.cli import main
from coursepack.load.paths import case_collisions, outside_folder, relative_path_problem
from conftest import SCAFFOLD

MODULE = "modules/01-welcome.yaml"


@pytest.fixture
def course(tmp_path: Path) -> Path:
    target = tmp_path / "course"
    shutil.copytree(SCAFFOLD, target)
    return target


def set_image_src(course: Path, src: str) -> None:
    module = course / MODULE
    module.write_text(module.read_text().replace("src: welcome.svg", f"src: {src}"))


def add_page(course: Path, blocks: str) -> None:
    """A last page holding the given blocks (YAML list items, indented as in a page)."""
    with (course / MODULE).open("a") as handle:
        handle.write("  - id: extra\n    title: Extra\n    blocks:\n" + blocks)


def add_audio(course: Path, transcript: str) -> None:
    (course / "assets" / "talk.mp3").write_bytes(b"ID3 not really audio")
    add_page(course, f"      - type: audio\n        src: talk.mp3\n        title: A short talk\n        transcript: {transcript}\n")


def run(verb: str, course: Path) -> Result:
    args = [verb, str(course)] + (["--out", str(course.parent / "out")] if verb == "build" else [])
    return CliRunner().invoke(main, args)


def assert_refused(result: Result, *fragments: str) -> None:
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit), f"crashed: {result.exception!r}"
    assert result.exit_code == 2, result.output
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def assert_refused_by_both(course: Path, *fragments: str) -> None:
    assert_refused(run("validate", course), *fragments)
    assert_refused(run("build", course), *fragments)
    assert not (course.parent / "out").exists(), "a refused build must write nothing"


def built_names(course: Path) -> list[str]:
    result = run("build", course)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(next((course.parent / "out").glob("*-scorm12.zip"))) as archive:
        return archive.namelist()


# ---------------------------------------------------------------- symbolic links


def test_asset_linked_to_a_file_outside_is_refused(course: Path) -> None:
    (course / "assets" / "leak.png").symlink_to("/etc/passwd")
    set_image_src(course, "leak.png")
    assert_refused_by_both(course, f"{MODULE}:16:14: asset 'leak.png': file 'assets/leak.png' links outside the course folder")


def test_transcript_linked_to_proc_environ_is_refused_and_never_inlined(course: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSEPACK_TEST_SECRET", "s3cr3t-value")
    (course / "assets" / "talk.txt").symlink_to("/proc/self/environ")
    add_audio(course, "talk.txt")
    assert_refused_by_both(course, "asset 'talk.txt': file 'assets/talk.txt' links outside the course folder")
    assert "s3cr3t-value" not in run("build", course).output


def test_folder_linked_outside_is_refused(course: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copyfile(course / "assets" / "welcome.svg", outside / "secret.svg")
    (course / "assets" / "shared").symlink_to(outside, target_is_directory=True)
    set_image_src(course, "shared/secret.svg")
    assert_refused_by_both(course, "asset 'shared/secret.svg': folder 'assets/shared' links outside the course folder")


def test_assets_folder_linked_to_root_is_refused(course: Path) -> None:
    shutil.rmtree(course / "assets")
    (course / "assets").symlink_to("/", target_is_directory=True)
    set_image_src(course, "etc/welcome.svg")
    assert_refused_by_both(course, "folder 'assets' links outside the course folder")


def test_module_file_linked_outside_is_refused(course: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    (course / MODULE).rename(outside)
    (course / MODULE).symlink_to(outside)
    assert_refused_by_both(course, "course.yaml:15:5: module file 'modules/01-welcome.yaml': file 'modules/01-welcome.yaml' links outside the course folder")


def test_link_loop_is_refused_without_a_traceback(course: Path) -> None:
    (course / "assets" / "loop.png").symlink_to("loop.png")
    set_image_src(course, "loop.png")
    assert_refused_by_both(course, "asset 'loop.png': file 'assets/loop.png' links outside the course folder")


def test_link_inside_the_course_folder_is_followed(course: Path) -> None:
    (course / "assets" / "alias.svg").symlink_to("welcome.svg")
    set_image_src(course, "alias.svg")
    assert "assets/alias.svg" in built_names(course)


def test_outside_folder_checks_every_prefix(tmp_path: Path) -> None:
    (tmp_path / "c" / "a").mkdir(parents=True)
    (tmp_path / "c" / "a" / "up").symlink_to("../..", target_is_directory=True)
    (tmp_path / "c" / "a" / "here").symlink_to(".", target_is_directory=True)
    assert outside_folder(tmp_path / "c", "a/up/x.png") == "a/up"
    assert outside_folder(tmp_path / "c", "a/here/x.png") is None
    assert outside_folder(tmp_path / "c", "a/missing.png") is None


# ---------------------------------------------------------------- one path rule


@pytest.mark.parametrize(
    ("src", "why"),
    [
        ("./welcome.svg", "has a '.' segment"),
        ("welcome.svg/", "ends with '/'"),
        ("diagrams//welcome.svg", "has an empty segment ('//')"),
        ("diagrams/./welcome.svg", "has a '.' segment"),
    ],
)
def test_unnormalised_paths_are_refused_by_validate_and_build(course: Path, src: str, why: str) -> None:
    (course / "assets" / "diagrams").mkdir()
    shutil.copyfile(course / "assets" / "welcome.svg", course / "assets" / "diagrams" / "welcome.svg")
    set_image_src(course, src)
    assert_refused_by_both(course, f"{MODULE}:16:14: asset path '{src}' {why} (expected a plain path inside assets/")


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("", "is empty"), ("/etc/passwd", "starts with '/'"), ("a\\b.svg", "contains a backslash"),
        ("a/", "ends with '/'"), ("../a", "has a '..' segment"), ("a/../b", "has a '..' segment"),
        ("./a", "has a '.' segment"), ("a//b", "has an empty segment ('//')"),
    ],
)
def test_relative_path_rule(path: str, why: str) -> None:
    assert relative_path_problem(path) == why


@pytest.mark.parametrize("path", ["a.svg", "diagrams/ai-family.svg", ".well-known/x.txt", "a..b/c.png"])
def test_plain_paths_pass_the_rule(path: str) -> None:
    assert relative_path_problem(path) is None


# ---------------------------------------------------------------- letter case


def test_case_only_collision_between_assets_is_refused(course: Path) -> None:
    shutil.copyfile(course / "assets" / "welcome.svg", course / "assets" / "Welcome.svg")
    add_page(course, "      - type: image\n        src: Welcome.svg\n        alt: The same three boxes, spelt with a capital W.\n")
    assert_refused_by_both(course, "asset 'Welcome.svg' differs only in letter case from 'welcome.svg' at modules/01-welcome.yaml line 16")


def test_case_only_collision_between_folders_is_refused(course: Path) -> None:
    for folder in ("Diagrams", "diagrams"):
        (course / "assets" / folder).mkdir()
        shutil.copyfile(course / "assets" / "welcome.svg", course / "assets" / folder / f"{folder}.svg")
    set_image_src(course, "diagrams/diagrams.svg")
    add_page(course, "      - type: image\n        src: Diagrams/Diagrams.svg\n        alt: The same three boxes in another folder.\n")
    assert_refused_by_both(course, "folder 'Diagrams' differs only in letter case from 'diagrams' at modules/01-welcome.yaml line 16")


def test_same_spelling_twice_is_no_collision() -> None:
    assert case_collisions(["a/b.svg", "a/b.svg", "a/c.svg", "B/x.png"]) == []
    assert case_collisions(["a/b.svg", "A/c.svg", "a/B.SVG"]) == [(0, 1, "a", "A"), (0, 2, "a/b.svg", "a/B.SVG")]


# ---------------------------------------------------------------- text encodings


def test_transcript_not_in_utf8_is_refused_with_the_reference(course: Path) -> None:
    (course / "assets" / "talk.txt").write_bytes("Hello.\nCaf\u00e9 talk.\n".encode("latin-1"))
    add_audio(course, "talk.txt")
    assert_refused_by_both(course, "'talk.txt' line 2 column 4: byte 0xe9 is not valid UTF-8 (expected a text file saved as UTF-8)")


def test_utf8_transcript_is_inlined(course: Path) -> None:
    (course / "assets" / "talk.md").write_text("Caf\u00e9 \u2014 \u4e2d\u6587.\n", encoding="utf-8")
    add_audio(course, "talk.md")
    assert run("build", course).exit_code == 0
    with zipfile.ZipFile(next((course.parent / "out").glob("*-scorm12.zip"))) as archive:
        assert "Caf\u00e9 \u2014 \u4e2d\u6587." in archive.read("index.html").decode()


def test_fifo_asset_is_refused_without_blocking(course: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    os.mkfifo(course / "assets" / "pipe.png")  # reading it would block forever
    set_image_src(course, "pipe.png")
    assert_refused_by_both(course, "asset 'pipe.png' is not a regular file (expected a file)")


def test_build_checks_again_a_file_swapped_for_a_link_after_loading(course: Path) -> None:
    from coursepack.load.course_loader import load_course
    from coursepack.load.errors import CourseError
    from coursepack.targets.package import package_files

    loaded = load_course(course)  # valid now
    (course / "assets" / "welcome.svg").unlink()
    (course / "assets" / "welcome.svg").symlink_to("/etc/passwd")
    with pytest.raises(CourseError) as caught:
        package_files(loaded, "scorm12", "standard")
    assert [str(p).split(": ", 1)[1] for p in caught.value.problems] == [
        "asset 'welcome.svg' links outside the course folder (expected a file inside the course folder; nothing outside it is packed)"
    ]
    assert caught.value.problems[0].line == 16


def test_course_and_module_files_linked_outside_are_never_read(course: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE: do not print\n", encoding="utf-8")
    module = course / "modules" / "01-welcome.yaml"
    module.unlink()
    module.symlink_to(secret)
    result = run("validate", course)
    assert result.exit_code == 2 and "TOP-SECRET" not in result.output
    assert "links outside the course folder" in result.output and "course.yaml:" in result.output
    (course / "course.yaml").unlink()
    (course / "course.yaml").symlink_to(secret)
    result = run("validate", course)
    assert result.exit_code == 2 and "TOP-SECRET" not in result.output
    assert "course.yaml:1:1: links outside the course folder" in result.output
