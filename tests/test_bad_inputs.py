"""Malformed courses: each fails with exact `file:line:col: message` lines, exit 2, no traceback.

The committed cases live in tests/bad_inputs/ (see its README.md). Cases that are large,
binary or cannot be stored in git are generated here, in GENERATED_CASES. Every case
also checks that validating wrote nothing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import coursepack
from coursepack.cli import main
from coursepack.load.yaml_source import MAX_DEPTH, MAX_FILE_BYTES

CASES_DIR = Path(__file__).parent / "bad_inputs"
SCAFFOLD = Path(coursepack.__file__).parent / "scaffold"
CASE_NAMES = sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir())
MODULE = "modules/01-welcome.yaml"
UPDATE = os.environ.get("UPDATE_EXPECTED") == "1"


# ---------------------------------------------------------------- helpers


def make_course(tmp_path: Path, case: str | None = None) -> Path:
    """tmp_path/course: the scaffold course with the case's changes applied."""
    course = tmp_path / "course"
    shutil.copytree(SCAFFOLD, course)
    if case is None:
        return course
    case_dir = CASES_DIR / case
    remove = case_dir / "remove.txt"
    if remove.exists():
        for rel in remove.read_text().split():
            target = course / rel
            shutil.rmtree(target) if target.is_dir() else target.unlink()
    for source in case_dir.rglob("*"):
        rel = source.relative_to(case_dir)
        if source.is_file() and str(rel) not in ("expected.txt", "remove.txt"):
            (course / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, course / rel)
    return course


def snapshot(root: Path) -> dict[str, tuple]:
    """Every path under root with its kind, size, mtime and (small files) content hash."""
    state: dict[str, tuple] = {}
    for path in sorted(root.rglob("*")):
        st = path.lstat()
        digest = ""
        if path.is_file() and not path.is_symlink() and st.st_size <= 4 * 1024 * 1024:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        state[str(path.relative_to(root))] = (st.st_mode, st.st_size, st.st_mtime_ns, digest)
    return state


def validate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str = "course") -> Result:
    """Run `coursepack validate course` in-process, from tmp_path (paths print as course/...)."""
    monkeypatch.chdir(tmp_path)
    return CliRunner().invoke(main, ["validate", target])


def assert_rejected(result: Result, expected: list[str]) -> None:
    """Exit 2, exactly the expected stderr lines, nothing on stdout, no traceback."""
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit), f"crashed: {result.exception!r}"
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.splitlines() == expected


def counted(lines: list[str]) -> list[str]:
    """lines plus the summary line `validate` prints after them."""
    return lines + [f"{len(lines)} problem{'s' if len(lines) != 1 else ''} found."]


# ---------------------------------------------------------------- committed cases


def test_corpus_has_at_least_40_cases() -> None:
    assert len(CASE_NAMES) + len(GENERATED_CASES) >= 40
    assert len(CASE_NAMES) >= 40


