"""A build's memory does not grow with the number of modules (issue 16): each launch page waits for its
package's zip in a spill file, not in memory, and the pages an edition's targets share wait there too;
a spilled file zips to the same bytes as the file in memory. What does grow with the modules stays small
per module: the loaded course, and what a whole-course unit's render holds at its peak and after it."""

from __future__ import annotations

import gc
import json
import tracemalloc
import zipfile
from pathlib import Path

import pytest

import coursepack.render.page as page_module
from coursepack.commands.build import build_packages
from coursepack.load.course_loader import LoadedCourse, load_course
from coursepack.render.page import render_unit
from coursepack.render.render_cache import RenderCache
from coursepack.render.unit_contents import unit_contents
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


def _write_course(root: Path, modules: int) -> Path:
    _course(root, 1)  # the files of one module, then that module file copied under other names and ids
    module = (root / "modules" / "m000.yaml").read_text()
    files = [f"modules/m{i:03d}.yaml" for i in range(modules)]
    for i, rel in enumerate(files[1:], start=1):
        (root / rel).write_text(module.replace("m000", f"m{i:03d}").replace("quiz0", f"quiz{i}").replace('"r0"', f'"r{i}"')
                                .replace("module 0", f"module {i}").replace("(0.", f"({i}."))
    course = json.loads((root / "course.yaml").read_text())
    (root / "course.yaml").write_text(json.dumps({**course, "modules": files}))
    return root


# two courses of SMALL and LARGE modules: what grows between them grows with the modules
SMALL, LARGE = 10, 30


@pytest.fixture(scope="module")
def two_courses(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("memory-shape")
    return _write_course(root / "small", SMALL), _write_course(root / "large", LARGE)


def _loaded_bytes(root: Path) -> int:
    """The bytes a load of the course in root leaves allocated."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        loaded = load_course(root)  # noqa: F841  (held while measured)
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


def test_a_loaded_course_holds_little_per_module(two_courses: tuple[Path, Path]) -> None:
    """Every model instance held a set of its own of the fields it was given (216 bytes or more, a third
    of a small model) and a dict of its values with keys of its own: the load left 25 KB a module here
    (28 KB a module of bench/run.py's course, 35 models each). Now one set per distinct set of fields and
    dicts sharing their keys: 12 KB a module here, the module file's text included (a build compresses
    it: commands/build.py)."""
    load_course(two_courses[0])  # the models' validators built: not counted below
    small, large = (_loaded_bytes(root) for root in two_courses)
    per_module = (large - small) / (LARGE - SMALL)
    assert per_module < 14_000, f"the loaded course grows by {per_module / 1024:.1f} KB per module"


def _render_bytes(loaded: LoadedCourse, spill: Path) -> tuple[int, int]:
    """(peak, held after) bytes of rendering the whole-course unit as a build does, its page files spilled,
    with its RenderCache kept (a build keeps it for the whole run)."""
    unit = unit_contents(loaded, "standard")
    files = SpillFile(spill)
    try:
        renders = RenderCache(spill=files)
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            rendered = render_unit(unit, "xapi", None, renders)
            peak = tracemalloc.get_traced_memory()[1]
            del rendered
            gc.collect()
            return peak - before, tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
    finally:
        files.close()


def test_a_whole_course_render_holds_no_module_values(two_courses: tuple[Path, Path], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A whole-course unit's render made the template's values of every page, block and question at once,
    and every quiz's questions, and held them until its launch page and page files were made; its
    RenderCache kept a copy of every plain text it was asked for (each choice, prompt and title). Here its
    peak grew by 10.5 KB a module and what it kept by 4.8 KB; now by 2.3 KB (most of it the course data,
    made at once for the launch page) and 1.2 KB (the Markdown's HTML, and the page files' places)."""
    monkeypatch.setattr(page_module, "INLINE_PAGES_MAX", 0)  # every page in page files, as a large course's
    small, large = (load_course(root) for root in two_courses)
    render_unit(unit_contents(small, "standard"), "xapi", None)  # the templates compiled (untraced: slow), the runtime read
    peak, held = ((b - a) / (LARGE - SMALL) for a, b in zip(_render_bytes(small, tmp_path), _render_bytes(large, tmp_path)))
    assert peak < 5_000, f"the render's peak grows by {peak / 1024:.1f} KB per module"
    assert held < 2_500, f"what the render keeps grows by {held / 1024:.1f} KB per module"


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
