"""Every target `coursepack build --target` offers, and how a course is cut into launch units for one.

Kept apart from package.py (which renders): `coursepack validate` checks every target's limits without
importing the renderer and its template engine."""

from __future__ import annotations

from coursepack.load.course_loader import LoadedCourse
from coursepack.render.unit_contents import ModuleIndex, UnitContents, unit_contents
from coursepack.targets import cmi5, scorm12, scorm2004, xapi
from coursepack.targets.launch_units import LaunchUnit, split_into_launch_units
from coursepack.targets.target import Target

# Every target `coursepack build --target` offers, in this order.
TARGETS: dict[str, Target] = {target.name: target for target in (scorm12.TARGET, scorm2004.TARGET, xapi.TARGET, cmi5.TARGET)}


def package_name(loaded: LoadedCourse, target: str, edition: str) -> str:
    suffix = "" if edition == "standard" else f"-{edition}"
    return f"{loaded.course.slug}-{loaded.course.version}-{target}{suffix}.zip"


def launch_units(loaded: LoadedCourse, target: Target, edition: str, per_module: bool | None) -> list[tuple[LaunchUnit, UnitContents]]:
    """The package's launch units with their contents. per_module None: the target's default split."""
    split = False if target.one_unit else target.unit_per_module if per_module is None else per_module
    index = ModuleIndex(loaded)  # one lookup for every unit: linear in the number of modules
    return [(unit, unit_contents(loaded, edition, unit.module_ids, index)) for unit in split_into_launch_units(loaded, split)]
