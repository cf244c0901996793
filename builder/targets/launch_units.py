"""How a course is cut into launch units (SCOs, AUs): one for the course, or one per module."""

from __future__ import annotations

from typing import NamedTuple

from coursepack.load.course_loader import LoadedCourse


class LaunchUnit(NamedTuple):  # a named tuple: made at import in a quarter of a frozen dataclass's time (issue 16)
    """One launchable unit: the whole course, or one module."""

    item_id: str
    resource_id: str
    launch: str  # launch page path inside the package
    title: str
    module_ids: list[str] | None  # None = every module


def split_into_launch_units(loaded: LoadedCourse, per_module: bool) -> list[LaunchUnit]:
    if not per_module:
        return [LaunchUnit("item-course", "res-course", "index.html", loaded.course.title, None)]
    return [
        LaunchUnit(f"item-{m.module.id}", f"res-{m.module.id}", f"sco-{m.module.id}.html", m.module.title, [m.module.id])
        for m in loaded.modules
    ]