@pytest.mark.parametrize("case", CASE_NAMES)
def test_bad_input(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_course(tmp_path, case)
    before = snapshot(tmp_path)
    result = validate(tmp_path, monkeypatch)
    expected_file = CASES_DIR / case / "expected.txt"
    if UPDATE:  # then review the diff by hand: see bad_inputs/README.md
        expected_file.write_text(result.stderr)
    assert_rejected(result, expected_file.read_text().splitlines())
    assert snapshot(tmp_path) == before, "validate must not write anything"
    assert not (tmp_path / "pwned-by-yaml").exists() and not (tmp_path / "course" / "pwned-by-yaml").exists()


def test_every_case_has_an_expected_file() -> None:
    for case in CASE_NAMES:
        lines = (CASES_DIR / case / "expected.txt").read_text().splitlines()
        assert lines and lines[-1].endswith("found."), case
        for line in lines[:-1]:
            assert line.startswith("course/") and line.count(":") >= 3, (case, line)


# ---------------------------------------------------------------- generated cases
#
# Each writes into the course copy and returns the problem lines expected (the
# summary line is added by `counted`).


def _module_text(extra: str = "", minutes: str = "10") -> str:
    return (
        "id: welcome\n"
        "title: Welcome\n"
        "objectives:\n"
        "  - Find your way around the course.\n"
        f"minutes: {minutes}\n"
        "pages:\n"
        "  - id: start\n"
        "    title: Start here\n"
        "    blocks:\n"
        "      - type: text\n"
        "        text: Hello and welcome.\n" + extra
    )


def non_utf8_bytes(course: Path) -> list[str]:
    # 'Déjà vu ' is valid UTF-8; the Latin-1 'é' after 'caf' is not. Columns count
    # characters, as editors do, not bytes: the bad byte is character 19 of line 2.
    (course / MODULE).write_bytes(b"id: welcome\ntitle: D\xc3\xa9j\xc3\xa0 vu caf\xe9\n")
    return [f"course/{MODULE}:2:19: byte 0xe9 is not valid UTF-8 (expected a file saved as UTF-8)"]


def windows_1252_course_yaml(course: Path) -> list[str]:
    text = (course / "course.yaml").read_text().replace("title: My First Course", "title: My \u201cFirst\u201d Course")
    (course / "course.yaml").write_bytes(text.encode("cp1252"))
    line = text.splitlines().index("title: My \u201cFirst\u201d Course") + 1
    return [f"course/course.yaml:{line}:11: byte 0x93 is not valid UTF-8 (expected a file saved as UTF-8)"]


def utf16_file(course: Path) -> list[str]:
    (course / MODULE).write_bytes(_module_text().encode("utf-16"))
    return [f"course/{MODULE}:1:1: file is saved as UTF-16 (expected UTF-8)"]


def nul_byte(course: Path) -> list[str]:
    (course / MODULE).write_bytes(_module_text().replace("Hello and", "Hello\x00and").encode())
    return [f"course/{MODULE}:11:20: NUL character (expected printable text)"]


def terminal_escape_character(course: Path) -> list[str]:
    # An ESC (as in ANSI colour codes) must be refused, never echoed to the terminal.
    (course / MODULE).write_bytes(_module_text().replace("Welcome\n", "\x1b[31mWelcome\n", 1).encode())
    return [f"course/{MODULE}:2:8: control character U+001B (expected printable text)"]


def file_of_50_mb(course: Path) -> list[str]:
    with (course / MODULE).open("r+b") as handle:  # sparse: instant to make, never read
        handle.truncate(50 * 1024 * 1024)
    return [f"course/{MODULE}:1:1: file is 50.0 MB (expected a course file of at most {MAX_FILE_BYTES // 1048576} MB)"]


def course_yaml_of_50_mb(course: Path) -> list[str]:
    with (course / "course.yaml").open("r+b") as handle:
        handle.truncate(50 * 1024 * 1024)
    return ["course/course.yaml:1:1: file is 50.0 MB (expected a course file of at most 2 MB)"]


def module_file_is_a_directory(course: Path) -> list[str]:
    (course / MODULE).unlink()
    (course / MODULE).mkdir()
    (course / MODULE / "page.yaml").write_text("id: x\n")
    return [f"course/{MODULE}:1:1: is a directory (expected a YAML file)"]


def course_yaml_is_a_directory(course: Path) -> list[str]:
    (course / "course.yaml").unlink()
    (course / "course.yaml").mkdir()
    return ["course/course.yaml:1:1: is a directory (expected a YAML file)"]


def module_file_is_a_fifo(course: Path) -> list[str]:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    (course / MODULE).unlink()
    os.mkfifo(course / MODULE)  # reading it would block forever
    return [f"course/{MODULE}:1:1: is not a regular file (expected a YAML file)"]


def billion_laughs(course: Path) -> list[str]:
    lines = ['lol0: &l0 "lol"']
    lines += [f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 10)]
    (course / MODULE).write_text("\n".join(lines) + "\n")
    # lol1..lol5 expand to about 123,000 values; the first *l5 of lol6 passes 200,000.
    return [f"course/{MODULE}:7:12: aliases expand this file to more than 200,000 values (expected a course file, not an alias bomb)"]


