"""The SCORM 2004 4th edition manifest: valid against the official XSDs, stable ids, sequencing that
leaves completion and success to the content, satisfaction by measure only in scored editions."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from coursepack.load.course_loader import load_course
from coursepack.targets import scorm12, scorm2004
from coursepack.targets.editions import plan_scos
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
    scos = plan_scos(loaded, per_module)
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
    twelve = etree.fromstring(scorm12.build_manifest(loaded, "standard", plan_scos(loaded, False), FILES))
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
