"""The preview's LoadCache: after any edit, a load through the cache gives exactly what a fresh load
gives (the same problems, or the same built package bytes and warnings), and it reuses the files
whose bytes did not change."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from coursepack.load.course_loader import load_course
from coursepack.load.errors import CourseError
from coursepack.load.load_cache import LoadCache
from coursepack.targets.package import package_files
from test_bad_inputs import CASE_NAMES, make_course

REPO = Path(__file__).resolve().parents[1]
FIRST = "modules/01-what-is-ai.yaml"
SECOND = "modules/02-how-generative-ai-works.yaml"
SVG_DIR = "assets/diagrams"

Outcome = tuple[str, object, object]


def outcome(root: Path, cache: LoadCache | None) -> Outcome:
    """('error', problems, None) or ('ok', warnings, every built file's bytes), for comparing loads."""
    try:
        loaded = load_course(root, cache)
    except CourseError as exc:
        return ("error", [str(p) for p in exc.problems], None)
    files = package_files(loaded, "scorm12", "standard")
    built = {path: content if isinstance(content, bytes) else content.read_bytes() for path, content in files.items()}
    return ("ok", [str(w) for w in loaded.warnings], built)


@pytest.fixture()
def course(tmp_path: Path) -> Path:
    """The example course cut to its first three modules: every edit below loads it twice (cached and
    fresh), and seven modules made that 12 s of CI for nothing the first three do not show."""
    root = tmp_path / "course"
    root.mkdir()
    kept = ("modules/01-", "modules/02-", "modules/03-")
    lines = (REPO / "course.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
    cut = "".join(line for line in lines if "modules/0" not in line or any(k in line for k in kept))
    (root / "course.yaml").write_text(cut, encoding="utf-8")
    shutil.copytree(REPO / "assets", root / "assets")
    (root / "modules").mkdir()
    for module in sorted((REPO / "modules").iterdir()):
        if any(f"modules/{module.name}".startswith(k) for k in kept):
            shutil.copyfile(module, root / "modules" / module.name)
    assert len(list((root / "modules").iterdir())) == len(kept)
    return root


def _replace(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{rel} no longer holds {old!r}: update the test"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _first_svg(root: Path) -> Path:
    return sorted((root / SVG_DIR).glob("*.svg"))[0]


def _edits(root: Path) -> list[tuple[str, str, Callable[[], None]]]:
    """(name, outcome kind expected, edit), applied in order to one course."""
    first, second = root / FIRST, root / SECOND
    first_text = first.read_text(encoding="utf-8")
    second_text = second.read_text(encoding="utf-8")
    course_text = (root / "course.yaml").read_text(encoding="utf-8")
    svg = _first_svg(root)
    svg_bytes = svg.read_bytes()
    renamed = root / "modules/01-renamed.yaml"
    stat = first.stat()

    def same_size_same_mtime() -> None:  # an edit the mtime and size cannot see; the hash does
        index = first_text.index("title: ") + len("title: ")
        letter = first_text[index]
        changed = first_text[:index] + ("X" if letter != "X" else "Y") + first_text[index + 1:]
        first.write_text(changed, encoding="utf-8")
        os.utime(first, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    def restore_first() -> None:
        first.write_text(first_text, encoding="utf-8")

    def rename_first() -> None:
        first.rename(renamed)

    def list_renamed() -> None:
        (root / "course.yaml").write_text(course_text.replace(FIRST, "modules/01-renamed.yaml"), encoding="utf-8")

    def rename_back() -> None:
        renamed.rename(first)
        (root / "course.yaml").write_text(course_text, encoding="utf-8")

    def delete_second() -> None:
        second.unlink()

    def unlist_second() -> None:
        lines = [line for line in course_text.splitlines(keepends=True) if SECOND not in line]
        (root / "course.yaml").write_text("".join(lines), encoding="utf-8")

    def restore_second() -> None:
        second.write_text(second_text, encoding="utf-8")
        (root / "course.yaml").write_text(course_text, encoding="utf-8")

    def second_takes_first_id() -> None:  # a cross-file problem from an edit of one file
        first_id = next(line for line in first_text.splitlines() if line.startswith("id:"))
        second_id = next(line for line in second_text.splitlines() if line.startswith("id:"))
        second.write_text(second_text.replace(second_id, first_id, 1), encoding="utf-8")

    def first_becomes_folder() -> None:
        first.unlink()
        first.mkdir()

    def folder_becomes_first() -> None:
        first.rmdir()
        restore_first()

    return [
        ("unchanged", "ok", lambda: None),
        ("title edited", "ok", lambda: _replace(root, FIRST, "title:", "title: Edited")),
        ("invalid YAML", "error", lambda: first.write_text(first_text + "\n  bad: [\n", encoding="utf-8")),
        ("valid again", "ok", restore_first),
        ("unknown field", "error", lambda: first.write_text(first_text + "\nunknown_field: 1\n", encoding="utf-8")),
        ("valid again after a model error", "ok", restore_first),
        ("same size, same mtime", "ok", same_size_same_mtime),
        ("restored", "ok", restore_first),
        ("module renamed on disk", "error", rename_first),
        ("course.yaml lists the new name", "ok", list_renamed),
        ("renamed back", "ok", rename_back),
        ("module deleted", "error", delete_second),
        ("module unlisted", "ok", unlist_second),
        ("module back", "ok", restore_second),
        ("duplicate module id", "error", second_takes_first_id),
        ("duplicate removed", "ok", restore_second),
        ("SVG made active", "error", lambda: svg.write_bytes(svg_bytes.replace(b"</svg>", b"<script>alert(1)</script></svg>"))),
        ("SVG restored", "ok", lambda: svg.write_bytes(svg_bytes)),
        ("SVG deleted", "error", svg.unlink),
        ("SVG back", "ok", lambda: svg.write_bytes(svg_bytes)),
        ("module file is a folder", "error", first_becomes_folder),
        ("module file again", "ok", folder_becomes_first),
        ("course.yaml invalid", "error", lambda: (root / "course.yaml").write_text(course_text + "\n: [\n", encoding="utf-8")),
        ("course.yaml valid again", "ok", lambda: (root / "course.yaml").write_text(course_text, encoding="utf-8")),
    ]


def test_every_edit_loads_as_a_fresh_load_does(course: Path) -> None:
    cache = LoadCache()
    assert outcome(course, cache) == outcome(course, None)
    for name, kind, edit in _edits(course):
        edit()
        cached, fresh = outcome(course, cache), outcome(course, None)
        assert cached == fresh, name
        assert cached[0] == kind, f"{name}: {cached[:2]}"


def test_unchanged_files_are_reused_and_changed_ones_read_again(course: Path) -> None:
    cache = LoadCache()
    before = {m.file: m.module for m in load_course(course, cache).modules}
    _replace(course, FIRST, "title:", "title: Edited")
    after = {m.file: m.module for m in load_course(course, cache).modules}
    assert after[FIRST] is not before[FIRST]
    assert after[FIRST].title.startswith("Edited")
    assert all(after[rel] is before[rel] for rel in before if rel != FIRST)


@pytest.mark.parametrize("case", CASE_NAMES)
def test_bad_inputs_give_the_same_problems_through_the_cache(tmp_path: Path, case: str) -> None:
    root = make_course(tmp_path, case)
    cache = LoadCache()
    fresh = outcome(root, None)
    assert outcome(root, cache) == fresh  # filled
    assert outcome(root, cache) == fresh  # reused
