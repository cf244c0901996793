"""Whether the learner's saved state fits what a target stores, for every launch unit of its package.

Asks only a target's fit (limits.py), not its manifest writer: `validate` imports no writer (issue 16)."""

from __future__ import annotations

from coursepack.load.course_loader import LoadedCourse
from coursepack.load.errors import Problem
from coursepack.render.state_budget import check_state_budget
from coursepack.render.unit_contents import ModuleIndex, UnitContents, unit_contents
from coursepack.targets.launch_units import LaunchUnit, split_into_launch_units
from coursepack.targets.limits import TargetFit


def launch_units(loaded: LoadedCourse, target: TargetFit, edition: str, per_module: bool | None) -> list[tuple[LaunchUnit, UnitContents]]:
    """The package's launch units with their contents. per_module None: the target's default split."""
    split = False if target.one_unit else target.unit_per_module if per_module is None else per_module
    index = ModuleIndex(loaded)  # one lookup for every unit: linear in the number of modules
    return [(unit, unit_contents(loaded, edition, unit.module_ids, index)) for unit in split_into_launch_units(loaded, split)]


def units_fit_problems(target: TargetFit, units: list[tuple[LaunchUnit, UnitContents]]) -> list[Problem]:
    return [p for _, contents in units for p in check_state_budget(contents, target.limits)]


def target_fit_problems(loaded: LoadedCourse, target: TargetFit, edition: str, *, per_module: bool | None = None) -> list[Problem]:
    """Why the course's saved state could overflow what the target stores (empty when it fits)."""
    if target.limits is None:  # nothing to prove (xAPI, cmi5): no unit's contents gathered (issue 16)
        return []
    return units_fit_problems(target, launch_units(loaded, target, edition, per_module))


def fit_problems(loaded: LoadedCourse, target_name: str, edition: str, *, per_module: bool | None = None) -> list[Problem]:
    """target_fit_problems for a target `coursepack build --target` names (registry.TARGETS)."""
    from coursepack.targets.registry import TARGETS  # the writers: `build` has them already; `validate` asks by fit

    return target_fit_problems(loaded, TARGETS[target_name], edition, per_module=per_module)
