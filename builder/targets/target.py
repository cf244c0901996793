"""What a target is: everything the build needs to know to write one standard's packages.

Each writer module (scorm12.py, scorm2004.py, ...) defines its TARGET; package.py lists them. Adding a
target is one writer module here and one adapter in runtime/adapters/.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Protocol

from coursepack.load.course_loader import LoadedCourse
from coursepack.render.storage_limits import StorageLimits
from coursepack.targets.launch_units import LaunchUnit


class ManifestWriter(Protocol):
    """(course, edition, launch units, paths of every other package file) -> the manifest's bytes. words
    turns a Markdown description into plain words (xapi_activities.plain_words, or the build's kept copy
    of them: RenderCache.words); manifests without descriptions (SCORM's) do not ask it."""

    def __call__(self, loaded: LoadedCourse, edition: str, scos: list[LaunchUnit], files: Collection[str], *,
                 words: Callable[[str], str] = ...) -> bytes: ...


@dataclass(frozen=True)
class Target:
    name: str  # as in `coursepack build --target` and the package's file name
    adapter: str  # the runtime adapter the player ships with: builder/runtime/adapters/<adapter>.js, in runtime/coursepack.js
    manifest_name: str  # the structure file at the package root
    write_manifest: ManifestWriter
    limits: StorageLimits | None  # what the learner's state must fit; None: no size limit to prove
    unit_per_module: bool = False  # the default split: one launch unit per module, or one for the course
    one_unit: bool = False  # always exactly one launch unit, the whole course (tincan.xml has one launchable activity)
