"""`coursepack build` end to end, without a browser: names, determinism, all-or-nothing, safety."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from coursepack.cli import main
from coursepack.render import page
from coursepack.targets.scorm12 import NS_CP
from conftest import REPO, SCAFFOLD, validate_manifest


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def course(tmp_path: Path) -> Path:
    target = tmp_path / "course"
    shutil.copytree(SCAFFOLD, target)
    return target


@pytest.fixture(params=["pages inline", "page files"])
def layout(request, monkeypatch) -> str:
    """Both ways a unit ships its pages' markup: in the launch page (a small unit), or in page files
    (a large one; here every unit, in files small enough that each unit has several)."""
    if request.param == "page files":
        monkeypatch.setattr(page, "INLINE_PAGES_MAX", 0)
        monkeypatch.setattr(page, "PAGE_FILE_BYTES", 2048)
    return request.param


def build(course: Path, out: Path, *extra: str) -> list[Path]:
    result = run("build", str(course), "--out", str(out), *extra)
    assert result.exit_code == 0, result.output
    return sorted(out.glob("*.zip"))


def test_builds_both_editions_with_documented_names(course: Path, tmp_path: Path) -> None:
    result = run("build", str(course), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["my-course-0.1.0-scorm12-certificate.zip", "my-course-0.1.0-scorm12.zip"]
    lines = result.output.strip().splitlines()
    assert len(lines) == 2 and all(re.search(r"\.zip  [0-9.,]+ KB$", line) for line in lines)


def test_default_output_is_dist_in_the_course_folder(course: Path) -> None:
    assert run("build", str(course), "--edition", "standard").exit_code == 0
    assert [p.name for p in (course / "dist").iterdir()] == ["my-course-0.1.0-scorm12.zip"]


@pytest.mark.parametrize("extra", [[], ["--sco-per-module"], ["--target", "all"]])
def test_two_builds_are_byte_identical(course: Path, tmp_path: Path, layout: str, extra: list[str]) -> None:
    first = build(course, tmp_path / "a", *extra)
    (course / "modules" / "01-welcome.yaml").touch()  # newer mtime must not matter
    second = build(course, tmp_path / "b", *extra)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    with zipfile.ZipFile(first[0]) as archive:
        assert any(n.startswith("pages/") for n in archive.namelist()) == (layout == "page files")


def test_example_course_builds_reproducibly(tmp_path: Path) -> None:
    first = build(REPO, tmp_path / "a")
    second = build(REPO, tmp_path / "b")
    assert len(first) == 2
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


@pytest.mark.parametrize("per_module", [False, True])
def test_built_manifests_validate_and_list_exactly_the_package(course: Path, tmp_path: Path, per_module: bool, layout: str,
                                                               reference_validator) -> None:
    for package in build(course, tmp_path / "out", *(["--sco-per-module"] if per_module else [])):
        unpacked = tmp_path / package.stem
        with zipfile.ZipFile(package) as archive:
            archive.extractall(unpacked)
            names = set(archive.namelist())
        result = validate_manifest(reference_validator, unpacked / "imsmanifest.xml", "scorm12")
        assert result.returncode == 0, result.stdout + result.stderr
        root = etree.parse(str(unpacked / "imsmanifest.xml")).getroot()
        listed = {f.get("href") for f in root.iter(f"{{{NS_CP}}}file")}
        assert listed == names - {"imsmanifest.xml"}
        for resource in root.iter(f"{{{NS_CP}}}resource"):
            assert resource.get("href") is None or resource.get("href") in names
        # each SCO lists its own page files (its folder: the course's, or its module's), none of another's
        for resource in root.iter(f"{{{NS_CP}}}resource"):
            launch = resource.get("href")
            if launch is None:
                continue
            named = re.search(r'data-cp-page-files="([^"]+)"', (unpacked / launch).read_text(encoding="utf-8"))
            folder = named.group(1) if named else "pages/none/"
            on_it = {f.get("href") for f in resource.iter(f"{{{NS_CP}}}file")}
            mine = {n for n in names if n.startswith(folder)}
            assert mine <= on_it and bool(mine) == (layout == "page files"), (launch, sorted(on_it))
            assert not {n for n in on_it if n.startswith("pages/")} - mine, launch


def test_page_files_hold_every_page_once_in_order_each_on_its_sco(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(page, "INLINE_PAGES_MAX", 0)
    monkeypatch.setattr(page, "PAGE_FILE_BYTES", 16 * 1024)
    (package,) = build(REPO, tmp_path / "out", "--sco-per-module", "--edition", "standard")
    with zipfile.ZipFile(package) as archive:
        names = archive.namelist()
        root = etree.fromstring(archive.read("imsmanifest.xml"))
        launches = [n for n in names if n.endswith(".html")]
        assert len(launches) == 7
        for launch in launches:
            html = archive.read(launch).decode()
            folder = re.search(r'data-cp-page-files="([^"]+)"', html).group(1)
            assert folder == f"pages/{launch[len('sco-'):-len('.html')]}/"
            starts = [int(n) for n in re.search(r'data-cp-page-chunks="([^"]+)"', html).group(1).split()]
            # no section per page: the player makes each as it is needed
            assert '<section class="cp-view cp-page"' not in html
            held, questions = [], {}
            for n, first in enumerate(starts):
                call = re.fullmatch(r"Coursepack\.pageMarkup\((\d+),(.*)\);\n", archive.read(f"{folder}{n}.js").decode("ascii"), re.S)
                assert call and int(call.group(1)) == first == len(held)
                markup, quizzes = json.loads(f"[{call.group(2)}]")  # with the questions of the quizzes on those pages
                held += markup
                questions.update(quizzes)
            # the SCO's quizzes' questions are in its page files, not in its course data
            data = json.loads(re.search(r'id="coursepack-data">(.*?)</script>', html, re.S).group(1))
            assert sorted(map(int, questions)) == list(range(len(data["quizzes"]))) and all("questions" not in q for q in data["quizzes"])
            assert len(held) == len(data["pages"]) > 0 and sorted(n for n in names if n.startswith(folder)) == sorted(f"{folder}{n}.js" for n in range(len(starts)))
            assert all(f'id="cp-page-{i}-title"' in markup for i, markup in enumerate(held))
            # the SCO's resource lists its page files; the shared resource none
            (resource,) = [r for r in root.iter(f"{{{NS_CP}}}resource") if r.get("href") == launch]
            on_it = [f.get("href") for f in resource.iter(f"{{{NS_CP}}}file")]
            assert on_it == [launch, *sorted(f"{folder}{n}.js" for n in range(len(starts)))]
        (common,) = [r for r in root.iter(f"{{{NS_CP}}}resource") if r.get("href") is None]
        assert not [f.get("href") for f in common.iter(f"{{{NS_CP}}}file") if f.get("href").startswith("pages/")]


def test_failed_build_leaves_output_folder_as_it_was(course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("old")
    text = (course / "modules" / "01-welcome.yaml").read_text()
    (course / "modules" / "01-welcome.yaml").write_text(text.replace("minutes: 10", "minutes: ten"))
    result = CliRunner().invoke(main, ["build", str(course), "--out", str(out)])
    assert result.exit_code == 2
    assert "01-welcome.yaml:6:10:" in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_certificate_edition_needs_a_certificate_section(course: Path, tmp_path: Path) -> None:
    text = (course / "course.yaml").read_text()
    (course / "course.yaml").write_text(text[: text.index("certificate:")])
    result = CliRunner().invoke(main, ["build", str(course), "--edition", "certificate", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "no 'certificate' section in course.yaml" in result.output
    assert not (tmp_path / "o").exists()
    assert build(course, tmp_path / "o2") == [tmp_path / "o2" / "my-course-0.1.0-scorm12.zip"]


def test_authored_script_never_reaches_the_package(course: Path, tmp_path: Path) -> None:
    module = course / "modules" / "01-welcome.yaml"
    evil = (
        "Hello <script>alert('x')</script> <span onmouseover=\"alert(1)\">hover</span> <svg onload=\"alert(3)\"></svg> "
        "<a href=\"javascript:alert(2)\">link</a> <iframe src=\"https://evil.example\"></iframe> <b style=\"x\">b</b>"
    )
    module.write_text(module.read_text().replace("Welcome! Each page holds", evil + " Each page holds"))
    for package in build(course, tmp_path / "out"):
        with zipfile.ZipFile(package) as archive:
            html = archive.read("index.html").decode()
        assert "Each page holds" in html
        for bad in ("alert(", "onmouseover", "onload", "<svg", "javascript:", "<iframe", "evil.example", 'style="x"'):
            assert bad not in html, bad


def test_package_references_nothing_outside_itself(tmp_path: Path) -> None:
    for package in build(REPO, tmp_path / "out"):
        with zipfile.ZipFile(package) as archive:
            for name in archive.namelist():
                if not name.endswith((".html", ".js", ".css")):
                    continue
                text = archive.read(name).decode()
                # external links authors wrote are <a href>, opened by the learner; nothing loads from the network
                for match in re.finditer(r"""(?:src|srcset|data|poster|action)\s*=\s*["']?\s*(?:https?:)?//""", text):
                    pytest.fail(f"{name} loads from the network: {text[match.start():match.start() + 80]}")
                assert not re.search(r"@import|url\(\s*['\"]?(?:https?:)?//", text), name
                assert "fetch(" not in text and "XMLHttpRequest" not in text, name


