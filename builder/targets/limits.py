"""What `validate` needs of each target: what its run-time store holds and how it cuts a course into
launch units by default. Kept apart from the manifest writers (scorm12.py, ...: lxml and four modules),
which `validate` does not need (issue 16: start-up). Each writer's TARGET is made from its fit here
(target.target_of); registry.py lists them, in FITS' order (tests/test_validate_targets.py)."""

from __future__ import annotations

from dataclasses import dataclass

from coursepack.render.storage_limits import StorageLimits


@dataclass(frozen=True)
class TargetFit:
    """What `validate` checks of one target: its store's limits and its default split into launch units."""

    name: str  # as in `coursepack build --target` and the package's file name
    limits: StorageLimits | None  # what the learner's state must fit; None: no size limit to prove
    unit_per_module: bool = False  # the default split: one launch unit per module, or one for the course
    one_unit: bool = False  # always exactly one launch unit, the whole course (tincan.xml has one launchable activity)


# SCORM 1.2's run-time data model's sizes (characters; shared/notes/peers-and-standards.md §4.1): the saved
# state in cmi.suspend_data, the bookmark in cmi.core.lesson_location, and every reflection's report
# copy in the one cmi.comments string, framed by adapters/scorm12.js: each write starts with a mark
# "@<n>" (n up to 4 digits: 5 characters), each reflection is "#<id>:<length, 4 digits>:<text>\n"
# (8 characters besides the id and the text).
SCORM12_LIMITS = StorageLimits(
    standard="SCORM 1.2", suspend=4096, comments=4096, location=255,
    suspend_store="cmi.suspend_data", comments_store="cmi.comments",
    comments_mark=5, comments_record_frame=8,
)

# SCORM 2004's run-time data model's sizes (characters; peers-and-standards.md §4.2): cmi.suspend_data, the
# binding store; cmi.location; and one cmi.comments_from_learner.n.comment record per reflection
# (adapters/scorm2004.js), each up to 4,000 characters.
SCORM2004_LIMITS = StorageLimits(
    standard="SCORM 2004", suspend=64000, comments=4000, location=1000,
    suspend_store="cmi.suspend_data", comments_store="cmi.comments_from_learner", comments_per_reflection=True,
)

# Every target `coursepack build --target` offers, in this order (registry.TARGETS' order).
FITS: dict[str, TargetFit] = {
    fit.name: fit
    for fit in (
        TargetFit("scorm12", SCORM12_LIMITS),
        TargetFit("scorm2004", SCORM2004_LIMITS),
        TargetFit("xapi", None, one_unit=True),  # an LRS's State API: no size limit
        TargetFit("cmi5", None, unit_per_module=True),
    )
}