def nesting_10000_deep(course: Path) -> list[str]:
    (course / MODULE).write_text(_module_text(minutes="[" * 10_000 + "]" * 10_000))
    # The root mapping is level 1; the 50th '[' (column 9 + 50) would be level 51.
    return [f"course/{MODULE}:5:{9 + MAX_DEPTH}: lists and mappings nested deeper than 50 levels (expected at most 50)"]


def nesting_10000_deep_unclosed(course: Path) -> list[str]:
    (course / MODULE).write_text(_module_text(minutes="[" * 10_000))
    return [f"course/{MODULE}:5:59: lists and mappings nested deeper than 50 levels (expected at most 50)"]


def block_nesting_100_deep(course: Path) -> list[str]:
    deep = "".join("  " * i + f"k{i}:\n" for i in range(100))
    (course / MODULE).write_text(_module_text() + "extra:\n" + "".join("  " + line + "\n" for line in deep.splitlines()))
    # extra (level 2) holds k0 (level 3)...: the mapping under k48 is level 51, at line 13 + 49.
    return [f"course/{MODULE}:62:101: lists and mappings nested deeper than 50 levels (expected at most 50)"]


def missing_course_folder(course: Path) -> list[str]:
    shutil.rmtree(course)
    return ["course:1:1: course folder not found (expected a folder holding course.yaml)"]


def _add_audio_page(course: Path, transcript: str) -> int:
    """Append a page with an audio block; returns the line of its `transcript:` value."""
    (course / "assets" / "talk.mp3").write_bytes(b"ID3 not really audio")
    text = (course / MODULE).read_text()
    text += "  - id: listen\n    title: Listen\n    blocks:\n      - type: audio\n        src: talk.mp3\n        title: A short talk\n"
    (course / MODULE).write_text(text + f"        transcript: {transcript}\n")
    return len(text.splitlines()) + 1


def asset_linked_to_etc_passwd(course: Path) -> list[str]:
    # Symbolic links cannot be committed portably, so the case is made here.
    (course / "assets" / "welcome.svg").unlink()
    (course / "assets" / "welcome.svg").symlink_to("/etc/passwd")
    return [f"course/{MODULE}:16:14: asset 'welcome.svg': file 'assets/welcome.svg' links outside the course folder (expected files inside the course folder only; nothing outside it is read or packed)"]


def transcript_linked_to_proc_environ(course: Path) -> list[str]:
    (course / "assets" / "talk.txt").symlink_to("/proc/self/environ")
    line = _add_audio_page(course, "talk.txt")
    return [f"course/{MODULE}:{line}:21: asset 'talk.txt': file 'assets/talk.txt' links outside the course folder (expected files inside the course folder only; nothing outside it is read or packed)"]


def asset_folder_linked_to_root(course: Path) -> list[str]:
    (course / "assets" / "host").symlink_to("/", target_is_directory=True)
    (course / MODULE).write_text((course / MODULE).read_text().replace("src: welcome.svg", "src: host/etc/logo.svg"))
    return [f"course/{MODULE}:16:14: asset 'host/etc/logo.svg': folder 'assets/host' links outside the course folder (expected files inside the course folder only; nothing outside it is read or packed)"]


def assets_differing_only_in_case(course: Path) -> list[str]:
    # Welcome.svg beside welcome.svg cannot be checked out on macOS or Windows.
    shutil.copyfile(course / "assets" / "welcome.svg", course / "assets" / "Welcome.svg")
    text = (course / MODULE).read_text()
    image = "      - type: image\n        src: welcome.svg\n"
    (course / MODULE).write_text(text.replace(image, image.replace("welcome", "Welcome") + "        alt: The three boxes again.\n" + image, 1))
    return [f"course/{MODULE}:19:14: asset 'welcome.svg' differs only in letter case from 'Welcome.svg' at {MODULE} line 16 (expected one spelling: on case-insensitive disks and LMS servers they are the same file)"]


