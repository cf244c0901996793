"""The LMS side the preview plays for each target: which vendored runtime the LMS page loads, under
which window name the course looks for it, and how the LMS reads the package before launching it.

Only targets whose LMS side works here are listed; `coursepack preview --target` offers exactly these.
SCORM's LMS side is scorm-again in the page (static/preview.js, `LMS_SIDES`); xAPI's and cmi5's is the
server's in-process LRS and launches (mini_lrs.py, lrs_lms.py), played in the page by static/lrs_sides.js.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from coursepack.preview.lrs_launch import cmi5_launch, xapi_launch
from coursepack.preview.scorm_launch import Launch, scorm12_launch, scorm2004_launch
from coursepack.targets.registry import TARGETS


@dataclass(frozen=True)
class LmsRuntime:
    target: str  # as in `coursepack build --target`
    label: str  # the standard as authors know it
    scripts: tuple[str, ...]  # files under static/ the LMS page loads, in order
    side: str  # which LMS side the page plays: a key of LMS_SIDES (preview.js) or LRS_SIDES (lrs_sides.js)
    read_launch: Callable[[Mapping[str, bytes]], Launch]

    @property
    def uses_lrs(self) -> bool:
        """The course talks to the server's in-process LRS (xAPI, cmi5), not to a JavaScript API."""
        return self.side in ("xapi", "cmi5")


_KNOWN = (
    LmsRuntime("scorm12", "SCORM 1.2", ("scorm-again/scorm12.min.js",), "scorm12", scorm12_launch),
    LmsRuntime("scorm2004", "SCORM 2004 4th edition", ("scorm-again/scorm2004.min.js",), "scorm2004", scorm2004_launch),
    LmsRuntime("xapi", "xAPI (Tin Can launch)", ("lrs_sides.js",), "xapi", xapi_launch),
    LmsRuntime("cmi5", "cmi5", ("lrs_sides.js",), "cmi5", cmi5_launch),
)

# Every target the preview can play, in `coursepack build --target`'s order.
LMS_RUNTIMES: dict[str, LmsRuntime] = {r.target: r for r in _KNOWN if r.target in TARGETS}


def saved_state_limit(target: str) -> int | None:
    """Characters of saved state the target's LMS stores (None: no limit to show)."""
    limits = TARGETS[target].limits
    return limits.suspend if limits is not None else None
