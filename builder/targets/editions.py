"""What differs between editions and SCO layouts, shared by every target."""

from __future__ import annotations

from dataclasses import dataclass

from builder.load.course_loader import LoadedCourse
from builder.model.course import Course

EDITIONS = ("standard", "certificate")


@dataclass(frozen=True)
class Sco:
    """One launchable unit: the whole course, or one module with --sco-per-module."""

    item_id: str
    resource_id: str
    launch: str  # launch page path inside the package
    title: str
    module_ids: list[str] | None  # None = every module


def scored_pass_mark(course: Course, edition: str) -> int | None:
    """The pass mark an edition reports passed/failed against, or None when it reports completed."""
    if edition == "certificate":
        return course.certificate.requires.quiz_pass_mark if course.certificate else None
    return course.completion.pass_mark


def editions_of(course: Course) -> list[str]:
    return ["standard", "certificate"] if course.certificate else ["standard"]


def plan_scos(loaded: LoadedCourse, per_module: bool) -> list[Sco]:
    if not per_module:
        return [Sco("item-course", "res-course", "index.html", loaded.course.title, None)]
    return [
        Sco(f"item-{m.module.id}", f"res-{m.module.id}", f"sco-{m.module.id}.html", m.module.title, [m.module.id])
        for m in loaded.modules
    ]