def transcript_not_utf8(course: Path) -> list[str]:
    (course / "assets" / "talk.txt").write_bytes("Our talk.\nIt was a caf\u00e9 conversation.\n".encode("cp1252"))
    line = _add_audio_page(course, "talk.txt")
    return [f"course/{MODULE}:{line}:21: 'talk.txt' line 2 column 13: byte 0xe9 is not valid UTF-8 (expected a text file saved as UTF-8)"]


def module_file_linked_from_outside(course: Path) -> list[str]:
    outside = course.parent / "elsewhere.yaml"
    (course / MODULE).rename(outside)
    (course / MODULE).symlink_to(outside)
    line = (course / "course.yaml").read_text().splitlines().index(f"  - {MODULE}") + 1
    return [f"course/course.yaml:{line}:5: module file '{MODULE}': file '{MODULE}' links outside the course folder (expected module files inside the course folder)"]


def asset_is_a_fifo(course: Path) -> list[str]:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    (course / "assets" / "welcome.svg").unlink()
    os.mkfifo(course / "assets" / "welcome.svg")  # packing it would block forever
    return [f"course/{MODULE}:16:14: asset 'welcome.svg' is not a regular file (expected a file)"]


GENERATED_CASES: dict[str, Callable[[Path], list[str]]] = {
    f.__name__: f
    for f in (
        non_utf8_bytes,
        windows_1252_course_yaml,
        utf16_file,
        nul_byte,
        terminal_escape_character,
        file_of_50_mb,
        course_yaml_of_50_mb,
        module_file_is_a_directory,
        course_yaml_is_a_directory,
        module_file_is_a_fifo,
        billion_laughs,
        nesting_10000_deep,
        nesting_10000_deep_unclosed,
        block_nesting_100_deep,
        missing_course_folder,
        asset_linked_to_etc_passwd,
        transcript_linked_to_proc_environ,
        asset_folder_linked_to_root,
        assets_differing_only_in_case,
        transcript_not_utf8,
        asset_is_a_fifo,
        module_file_linked_from_outside,
    )
}


@pytest.mark.parametrize("case", GENERATED_CASES)
def test_generated_bad_input(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    course = make_course(tmp_path)
    expected = GENERATED_CASES[case](course)
    before = snapshot(tmp_path)
    result = validate(tmp_path, monkeypatch)
    assert_rejected(result, counted(expected))
    assert snapshot(tmp_path) == before, "validate must not write anything"


# ---------------------------------------------------------------- the real process


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in a fresh interpreter: proves the exit code and that no traceback escapes."""
    return subprocess.run(
        [sys.executable, "-c", "from coursepack.cli import main; main()", *args],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )


@pytest.mark.parametrize("case", ["several-errors-one-file", "python-tag-os-system", "model-and-cross-file-errors-together"])
def test_subprocess_committed_case(case: str, tmp_path: Path) -> None:
    make_course(tmp_path, case)
    before = snapshot(tmp_path)
    proc = run_cli(tmp_path, "validate", "course")
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == (CASES_DIR / case / "expected.txt").read_text().splitlines()
    assert snapshot(tmp_path) == before
    assert not (tmp_path / "pwned-by-yaml").exists() and not (tmp_path / "course" / "pwned-by-yaml").exists()


@pytest.mark.parametrize("case", ["billion_laughs", "nesting_10000_deep", "non_utf8_bytes", "file_of_50_mb"])
def test_subprocess_generated_case(case: str, tmp_path: Path) -> None:
    expected = GENERATED_CASES[case](make_course(tmp_path))
    proc = run_cli(tmp_path, "validate", "course")
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == counted(expected)


def test_errors_are_sorted_and_one_per_line() -> None:
    """All problems come at once, sorted by file, line and column."""
    for case in CASE_NAMES:
        lines = (CASES_DIR / case / "expected.txt").read_text().splitlines()[:-1]

        def key(line: str) -> tuple[str, int, int]:
            file, row, col, _ = line.split(":", 3)
            return file, int(row), int(col)

        assert [key(x) for x in lines] == sorted(key(x) for x in lines), case
