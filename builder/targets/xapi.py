"""xAPI (Tin Can) target: tincan.xml at the zip root around the rendered player.

Choices (peers-and-standards §4.4; docs/lms/xapi.md):
- exactly one launchable activity, the course, whose id is the course's id (an IRI); then one
  activity per module and per quiz, with the ids the runtime's statements use (xapi_activities.py),
  so an LMS or LRS that reads tincan.xml can name what the statements are about;
- no <provider> and no credential of any kind: the LMS passes endpoint, auth and actor at launch;
- the editions share the course id: they are one course to an LRS (the certificate edition's
  statements say more, they do not describe another course).
"""

from __future__ import annotations

from collections.abc import Collection

from lxml import etree

from coursepack.load.course_loader import LoadedCourse
from coursepack.targets.launch_units import LaunchUnit
from coursepack.targets.limits import FITS
from coursepack.targets.scorm12 import package_title
from coursepack.targets.target import target_of
from coursepack.targets.xapi_activities import Activity, Words, course_activity, module_activities, plain_words

NS_TINCAN = "http://projecttincan.com/tincan.xsd"


def _activity(parent: etree._Element, activity: Activity, lang: str, launch: str | None = None) -> None:
    element = etree.SubElement(parent, f"{{{NS_TINCAN}}}activity", id=activity.id, type=activity.type)
    etree.SubElement(element, f"{{{NS_TINCAN}}}name", lang=lang).text = activity.name
    etree.SubElement(element, f"{{{NS_TINCAN}}}description", lang=lang).text = activity.description
    if launch is not None:
        etree.SubElement(element, f"{{{NS_TINCAN}}}launch", lang=lang).text = launch


def build_manifest(loaded: LoadedCourse, edition: str, scos: list[LaunchUnit], files: Collection[str], *,
                   words: Words = plain_words) -> bytes:
    """tincan.xml: the course (launchable, at the one launch page) and its modules and quizzes."""
    if len(scos) != 1 or scos[0].module_ids is not None:
        raise ValueError("an xAPI package has exactly one launchable activity: the whole course")
    lang = loaded.course.language
    root = etree.Element(f"{{{NS_TINCAN}}}tincan", nsmap={None: NS_TINCAN})
    activities = etree.SubElement(root, f"{{{NS_TINCAN}}}activities")
    _activity(activities, course_activity(loaded, package_title(loaded, edition), words), lang, launch=scos[0].launch)
    for activity in module_activities(loaded, loaded.modules, words):
        _activity(activities, activity, lang)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


TARGET = target_of(FITS["xapi"], adapter="xapi", manifest_name="tincan.xml", write_manifest=build_manifest)
