"""xAPI and cmi5 packages as files: valid structure files, the course's rules in cmi5.xml, the same
activity ids as the runtime's statements, no credential, byte-identical rebuilds."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from conftest import REPO, SCAFFOLD, validate_manifest
from coursepack.cli import main
from coursepack.load.course_loader import load_course
from coursepack.targets.cmi5 import mastery_text

NS_TC = "{http://projecttincan.com/tincan.xsd}"
NS_C5 = "{https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd}"


def build(course: Path, out: Path, *extra: str) -> dict[str, Path]:
    result = CliRunner().invoke(main, ["build", str(course), "--out", str(out), *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return {p.name: p for p in out.glob("*.zip")}


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("lrs-packages")
    built = build(REPO, out / "a", "--target", "xapi") | build(REPO, out / "a", "--target", "cmi5")
    built |= {f"course-{k}": v for k, v in build(REPO, out / "c", "--target", "cmi5", "--au-per-course").items()}
    return built


def one(built: dict[str, Path], pattern: str) -> Path:
    (name,) = [n for n in built if re.fullmatch(pattern, n)]
    return built[name]


def test_structure_files_validate_and_name_every_launch_page(example, tmp_path: Path, reference_validator) -> None:
    for name, package in example.items():
        kind = "tincan" if "-xapi" in name else "cmi5"
        folder = tmp_path / name
        with zipfile.ZipFile(package) as zf:
            zf.extractall(folder)
            names = set(zf.namelist())
        result = validate_manifest(reference_validator, folder, kind)
        assert result.returncode == 0, name + "\n" + result.stdout + result.stderr
        tree = etree.parse(str(folder / f"{kind}.xml"))
        launches = [e.text for e in tree.iter(f"{NS_TC}launch", f"{NS_C5}url")]
        assert launches and all(url in names for url in launches), name
        assert "imsmanifest.xml" not in names


def test_cmi5_course_structure_follows_the_course_rules(example) -> None:
    loaded = load_course(REPO)
    course = loaded.course
    mark = course.pass_mark_for("certificate")
    assert mark is not None
    for pattern, scored in ((r".*-cmi5-certificate\.zip", True), (r".*-cmi5\.zip", course.pass_mark_for("standard") is not None)):
        with zipfile.ZipFile(one({k: v for k, v in example.items() if not k.startswith("course-")}, pattern)) as zf:
            root = etree.fromstring(zf.read("cmi5.xml"))
        aus = root.findall(f"{NS_C5}au")
        assert [au.get("id") for au in aus] == [f"{course.id}/{m.module.id}" for m in loaded.modules]  # one AU per module
        for au in aus:
            assert au.get("launchMethod") == "AnyWindow"
            assert au.get("moveOn") == ("CompletedAndPassed" if scored else "Completed")
            assert au.get("masteryScore") == (mastery_text(mark) if scored else None)
        assert root.find(f"{NS_C5}course").get("id") == course.id
    with zipfile.ZipFile(one(example, r"course-.*-cmi5-certificate\.zip")) as zf:
        root = etree.fromstring(zf.read("cmi5.xml"))
        assert "sco-what-is-ai.html" not in zf.namelist()
    (au,) = root.findall(f"{NS_C5}au")
    assert au.get("id") == f"{course.id}/course" and au.find(f"{NS_C5}url").text == "index.html"
    assert au.get("moveOn") == "CompletedAndPassed" and au.get("masteryScore") == mastery_text(mark)


def test_mastery_is_a_short_decimal() -> None:
    assert [mastery_text(m) for m in (0, 80, 75, 100, 33)] == ["0", "0.8", "0.75", "1", "0.33"]


def test_tincan_declares_the_activities_the_statements_use(example) -> None:
    loaded = load_course(REPO)
    with zipfile.ZipFile(one(example, r".*-xapi-certificate\.zip")) as zf:
        root = etree.fromstring(zf.read("tincan.xml"))
        runtime = zf.read("runtime/coursepack.js").decode()
    activities = root.findall(f"{NS_TC}activities/{NS_TC}activity")
    launchable = [a for a in activities if a.find(f"{NS_TC}launch") is not None]
    assert [a.get("id") for a in launchable] == [loaded.course.id]
    base = loaded.course.id
    quizzes = [(m.module.id, b.id) for m in loaded.modules for p in m.module.pages for b in p.blocks if b.type == "quiz"]
    expected = {base} | {f"{base}/{m.module.id}" for m in loaded.modules} | {f"{base}/{m}/quiz/{q}" for m, q in quizzes}
    assert {a.get("id") for a in activities} == expected
    # the runtime builds the same ids (statements.js: module "<base>/<id>", quiz "<module>/quiz/<id>"); the
    # package's copy is minified, so compared without whitespace
    code = re.sub(r"\s+", "", runtime)
    assert 'this.base+"/"+this.data.modules[mi].id' in code and '+"/quiz/"+this.data.quizzes[qi].id' in code


def test_packages_carry_no_credential_and_rebuild_byte_identical(example, tmp_path: Path) -> None:
    again = build(REPO, tmp_path / "b", "--target", "xapi") | build(REPO, tmp_path / "b", "--target", "cmi5")
    for name, path in again.items():
        assert path.read_bytes() == example[name].read_bytes(), name
        with zipfile.ZipFile(path) as zf:
            text = b"".join(zf.read(n) for n in zf.namelist() if n.endswith((".html", ".js", ".xml")))
        # no Basic credential, no LRS address: the LMS gives both at launch
        assert not re.search(rb"Basic [A-Za-z0-9+/]{12,}={0,2}|https?://[^\"'\s]*/xAPI/?[\"'\s]", text), name


def test_scaffold_builds_every_target(tmp_path: Path) -> None:
    built = build(SCAFFOLD, tmp_path, "--target", "all")
    assert len(built) == 8
