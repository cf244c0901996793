"""SCORM 2004 4th edition target: imsmanifest.xml (lxml) around the same rendered player.

Choices (sources in shared/notes/peers-and-standards.md §4.2, §4.3; docs/lms/scorm2004.md):
- identifiers as in SCORM 1.2 (scorm12.py): from the course and module ids only, so a new version
  uploaded over the old one keeps learners' records;
- no xsi:schemaLocation, so the package names no XSD file and carries none (an LMS that needs the
  schemas has its own copies; a package that names files it lacks is refused by some LMSs);
- every SCO has deliveryControls completionSetByContent="true" objectiveSetByContent="true": without
  them SCORM 2004's defaults let the LMS mark an activity completed and satisfied when the SCO exits,
  whatever the course said;
- in a scored edition (the certificate edition, or a standard edition with completion.pass_mark) each
  SCO's primary objective is satisfiedByMeasure with minNormalizedMeasure = pass mark / 100 (the LMS
  hands it to the SCO as cmi.scaled_passing_score). The runtime writes a score only once the outcome
  is final, and then one on the same side of the mark as the status, so the LMS's judgement by
  measure always equals the course's rules;
- no adlcp:completionThreshold: completion is the course's rules, reported by the content;
- the organization allows flow and choice navigation (the learner moves freely);
- --sco-per-module: one non-launchable root item (as in SCORM 1.2) holding one SCO per module;
  explicit rollup rules on it: the course is completed when every module is, satisfied when every
  module is, not satisfied as soon as one module's objective is known and not satisfied, incomplete
  while any module is not completed. Its measure is the average of the modules' measures (equal
  weights). Nothing ends the course before that: no exit or exitAll rules, no limit conditions.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from lxml import etree

from coursepack.load.course_loader import LoadedCourse
from coursepack.targets.launch_units import LaunchUnit
from coursepack.targets.limits import FITS
from coursepack.targets.manifest_resources import add_resources
from coursepack.targets.scorm12 import _ncname, manifest_identifier, manifest_tree, package_title
from coursepack.targets.target import target_of

NS_CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
NS_ADLCP = "http://www.adlnet.org/xsd/adlcp_v1p3"
NS_ADLSEQ = "http://www.adlnet.org/xsd/adlseq_v1p3"
NS_ADLNAV = "http://www.adlnet.org/xsd/adlnav_v1p3"
NS_IMSSS = "http://www.imsglobal.org/xsd/imsss"
NSMAP = {None: NS_CP, "adlcp": NS_ADLCP, "adlseq": NS_ADLSEQ, "adlnav": NS_ADLNAV, "imsss": NS_IMSSS}
SCHEMA_VERSION = "2004 4th Edition"

__all__ = ["NS_ADLCP", "NS_CP", "NS_IMSSS", "SCHEMA_VERSION", "TARGET", "build_manifest", "manifest_identifier",
           "min_normalized_measure"]


def _sub(parent: etree._Element, tag: str, text: str | None = None, ns: str = NS_CP, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def min_normalized_measure(pass_mark: int | float) -> str:
    """The pass mark (0-100) as a normalized measure (0-1), in plain decimal notation."""
    text = f"{pass_mark / 100:.4f}".rstrip("0").rstrip(".")
    return text if "." in text else f"{text}.0"


def _sco_sequencing(item: etree._Element, objective_id: str, mark: int | None) -> None:
    sequencing = _sub(item, "sequencing", ns=NS_IMSSS)
    objectives = _sub(sequencing, "objectives", ns=NS_IMSSS)
    if mark is None:
        _sub(objectives, "primaryObjective", ns=NS_IMSSS, objectiveID=objective_id)
    else:
        primary = _sub(objectives, "primaryObjective", ns=NS_IMSSS, objectiveID=objective_id, satisfiedByMeasure="true")
        _sub(primary, "minNormalizedMeasure", min_normalized_measure(mark), ns=NS_IMSSS)
    _sub(sequencing, "deliveryControls", ns=NS_IMSSS, completionSetByContent="true", objectiveSetByContent="true")


def _rollup_rule(parent: etree._Element, child_set: str, conditions: list[tuple[str, str | None]], action: str) -> None:
    rule = _sub(parent, "rollupRule", ns=NS_IMSSS, childActivitySet=child_set)
    combination = {"conditionCombination": "all"} if len(conditions) > 1 else {}
    conds = _sub(rule, "rollupConditions", ns=NS_IMSSS, **combination)
    for condition, operator in conditions:
        attrs = {"condition": condition, **({"operator": operator} if operator else {})}
        _sub(conds, "rollupCondition", ns=NS_IMSSS, **attrs)
    _sub(rule, "rollupAction", ns=NS_IMSSS, action=action)


def _root_sequencing(item: etree._Element) -> None:
    """Sequencing of the per-module root item: free movement, rollup of completion and success."""
    sequencing = _sub(item, "sequencing", ns=NS_IMSSS)
    _sub(sequencing, "controlMode", ns=NS_IMSSS, choice="true", flow="true")
    rules = _sub(sequencing, "rollupRules", ns=NS_IMSSS, rollupObjectiveSatisfied="true", rollupProgressCompletion="true")
    _rollup_rule(rules, "all", [("satisfied", None)], "satisfied")
    _rollup_rule(rules, "any", [("objectiveStatusKnown", None), ("satisfied", "not")], "notSatisfied")
    _rollup_rule(rules, "all", [("completed", None)], "completed")
    _rollup_rule(rules, "any", [("completed", "not")], "incomplete")


def build_manifest(loaded: LoadedCourse, edition: str, scos: list[LaunchUnit], files: Collection[str], *,
                   words: Callable[[str], str] | None = None) -> bytes:
    """imsmanifest.xml for the given SCOs; files are the paths of every package file besides the manifest.
    (words: unused, a SCORM manifest carries no descriptions.)"""
    tree = manifest_tree(loaded, edition, scos, ns_cp=NS_CP, nsmap=NSMAP, schema_version=SCHEMA_VERSION)
    root, organization, parent, per_module = tree.root, tree.organization, tree.parent, tree.per_module
    mark = loaded.course.pass_mark_for(edition)
    for sco, item in tree.items:
        objective = _ncname(f"obj-{sco.module_ids[0]}" if sco.module_ids else "obj-course")
        _sco_sequencing(item, objective, mark)
    if per_module:
        _root_sequencing(parent)
    org_sequencing = _sub(organization, "sequencing", ns=NS_IMSSS)
    _sub(org_sequencing, "controlMode", ns=NS_IMSSS, choice="true", flow="true")

    add_resources(root, loaded, scos, files, per_module, ns_cp=NS_CP, scorm_type=f"{{{NS_ADLCP}}}scormType")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


TARGET = target_of(FITS["scorm2004"], adapter="scorm2004", manifest_name="imsmanifest.xml", write_manifest=build_manifest)
