"""The SCORM 1.2 manifest: valid against the official XSDs, stable ids, mastery score only where safe."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from coursepack.load.course_loader import load_course
from coursepack.targets import scorm12
from coursepack.targets.launch_units import split_into_launch_units
from conftest import SCAFFOLD, validate_manifest

NS = {"cp": scorm12.NS_CP, "adlcp": scorm12.NS_ADLCP}
FILES = {"index.html": b"", "sco-welcome.html": b"", "runtime/player.js": b"", "assets/welcome.svg": b""}


@pytest.fixture(scope="module")
def loaded():
    return load_course(SCAFFOLD)


def manifest(loaded, edition: str, per_module: bool = False) -> etree._Element:
    scos = split_into_launch_units(loaded, per_module)
    files = {k: v for k, v in FILES.items() if k != ("index.html" if per_module else "sco-welcome.html")}
    return etree.fromstring(scorm12.build_manifest(loaded, edition, scos, files))


@pytest.mark.parametrize("edition", ["standard", "certificate"])
@pytest.mark.parametrize("per_module", [False, True])
def test_manifest_validates_against_official_xsds(loaded, edition, per_module, tmp_path: Path, reference_validator) -> None:
    path = tmp_path / "imsmanifest.xml"
    path.write_bytes(etree.tostring(manifest(loaded, edition, per_module), xml_declaration=True, encoding="UTF-8"))
    result = validate_manifest(reference_validator, path, "scorm12")
    assert result.returncode == 0, result.stdout + result.stderr


def test_scorm12_metadata_and_no_schema_location(loaded) -> None:
    root = manifest(loaded, "standard")
    assert root.findtext("cp:metadata/cp:schema", namespaces=NS) == "ADL SCORM"
    assert root.findtext("cp:metadata/cp:schemaversion", namespaces=NS) == "1.2"
    assert not any("schemaLocation" in attr for el in root.iter() for attr in el.attrib)


def test_identifiers_depend_on_course_id_only(loaded) -> None:
    first = manifest(loaded, "standard")
    changes = {"version": "9.9.9", "title": "Renamed", "slug": "renamed"}
    again = manifest(loaded.__class__(loaded.root, loaded.course.model_copy(update=changes), loaded.source, loaded.modules), "standard")
    assert first.get("identifier") == again.get("identifier")
    assert [i.get("identifier") for i in first.iter(f"{{{scorm12.NS_CP}}}item")] == [i.get("identifier") for i in again.iter(f"{{{scorm12.NS_CP}}}item")]
    other = loaded.__class__(loaded.root, loaded.course.model_copy(update={"id": "https://example.org/other"}), loaded.source, loaded.modules)
    assert manifest(other, "standard").get("identifier") != first.get("identifier")


def test_mastery_score_only_in_scored_edition(loaded) -> None:
    # the scaffold's standard edition has completion.pass_mark 80, so both are scored there;
    # without a pass mark the standard edition must carry no mastery score.
    practice = loaded.__class__(loaded.root, loaded.course.model_copy(update={"completion": loaded.course.completion.model_copy(update={"pass_mark": None})}), loaded.source, loaded.modules)
    assert manifest(practice, "standard").findall(".//adlcp:masteryscore", NS) == []
    cert = manifest(practice, "certificate").findall(".//adlcp:masteryscore", NS)
    assert [m.text for m in cert] == [str(loaded.course.certificate.requires.quiz_pass_mark)]


def test_single_sco_lists_every_file(loaded) -> None:
    root = manifest(loaded, "standard")
    resources = root.findall("cp:resources/cp:resource", NS)
    assert len(resources) == 1
    assert resources[0].get(f"{{{scorm12.NS_ADLCP}}}scormtype") == "sco"
    assert resources[0].get("href") == "index.html"
    assert sorted(f.get("href") for f in resources[0].findall("cp:file", NS)) == sorted(k for k in FILES if k != "sco-welcome.html")
    items = root.findall("cp:organizations/cp:organization/cp:item", NS)
    assert len(items) == 1 and items[0].findtext("cp:title", namespaces=NS) == loaded.course.title


def test_editions_have_distinct_titles_and_identifiers(loaded) -> None:
    standard, certificate = manifest(loaded, "standard"), manifest(loaded, "certificate")
    title = "cp:organizations/cp:organization/cp:title"
    assert standard.findtext(title, namespaces=NS) == "My First Course"
    assert certificate.findtext(title, namespaces=NS) == "My First Course (Certificate of Completion)"
    assert standard.get("identifier") != certificate.get("identifier")


def test_sco_per_module_wraps_items_in_one_root_item(loaded) -> None:
    root = manifest(loaded, "standard", per_module=True)
    top = root.findall("cp:organizations/cp:organization/cp:item", NS)
    assert len(top) == 1 and top[0].get("identifierref") is None
    children = top[0].findall("cp:item", NS)
    assert [c.get("identifier") for c in children] == ["item-welcome"]
    kinds = {r.get("identifier"): r.get(f"{{{scorm12.NS_ADLCP}}}scormtype") for r in root.findall("cp:resources/cp:resource", NS)}
    assert kinds == {"res-welcome": "sco", "res-common": "asset"}
