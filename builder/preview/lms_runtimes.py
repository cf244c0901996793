"""The LMS side the preview plays for each target: which vendored runtime the LMS page loads, under
which window name the course looks for it, and how the LMS reads the package before launching it.

Only targets whose LMS side works here are listed; `coursepack preview --target` offers exactly these.
Adding one (xAPI, cmi5) is one entry here, its LMS side in static/preview.js (`LMS_SIDES`), and a
launch reader beside scorm_launch.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from coursepack.preview.scorm_launch import Launch, scorm12_launch, scorm2004_launch
from coursepack.targets.package import TARGETS


@dataclass(frozen=True)
class LmsRuntime:
    target: str  # as in `coursepack build --target`
    label: str  # the standard as authors know it
    scripts: tuple[str, ...]  # files under static/ the LMS page loads, in order
    side: str  # which LMS side static/preview.js plays: its LMS_SIDES key
    read_launch: Callable[[Mapping[str, bytes]], Launch]


_KNOWN = (
    LmsRuntime("scorm12", "SCORM 1.2", ("scorm-again/scorm12.min.js",), "scorm12", scorm12_launch),
    LmsRuntime("scorm2004", "SCORM 2004 4th edition", ("scorm-again/scorm2004.min.js",), "scorm2004", scorm2004_launch),
)

# Every target the preview can play, in `coursepack build --target`'s order.
LMS_RUNTIMES: dict[str, LmsRuntime] = {r.target: r for r in _KNOWN if r.target in TARGETS}


def saved_state_limit(target: str) -> int | None:
    """Characters of saved state the target's LMS stores (None: no limit to show)."""
    limits = TARGETS[target].limits
    return limits.suspend if limits is not None else None
