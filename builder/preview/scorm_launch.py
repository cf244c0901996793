"""What an LMS reads from a SCORM manifest before it launches the course: the first SCO's launch page
and the values it hands the SCO from the manifest (the mastery score, the passing measure).

Namespace-blind on purpose: SCORM 1.2 and 2004 name the same elements in different namespaces (and
spell scormtype differently), and the preview needs only these few values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

MANIFEST = "imsmanifest.xml"


@dataclass(frozen=True)
class Launch:
    path: str  # the launch page inside the package
    preload: dict[str, Any] = field(default_factory=dict)  # cmi values the LMS sets before Initialize


class ManifestUnreadable(ValueError):
    """The built package has no launchable SCO: a bug in a writer, not an author's mistake."""


def _local(name: str) -> str:
    return etree.QName(name).localname


def _attr(element: etree._Element, name: str) -> str | None:
    """An attribute by its local name in any namespace, ignoring case (scormtype / scormType)."""
    for key, value in element.attrib.items():
        if _local(key).lower() == name.lower():
            return value
    return None


def _first_sco(files: Mapping[str, bytes]) -> tuple[etree._Element, str]:
    """The first item (in the organization's order) whose resource is a SCO, with its launch href."""
    data = files.get(MANIFEST)
    if not isinstance(data, bytes):
        raise ManifestUnreadable(f"the package has no {MANIFEST}")
    root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    scos = {
        _attr(r, "identifier"): _attr(r, "href")
        for r in root.iter()
        if isinstance(r.tag, str) and _local(r.tag) == "resource" and (_attr(r, "scormtype") or "").lower() == "sco"
    }
    for item in root.iter():
        if isinstance(item.tag, str) and _local(item.tag) == "item":
            href = scos.get(_attr(item, "identifierref"))
            if href:
                return item, href
    raise ManifestUnreadable(f"{MANIFEST} names no launchable SCO")


def _child_text(item: etree._Element, *path: str) -> str | None:
    """Text of the first descendant chain item/path[0]/path[1]/... by local names."""
    here = [item]
    for name in path:
        here = [c for parent in here for c in parent if isinstance(c.tag, str) and _local(c.tag) == name]
    return here[0].text.strip() if here and here[0].text else None


def scorm12_launch(files: Mapping[str, bytes]) -> Launch:
    """SCORM 1.2: adlcp:masteryscore becomes cmi.student_data.mastery_score, adlcp:datafromlms
    cmi.launch_data (as Moodle hands them over)."""
    item, href = _first_sco(files)
    preload: dict[str, Any] = {}
    mastery = _child_text(item, "masteryscore")
    if mastery:
        preload["student_data"] = {"mastery_score": mastery}
    launch_data = _child_text(item, "datafromlms")
    if launch_data:
        preload["launch_data"] = launch_data
    return Launch(href, preload)


def scorm2004_launch(files: Mapping[str, bytes]) -> Launch:
    """SCORM 2004: a primary objective satisfied by measure hands its minNormalizedMeasure over as
    cmi.scaled_passing_score; adlcp:dataFromLMS becomes cmi.launch_data."""
    item, href = _first_sco(files)
    preload: dict[str, Any] = {}
    objectives = [c for c in item.iter() if isinstance(c.tag, str) and _local(c.tag) == "primaryObjective"]
    if objectives and (_attr(objectives[0], "satisfiedByMeasure") or "").lower() == "true":
        preload["scaled_passing_score"] = _child_text(objectives[0], "minNormalizedMeasure") or "1.0"
    launch_data = _child_text(item, "dataFromLMS")
    if launch_data:
        preload["launch_data"] = launch_data
    return Launch(href, preload)
