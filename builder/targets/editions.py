"""How a course is cut into SCOs, shared by every target."""

from __future__ import annotations

from dataclasses import dataclass

from coursepack.load.course_loader import LoadedCourse


@dataclass(frozen=True)
class Sco:
    """One launchable unit: the whole course, or one module with --sco-per-module."""

    item_id: str
    resource_id: str
    launch: str  # launch page path inside the package
    title: str
    module_ids: list[str] | None  # None = every module


def plan_scos(loaded: LoadedCourse, per_module: bool) -> list[Sco]:
    if not per_module:
        return [Sco("item-course", "res-course", "index.html", loaded.course.title, None)]
    return [
        Sco(f"item-{m.module.id}", f"res-{m.module.id}", f"sco-{m.module.id}.html", m.module.title, [m.module.id])
        for m in loaded.modules
    ]
