"""What an LMS reads from an xAPI or cmi5 package before it launches the course: the launch page and
the activity ids (tincan.xml), or the AUs with their moveOn and masteryScore (cmi5.xml).

Namespace-blind, like scorm_launch.py: the preview needs only these few values, read from the package
the build just made.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lxml import etree

from coursepack.preview.scorm_launch import Launch, ManifestUnreadable

TINCAN = "tincan.xml"
CMI5 = "cmi5.xml"
_COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"


def _local(name: object) -> str:
    return etree.QName(name).localname if isinstance(name, str) else ""


def _root(files: Mapping[str, bytes], name: str) -> etree._Element:
    data = files.get(name)
    if not isinstance(data, bytes):
        raise ManifestUnreadable(f"the package has no {name}")
    return etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element if _local(c.tag) == name]


def _text(element: etree._Element, *path: str) -> str:
    here = [element]
    for name in path:
        here = [c for parent in here for c in _children(parent, name)]
    return (here[0].text or "").strip() if here else ""


def xapi_launch(files: Mapping[str, bytes]) -> Launch:
    """tincan.xml: the course activity (the one with a <launch>) gives the launch page and the
    activity_id the LMS passes on."""
    root = _root(files, TINCAN)
    for activity in root.iter():
        if _local(activity.tag) == "activity" and _children(activity, "launch"):
            href = _text(activity, "launch")
            if href:
                return Launch(href, {"activityId": activity.get("id", ""), "aus": []})
    raise ManifestUnreadable(f"{TINCAN} names no launchable activity of type {_COURSE_TYPE}")


def cmi5_launch(files: Mapping[str, bytes]) -> Launch:
    """cmi5.xml: every AU in document order (blocks included), with what the LMS puts in
    LMS.LaunchData; the first AU is the default launch."""
    root = _root(files, CMI5)
    courses = _children(root, "course")
    course_id = courses[0].get("id", "") if courses else ""
    aus: list[dict[str, Any]] = []
    for au in root.iter():
        if _local(au.tag) != "au":
            continue
        mastery = au.get("masteryScore")
        aus.append({
            "id": (au.get("id") or "").strip(),
            "title": _text(au, "title", "langstring"),
            "url": _text(au, "url"),
            "moveOn": au.get("moveOn", "NotApplicable"),
            "masteryScore": float(mastery) if mastery is not None else None,
            "activityType": au.get("activityType"),
        })
    if not aus or not aus[0]["url"]:
        raise ManifestUnreadable(f"{CMI5} names no AU with a url")
    return Launch(aus[0]["url"], {"courseId": course_id, "aus": aus})
