"""Every target `coursepack build --target` offers, with its manifest writer.

Kept apart from package.py (which renders); `coursepack validate` needs neither: it checks every target's
limits from limits.py."""

from __future__ import annotations

from coursepack.load.course_loader import LoadedCourse
from coursepack.targets import cmi5, scorm12, scorm2004, xapi
from coursepack.targets.target import Target

# Every target `coursepack build --target` offers, in this order (limits.FITS' order).
TARGETS: dict[str, Target] = {target.name: target for target in (scorm12.TARGET, scorm2004.TARGET, xapi.TARGET, cmi5.TARGET)}


def package_name(loaded: LoadedCourse, target: str, edition: str) -> str:
    suffix = "" if edition == "standard" else f"-{edition}"
    return f"{loaded.course.slug}-{loaded.course.version}-{target}{suffix}.zip"
