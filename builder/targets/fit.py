"""Whether the learner's saved state fits what a target stores, for every launch unit of its package."""

from __future__ import annotations

from coursepack.load.course_loader import LoadedCourse
from coursepack.load.errors import Problem
from coursepack.render.state_budget import check_state_budget
from coursepack.render.unit_contents import UnitContents
from coursepack.targets.launch_units import LaunchUnit
from coursepack.targets.registry import TARGETS, launch_units
from coursepack.targets.target import Target


def units_fit_problems(target: Target, units: list[tuple[LaunchUnit, UnitContents]]) -> list[Problem]:
    return [p for _, contents in units for p in check_state_budget(contents, target.limits)]


def fit_problems(loaded: LoadedCourse, target_name: str, edition: str, *, per_module: bool | None = None) -> list[Problem]:
    """Why the course's saved state could overflow what the target stores (empty when it fits)."""
    target = TARGETS[target_name]
    return units_fit_problems(target, launch_units(loaded, target, edition, per_module))
