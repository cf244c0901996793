"""What a target is: everything the build needs to know to write one standard's packages.

Each writer module (scorm12.py, scorm2004.py, ...) defines its TARGET; registry.py lists them. Adding a
target is one writer module here, its fit in limits.py (what `validate` checks) and one adapter in
runtime/adapters/.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Protocol

from coursepack.load.course_loader import LoadedCourse
from coursepack.targets.launch_units import LaunchUnit
from coursepack.targets.limits import TargetFit


class ManifestWriter(Protocol):
    """(course, edition, launch units, paths of every other package file) -> the manifest's bytes. words
    turns a Markdown description into plain words (xapi_activities.plain_words, or the build's kept copy
    of them: RenderCache.words); manifests without descriptions (SCORM's) do not ask it."""

    def __call__(self, loaded: LoadedCourse, edition: str, scos: list[LaunchUnit], files: Collection[str], *,
                 words: Callable[[str], str] = ...) -> bytes: ...


@dataclass(frozen=True, kw_only=True)
class Target(TargetFit):
    """A target's fit (name, limits, default split: limits.py) and how its packages are written."""

    adapter: str  # the runtime adapter the player ships with: builder/runtime/adapters/<adapter>.js, in runtime/coursepack.js
    manifest_name: str  # the structure file at the package root
    write_manifest: ManifestWriter


def target_of(fit: TargetFit, *, adapter: str, manifest_name: str, write_manifest: ManifestWriter) -> Target:
    """A writer's target from its fit in limits.FITS, so that what `validate` checks and what `build` writes
    come from one place."""
    return Target(fit.name, fit.limits, fit.unit_per_module, fit.one_unit,
                  adapter=adapter, manifest_name=manifest_name, write_manifest=write_manifest)
