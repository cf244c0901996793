"""cmi5 target: cmi5.xml at the zip root (cmi5 §13-14; peers-and-standards §4.5; docs/lms/cmi5.md).

- One AU per module by default (an LMS then shows and tracks each module), or one AU for the whole
  course (`--au-per-course`). AU ids are the module activity ids the statements use
  (xapi_activities.py); the course AU is "<course id>/course", since the course element has the
  course id itself and ids in a course structure must differ.
- moveOn from the course's rules: a module that the edition's rules require is "Completed", or
  "CompletedAndPassed" in a scored edition when it holds a quiz with a pass mark (masteryScore = the
  pass mark / 100); a module the rules do not require is "NotApplicable" (it never holds the course
  back). The course AU: "CompletedAndPassed" when scored, else "Completed".
- launchMethod AnyWindow: the player works in the LMS's frame or its own window alike.
- No credential and no launch parameters: the LMS gives endpoint, fetch URL, actor and registration.
"""

from __future__ import annotations

from collections.abc import Collection

from lxml import etree

from coursepack.load.course_loader import LoadedCourse, LoadedModule
from coursepack.model.quiz import QuizBlock
from coursepack.targets.launch_units import LaunchUnit
from coursepack.targets.limits import FITS
from coursepack.targets.scorm12 import package_title
from coursepack.targets.target import target_of
from coursepack.targets.xapi_activities import COURSE_TYPE, MODULE_TYPE, Words, base_id, module_id, plain_text, plain_words

NS_CMI5 = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"


def _text(parent: etree._Element, tag: str, text: str, lang: str) -> None:
    element = etree.SubElement(parent, f"{{{NS_CMI5}}}{tag}")
    etree.SubElement(element, f"{{{NS_CMI5}}}langstring", lang=lang).text = text


def required_modules(loaded: LoadedCourse, edition: str) -> set[str]:
    course = loaded.course
    wanted = course.certificate.requires.modules if edition == "certificate" and course.certificate else course.completion.required_modules
    return {m.module.id for m in loaded.modules} if wanted == "all" else set(wanted)


def _has_marked_quiz(module: LoadedModule, edition_mark: int | None) -> bool:
    if edition_mark is None:
        return False
    return any(isinstance(b, QuizBlock) for page in module.module.pages for b in page.blocks)


def mastery_text(mark: int) -> str:
    """The pass mark as a decimal 0..1 with at most 4 places (the XSD's limit), no trailing zeros."""
    return f"{mark / 100:.4f}".rstrip("0").rstrip(".") if mark % 100 else str(mark // 100)


def build_manifest(loaded: LoadedCourse, edition: str, scos: list[LaunchUnit], files: Collection[str], *,
                   words: Words = plain_words) -> bytes:
    course = loaded.course
    lang = course.language
    mark = course.pass_mark_for(edition)
    required = required_modules(loaded, edition)
    by_id = {m.module.id: m for m in loaded.modules}
    title = package_title(loaded, edition)

    root = etree.Element(f"{{{NS_CMI5}}}courseStructure", nsmap={None: NS_CMI5})
    course_el = etree.SubElement(root, f"{{{NS_CMI5}}}course", id=course.id)
    _text(course_el, "title", title, lang)
    course_description = plain_text(course.description, words=words) or title
    _text(course_el, "description", course_description, lang)
    for sco in scos:
        attrs = {"launchMethod": "AnyWindow", "activityType": MODULE_TYPE}
        if sco.module_ids is None:
            attrs["activityType"] = COURSE_TYPE
            au_id, au_title, description = f"{base_id(loaded)}/course", title, course_description
            scored = mark is not None and any(_has_marked_quiz(m, mark) for m in loaded.modules)
            attrs["moveOn"] = "CompletedAndPassed" if scored else "Completed"
        else:
            (mid,) = sco.module_ids
            module = by_id[mid]
            au_id, au_title = module_id(loaded, module), module.module.title
            description = plain_text(module.module.description, words=words) or au_title
            scored = _has_marked_quiz(module, mark)
            if mid not in required:
                attrs["moveOn"] = "NotApplicable"
            else:
                attrs["moveOn"] = "CompletedAndPassed" if scored else "Completed"
        if scored and mark is not None:
            attrs["masteryScore"] = mastery_text(mark)
        au = etree.SubElement(root, f"{{{NS_CMI5}}}au", id=au_id, **attrs)
        _text(au, "title", au_title, lang)
        _text(au, "description", description, lang)
        etree.SubElement(au, f"{{{NS_CMI5}}}url").text = sco.launch
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


TARGET = target_of(FITS["cmi5"], adapter="cmi5", manifest_name="cmi5.xml", write_manifest=build_manifest)
