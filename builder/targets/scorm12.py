"""SCORM 1.2 target: imsmanifest.xml (lxml) around the rendered player.

Choices made for real LMSs (sources in shared/notes/peers-and-standards.md §4.1, §4.3):
- identifiers derive from the course and module ids only, so a new version uploaded
  over the old one keeps learners' records;
- no xsi:schemaLocation: it would name XSD files the package does not carry;
- adlcp:masteryscore only in scored editions, equal to the edition's pass mark; the
  runtime writes a score only once the outcome is final, and then one that agrees with
  it, so "mastery score overrides status" can never contradict the course's rules;
- with several SCOs, one non-launchable root item (Moodle's player needs it for prev/next).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

from lxml import etree

from coursepack.load.course_loader import LoadedCourse
from coursepack.targets.launch_units import LaunchUnit
from coursepack.targets.limits import FITS
from coursepack.targets.manifest_resources import add_resources
from coursepack.targets.target import target_of

NS_CP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
NS_ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
NSMAP = {None: NS_CP, "adlcp": NS_ADLCP}


def _ncname(text: str) -> str:
    """An xs:ID-safe rendering of an id (letters, digits, '-', '_', '.'; no leading digit)."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "-", text)
    return cleaned if re.match(r"[A-Za-z_]", cleaned) else f"_{cleaned}"


def _course_key(loaded: LoadedCourse) -> str:
    """Readable and unique, from the course id alone (not the slug or title, which may change)."""
    iri = loaded.course.id
    digest = hashlib.sha256(iri.encode("utf-8")).hexdigest()[:10]
    return _ncname(f"{iri.rstrip('/').rsplit('/', 1)[-1]}-{digest}")


def manifest_identifier(loaded: LoadedCourse, edition: str) -> str:
    return f"{_course_key(loaded)}-{edition}"


def package_title(loaded: LoadedCourse, edition: str) -> str:
    """What the LMS lists; the editions must be told apart (Canvas shows only this title)."""
    course = loaded.course
    if edition == "certificate" and course.certificate:
        return f"{course.title} ({course.certificate.title})"
    return course.title


def _sub(parent: etree._Element, tag: str, text: str | None = None, ns: str = NS_CP, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


@dataclass(frozen=True)
class ManifestTree:
    """The parts every SCORM manifest shares, for a writer to add its own elements to."""
    root: etree._Element
    organization: etree._Element
    parent: etree._Element  # where the SCO items are: the organization, or the per-module root item
    items: list[tuple[LaunchUnit, etree._Element]]
    per_module: bool


def manifest_tree(loaded: LoadedCourse, edition: str, scos: list[LaunchUnit], *, ns_cp: str, nsmap: dict[str | None, str],
                  schema_version: str) -> ManifestTree:
    """manifest, metadata, one organization and an item per SCO (under a root item when there are
    several), with the identifiers and titles both SCORM versions use."""
    def sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
        return _sub(parent, tag, text, ns=ns_cp, **attrs)

    root = etree.Element(f"{{{ns_cp}}}manifest", nsmap=nsmap, identifier=manifest_identifier(loaded, edition), version=loaded.course.version)
    metadata = sub(root, "metadata")
    sub(metadata, "schema", "ADL SCORM")
    sub(metadata, "schemaversion", schema_version)
    org_id = f"org-{_course_key(loaded)}"
    organizations = sub(root, "organizations", default=org_id)
    organization = sub(organizations, "organization", identifier=org_id)
    sub(organization, "title", package_title(loaded, edition))
    per_module = any(sco.module_ids is not None for sco in scos)
    parent = organization
    if per_module:
        parent = sub(organization, "item", identifier="item-root", isvisible="true")
        sub(parent, "title", package_title(loaded, edition))
    items = []
    for sco in scos:
        item = sub(parent, "item", identifier=sco.item_id, identifierref=sco.resource_id, isvisible="true")
        sub(item, "title", sco.title if per_module else package_title(loaded, edition))
        items.append((sco, item))
    return ManifestTree(root, organization, parent, items, per_module)


def build_manifest(loaded: LoadedCourse, edition: str, scos: list[LaunchUnit], files: Collection[str], *,
                   words: Callable[[str], str] | None = None) -> bytes:
    """imsmanifest.xml for the given SCOs; files are the paths of every package file besides the manifest.
    (words: unused, a SCORM manifest carries no descriptions.)"""
    tree = manifest_tree(loaded, edition, scos, ns_cp=NS_CP, nsmap=NSMAP, schema_version="1.2")
    root, per_module = tree.root, tree.per_module
    mastery = loaded.course.pass_mark_for(edition)
    if mastery is not None:
        for _, item in tree.items:
            _sub(item, "masteryscore", str(mastery), ns=NS_ADLCP)

    add_resources(root, loaded, scos, files, per_module, ns_cp=NS_CP, scorm_type=f"{{{NS_ADLCP}}}scormtype")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


TARGET = target_of(FITS["scorm12"], adapter="scorm12", manifest_name="imsmanifest.xml", write_manifest=build_manifest)
