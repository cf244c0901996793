"""The SCORM 2004 4th edition manifest: valid against the official XSDs, stable ids, sequencing that
leaves completion and success to the content, satisfaction by measure only in scored editions."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from coursepack.load.course_loader import load_course
from coursepack.targets import scorm12, scorm2004
from coursepack.targets.launch_units import split_into_launch_units
from conftest import SCAFFOLD, validate_manifest

NS = {"cp": scorm2004.NS_CP, "adlcp": scorm2004.NS_ADLCP, "imsss": scorm2004.NS_IMSSS}
FILES = {"index.html": b"", "sco-welcome.html": b"", "runtime/player.js": b"", "assets/welcome.svg": b""}


@pytest.fixture(scope="module")
def loaded():
    return load_course(SCAFFOLD)


def with_course(loaded, **changes):
    return loaded.__class__(loaded.root, loaded.course.model_copy(update=changes), loaded.source, loaded.modules)


def practice(loaded):
    """The scaffold without completion.pass_mark: its standard edition is not scored."""
    return with_course(loaded, completion=loaded.course.completion.model_copy(update={"pass_mark": None}))


def manifest_bytes(loaded, edition: str, per_module: bool = False) -> bytes:
    scos = split_into_launch_units(loaded, per_module)
    files = {k: v for k, v in FILES.items() if k != ("index.html" if per_module else "sco-welcome.html")}
    return scorm2004.build_manifest(loaded, edition, scos, files)


def manifest(loaded, edition: str, per_module: bool = False) -> etree._Element:
    return etree.fromstring(manifest_bytes(loaded, edition, per_module))


@pytest.mark.parametrize("scored", [True, False], ids=["pass-mark", "practice"])
@pytest.mark.parametrize("edition", ["standard", "certificate"])
@pytest.mark.parametrize("per_module", [False, True], ids=["one-sco", "sco-per-module"])
def test_manifest_validates_against_official_xsds(loaded, edition, per_module, scored, tmp_path: Path, reference_validator) -> None:
    course = loaded if scored else practice(loaded)
    path = tmp_path / "imsmanifest.xml"
    path.write_bytes(manifest_bytes(course, edition, per_module))
    result = validate_manifest(reference_validator, path, "scorm2004")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "VALID (scorm2004)" in result.stdout


def test_scorm2004_metadata_and_no_schema_files_named(loaded) -> None:
    """The package names no XSD (no xsi:schemaLocation), so it need carry none."""
    root = manifest(loaded, "certificate", per_module=True)
    assert root.tag == f"{{{scorm2004.NS_CP}}}manifest"
    assert root.findtext("cp:metadata/cp:schema", namespaces=NS) == "ADL SCORM"
    assert root.findtext("cp:metadata/cp:schemaversion", namespaces=NS) == "2004 4th Edition"
    assert not any("schemaLocation" in attr for el in root.iter() for attr in el.attrib)
    assert not any(name.endswith((".xsd", ".dtd")) for name in FILES)


def test_identifiers_match_scorm12_and_depend_on_course_id_only(loaded) -> None:
    first = manifest(loaded, "standard")
    twelve = etree.fromstring(scorm12.build_manifest(loaded, "standard", split_into_launch_units(loaded, False), FILES))
    assert first.get("identifier") == twelve.get("identifier")
    again = manifest(with_course(loaded, version="9.9.9", title="Renamed", slug="renamed"), "standard")
    assert first.get("identifier") == again.get("identifier")
    ids = lambda root: [i.get("identifier") for i in root.iter(f"{{{scorm2004.NS_CP}}}item")]  # noqa: E731
    assert ids(first) == ids(again) == ["item-course"]
    assert manifest(with_course(loaded, id="https://example.org/other"), "standard").get("identifier") != first.get("identifier")
    assert manifest(loaded, "certificate").get("identifier") != first.get("identifier")


def test_content_sets_completion_and_success(loaded) -> None:
    for edition in ("standard", "certificate"):
        for per_module in (False, True):
            root = manifest(loaded, edition, per_module)
            scos = [i for i in root.iter(f"{{{scorm2004.NS_CP}}}item") if i.get("identifierref")]
            assert scos
            for item in scos:
                controls = item.findall("imsss:sequencing/imsss:deliveryControls", NS)
                assert len(controls) == 1
                assert controls[0].get("completionSetByContent") == "true"
                assert controls[0].get("objectiveSetByContent") == "true"
            assert root.findall(".//adlcp:completionThreshold", NS) == []


def primary_objectives(root) -> list[etree._Element]:
    return root.findall(".//imsss:primaryObjective", NS)


def test_satisfied_by_measure_only_in_scored_editions(loaded) -> None:
    mark = loaded.course.certificate.requires.quiz_pass_mark
    for course, edition, expected in [
        (practice(loaded), "standard", None),
        (practice(loaded), "certificate", mark),
        (loaded, "standard", loaded.course.completion.pass_mark),
        (loaded, "certificate", mark),
    ]:
        objectives = primary_objectives(manifest(course, edition))
        assert len(objectives) == 1
        objective = objectives[0]
        if expected is None:
            assert objective.get("satisfiedByMeasure") is None
            assert objective.find("imsss:minNormalizedMeasure", NS) is None
        else:
            assert objective.get("satisfiedByMeasure") == "true"
            assert float(objective.findtext("imsss:minNormalizedMeasure", namespaces=NS)) == pytest.approx(expected / 100)


def test_min_normalized_measure_is_plain_decimal() -> None:
    assert scorm2004.min_normalized_measure(80) == "0.8"
    assert scorm2004.min_normalized_measure(100) == "1.0"
    assert scorm2004.min_normalized_measure(0) == "0.0"
    assert scorm2004.min_normalized_measure(66.5) == "0.665"


def test_single_sco_lists_every_file(loaded) -> None:
    root = manifest(loaded, "standard")
    resources = root.findall("cp:resources/cp:resource", NS)
    assert len(resources) == 1
    assert resources[0].get(f"{{{scorm2004.NS_ADLCP}}}scormType") == "sco"
    assert resources[0].get("href") == "index.html"
    assert sorted(f.get("href") for f in resources[0].findall("cp:file", NS)) == sorted(k for k in FILES if k != "sco-welcome.html")
    items = root.findall("cp:organizations/cp:organization/cp:item", NS)
    assert len(items) == 1 and items[0].findtext("cp:title", namespaces=NS) == loaded.course.title
    control = root.find("cp:organizations/cp:organization/imsss:sequencing/imsss:controlMode", NS)
    assert (control.get("choice"), control.get("flow")) == ("true", "true")


def test_editions_have_distinct_titles(loaded) -> None:
    title = "cp:organizations/cp:organization/cp:title"
    assert manifest(loaded, "standard").findtext(title, namespaces=NS) == "My First Course"
    assert manifest(loaded, "certificate").findtext(title, namespaces=NS) == "My First Course (Certificate of Completion)"


def test_sco_per_module_rolls_up_to_one_root_item(loaded) -> None:
    root = manifest(loaded, "certificate", per_module=True)
    top = root.findall("cp:organizations/cp:organization/cp:item", NS)
    assert len(top) == 1 and top[0].get("identifierref") is None
    children = top[0].findall("cp:item", NS)
    assert [c.get("identifier") for c in children] == ["item-welcome"]
    control = top[0].find("imsss:sequencing/imsss:controlMode", NS)
    assert (control.get("choice"), control.get("flow")) == ("true", "true")
    actions = [r.find("imsss:rollupAction", NS).get("action") for r in top[0].findall("imsss:sequencing/imsss:rollupRules/imsss:rollupRule", NS)]
    assert actions == ["satisfied", "notSatisfied", "completed", "incomplete"]
    # nothing closes the course early: no exit rules, no limits, no navigation requests
    for tag in ("exitConditionRule", "postConditionRule", "limitConditions"):
        assert root.findall(f".//imsss:{tag}", NS) == []
    kinds = {r.get("identifier"): r.get(f"{{{scorm2004.NS_ADLCP}}}scormType") for r in root.findall("cp:resources/cp:resource", NS)}
    assert kinds == {"res-welcome": "sco", "res-common": "asset"}


def test_manifest_is_deterministic(loaded) -> None:
    assert manifest_bytes(loaded, "certificate", True) == manifest_bytes(load_course(SCAFFOLD), "certificate", True)


# ---- the target: `coursepack build --target scorm2004|all`, the adapter it ships, the budget it proves

import json  # noqa: E402
import re  # noqa: E402
import zipfile  # noqa: E402

from click.testing import CliRunner  # noqa: E402

from coursepack.cli import main  # noqa: E402
from coursepack.render.state_budget import comments_chars, reflection_caps, suspend_chars  # noqa: E402
from coursepack.render.unit_contents import unit_contents  # noqa: E402
from coursepack.targets.package import package_files  # noqa: E402
from coursepack.targets.limits import SCORM2004_LIMITS as SCORM2004  # noqa: E402
from test_state_budget import budget, make_course, quiz_page, reflection_page  # noqa: E402


def build(course: Path, out: Path, *extra: str) -> list[Path]:
    result = CliRunner().invoke(main, ["build", str(course), "--out", str(out), *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return sorted(out.glob("*.zip"))


def test_target_all_builds_every_target(tmp_path: Path) -> None:
    names = [p.name for p in build(SCAFFOLD, tmp_path / "all", "--target", "all")]
    assert names == [
        "my-course-0.1.0-cmi5-certificate.zip", "my-course-0.1.0-cmi5.zip",
        "my-course-0.1.0-scorm12-certificate.zip", "my-course-0.1.0-scorm12.zip",
        "my-course-0.1.0-scorm2004-certificate.zip", "my-course-0.1.0-scorm2004.zip",
        "my-course-0.1.0-xapi-certificate.zip", "my-course-0.1.0-xapi.zip",
    ]
    only = [p.name for p in build(SCAFFOLD, tmp_path / "one", "--target", "scorm2004", "--edition", "certificate")]
    assert only == ["my-course-0.1.0-scorm2004-certificate.zip"]
    # without --target, the SCORM 1.2 packages only, as before
    assert [p.name for p in build(SCAFFOLD, tmp_path / "default")] == names[2:4]


@pytest.mark.parametrize("per_module", [False, True], ids=["one-sco", "sco-per-module"])
def test_built_scorm2004_packages_validate_list_exactly_the_package_and_reproduce(tmp_path: Path, per_module: bool, reference_validator) -> None:
    extra = ["--target", "scorm2004", *(["--sco-per-module"] if per_module else [])]
    first = build(SCAFFOLD, tmp_path / "a", *extra)
    again = build(SCAFFOLD, tmp_path / "b", *extra)
    assert len(first) == 2 and [p.read_bytes() for p in first] == [p.read_bytes() for p in again]
    for package in first:
        unpacked = tmp_path / package.stem
        with zipfile.ZipFile(package) as archive:
            archive.extractall(unpacked)
            names = set(archive.namelist())
        result = validate_manifest(reference_validator, unpacked / "imsmanifest.xml", "scorm2004")
        assert result.returncode == 0, result.stdout + result.stderr
        root = etree.parse(str(unpacked / "imsmanifest.xml")).getroot()
        assert {f.get("href") for f in root.iter(f"{{{scorm2004.NS_CP}}}file")} == names - {"imsmanifest.xml"}
        assert not any(n.endswith((".xsd", ".dtd")) for n in names)  # the manifest names none
        assert "runtime/coursepack.js" in names and not any(n.startswith("runtime/adapters/") for n in names)


def test_scorm2004_package_runs_the_2004_adapter_with_its_limits() -> None:
    files = package_files(load_course(SCAFFOLD), "scorm2004", "certificate")
    html = files["index.html"].decode("utf-8")
    assert '<script src="runtime/coursepack.js"></script>' in html
    runtime = files["runtime/coursepack.js"].decode("utf-8")
    assert "source: builder/runtime/adapters/scorm2004.js" in runtime and "adapters/scorm12.js" not in runtime
    data = json.loads(re.search(r'<script type="application/json" id="coursepack-data">(.*?)</script>', html, re.S).group(1))
    assert data["adapter"] == "scorm2004"
    assert data["limits"] == {"suspend": 64000, "comments": 4000, "location": 1000} == SCORM2004.as_json()


def test_scorm2004_budget_is_64000_for_the_state(tmp_path: Path) -> None:
    # ten quizzes of nine fill-ins: 4,593 characters, over SCORM 1.2's 4,096, well within 2004's 64,000
    loaded = load_course(make_course(tmp_path / "big", [quiz_page(n, 9) for n in range(10)]))
    assert budget(loaded, "standard")
    assert budget(loaded, "standard", SCORM2004) == []
    assert suspend_chars(unit_contents(loaded, "standard"), SCORM2004) == 4593
    # 140 such quizzes (64,155 characters) do not fit, and the build says so for SCORM 2004
    huge = load_course(make_course(tmp_path / "huge", [quiz_page(n, 9) for n in range(140)]))
    problems = budget(huge, "standard", SCORM2004)
    assert len(problems) == 1
    assert "SCORM 2004 allows 64,000 (cmi.suspend_data)" in problems[0].message


def test_scorm2004_reflections_get_their_own_4000_character_record(tmp_path: Path) -> None:
    loaded = load_course(make_course(tmp_path / "r", [reflection_page(1), reflection_page(2), reflection_page(3, max_chars=4000)]))
    plan = unit_contents(loaded, "standard")
    caps = reflection_caps(plan, SCORM2004)
    # uncapped reflections: as much of the state as is left, but never more than one comment record holds
    assert caps["r1"] == caps["r2"] == 4000
    assert comments_chars(plan, SCORM2004) == 4000 and suspend_chars(plan, SCORM2004) <= 64000
    assert budget(loaded, "standard", SCORM2004) == []
    # the same course cannot fit SCORM 1.2 (a 4,000-character reflection alone overflows it)
    assert budget(loaded, "standard")


def test_example_course_fits_scorm2004_in_both_editions() -> None:
    loaded = load_course(SCAFFOLD.parents[1])
    for edition in loaded.course.editions():
        assert budget(loaded, edition, SCORM2004) == []
        assert budget(loaded, edition, SCORM2004, [loaded.modules[0].module.id]) == []
