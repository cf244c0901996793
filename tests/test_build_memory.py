"""A build's memory does not grow with the number of modules (issue 16): each launch page waits for its
package's zip in a spill file, not in memory, and the pages an edition's targets share wait there too;
a spilled file zips to the same bytes as the file in memory."""

from __future__ import annotations

import json
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from coursepack.commands.build import build_packages
from coursepack.load.course_loader import LoadedCourse, load_course
from coursepack.targets.zipper import SpillFile, write_zip


def _course(root: Path, modules: int) -> LoadedCourse:
    """A course of `modules` modules of three pages (text, reflection, a quiz of six questions), every text
    its own, as bench/run.py's generated courses."""
    (root / "modules").mkdir(parents=True)
    files = [f"modules/m{i:03d}.yaml" for i in range(modules)]
    (root / "course.yaml").write_text(json.dumps({
        "id": "https://example.org/courses/memory", "slug": "memory", "title": "Memory", "description": "Generated.",
        "language": "en", "version": "1.0.0", "authors": [{"name": "t"}], "modules": files}))
    for i, rel in enumerate(files):
        questions = [{"id": f"q{j}", "type": "single_choice", "prompt": f"Question {j} of module {i}?",
                      "choices": [{"id": c, "text": f"Choice {c} ({i}.{j})"} for c in "abc"], "answer": "b"} for j in range(6)]
        (root / rel).write_text(json.dumps({"id": f"m{i:03d}", "title": f"Module {i}", "objectives": ["Learn."], "minutes": 5, "pages": [
            {"id": "read", "title": "Read", "blocks": [{"type": "text", "text": f"Some **text** of module {i}.\n\n- a\n- b\n" * 5}]},
            {"id": "reflect", "title": "Reflect", "blocks": [{"type": "reflection", "id": f"r{i}", "prompt": f"Why {i}?", "min_chars": 5}]},
            {"id": "quiz", "title": "Quiz", "blocks": [{"type": "quiz", "id": f"quiz{i}", "questions": questions}]},
        ]}))
    return load_course(root)


def _packaging_peak(loaded: LoadedCourse, out: Path) -> int:
    """Bytes allocated at the peak of building one edition's per-module packages (SCORM 1.2 and cmi5:
    one unit per module, the second target reusing the first's pages), above what the loaded course holds."""
    out.mkdir()
    tracemalloc.start()
    try:
        build_packages(loaded, ["scorm12", "cmi5"], ["standard"], out, per_module=True)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_packaging_memory_does_not_grow_with_the_modules(tmp_path: Path) -> None:
    """Held until the zip was written, a package's launch pages (and the pages kept for the edition's
    other targets, with the values their template was given) made the build's peak grow by about 70 KB a
    module here (+58 MB per 500 modules in bench/run.py's course). Now only the Markdown's HTML and the
    package's index grow, 15-17 KB a module here: no module's page is held once it is written out."""
    small, large = _course(tmp_path / "small", 2), _course(tmp_path / "large", 10)
    (tmp_path / "warm").mkdir()  # the templates compiled (untraced: slow), the runtime files read: not counted below
    build_packages(small, ["scorm12", "cmi5"], ["standard"], tmp_path / "warm", per_module=True)
    grown = _packaging_peak(large, tmp_path / "large-out") - _packaging_peak(small, tmp_path / "small-out")
    per_module = grown / 8
    assert per_module < 35_000, f"the build's peak grows by {per_module / 1024:.0f} KB per module"


def test_a_spilled_file_zips_to_the_same_bytes(tmp_path: Path) -> None:
    page = b"<html>" + bytes(range(256)) * 5000 + b"</html>"  # over a CHUNK's worth: read back in pieces too
    spill = SpillFile(tmp_path)
    try:
        spill.put(b"before")
        files = {"index.html": spill.put(page), "imsmanifest.xml": b"<manifest/>", "runtime/p.js": spill.put(b"x" * 5000)}
        write_zip(files, tmp_path / "spilled.zip")
        write_zip({**files, "index.html": page, "runtime/p.js": b"x" * 5000}, tmp_path / "held.zip")
        assert (tmp_path / "spilled.zip").read_bytes() == (tmp_path / "held.zip").read_bytes()
        with zipfile.ZipFile(tmp_path / "spilled.zip") as archive:
            assert archive.read("index.html") == page
        spill.clear()
        with pytest.raises(ValueError, match="cleared"):  # never the bytes of whatever was put since
            files["index.html"].read()
    finally:
        spill.close()