def test_course_that_could_overflow_suspend_data_is_refused_by_validate_and_build(tmp_path: Path) -> None:
    from test_state_budget import make_course, quiz_page

    course = make_course(tmp_path / "big", [quiz_page(n, 9) for n in range(10)])
    expected = "saved state of the course can reach 4,593 characters; SCORM 1.2 allows 4,096 (cmi.suspend_data)"
    checked = CliRunner().invoke(main, ["validate", str(course)])
    assert checked.exit_code == 2 and expected in checked.output
    out = tmp_path / "out"
    built = CliRunner().invoke(main, ["build", str(course), "--out", str(out)])
    assert built.exit_code == 2 and expected in built.output and "Traceback" not in built.output
    assert not out.exists()


BUILD_WITH_BIG_VIDEO = """
import sys, tracemalloc
from click.testing import CliRunner
from coursepack.cli import main
import coursepack.commands.build  # the CLI imports a verb when it runs: import it before measuring
tracemalloc.start()
result = CliRunner().invoke(main, ["build", sys.argv[1], "--out", sys.argv[2], "--edition", "standard"])
assert result.exit_code == 0, result.output
print(tracemalloc.get_traced_memory()[1])
"""


def test_build_memory_does_not_grow_with_asset_size(course: Path, tmp_path: Path) -> None:
    """A 32 MB video and 32 MB of captions are streamed into the zip, never held in memory."""
    with (course / "assets" / "big.mp4").open("wb") as handle:
        handle.truncate(32 * 1024 * 1024)  # sparse: instant to make
    with (course / "assets" / "big.vtt").open("wb") as handle:
        handle.truncate(32 * 1024 * 1024)  # NUL bytes are valid UTF-8: the captions check reads it all
    module = course / "modules" / "01-welcome.yaml"
    module.write_text(module.read_text() + "  - id: watch\n    title: Watch\n    blocks:\n      - type: video\n"
                      "        src: big.mp4\n        title: A long video\n        captions: big.vtt\n")
    result = subprocess.run([sys.executable, "-c", BUILD_WITH_BIG_VIDEO, str(course), str(tmp_path / "out")],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    peak = int(result.stdout.split()[-1])
    # Python allocations traced in a fresh process: exact, whatever the machine's load.
    assert peak < 16 * 1024 * 1024, f"building with 64 MB of assets peaked at {peak / 1048576:.1f} MB of Python allocations"
    with zipfile.ZipFile(tmp_path / "out" / "my-course-0.1.0-scorm12.zip") as archive:
        assert archive.getinfo("assets/big.mp4").compress_type == zipfile.ZIP_STORED
        assert archive.getinfo("assets/big.vtt").compress_type == zipfile.ZIP_DEFLATED
