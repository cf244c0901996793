"""What a target's run-time store can hold for the player: the shape render and the budget check take.

Each target module (targets/scorm12.py, targets/scorm2004.py, ...) defines its own StorageLimits; a target
that keeps the learner's state somewhere without a size limit (an LRS's State API) has none, and then
only authors' max_chars cap reflections. Render itself names no standard.
"""

from __future__ import annotations

from typing import NamedTuple


class StorageLimits(NamedTuple):  # a named tuple: made at import in a quarter of a frozen dataclass's time (issue 16)
    """Characters the player may store per learner, and the store names authors read in messages.

    Reflections are kept twice: packed in the saved state (what a resumed session reads) and as plain
    text in a report copy for the LMS. The report copy is either one string for every reflection
    (``comments`` for all of them, each framed) or one record per reflection (``comments`` each).
    """

    standard: str  # the target as authors know it, in messages: "SCORM 1.2"
    suspend: int  # the saved state
    comments: int  # the reflections' report copy: all together, or each record when per reflection
    location: int  # the bookmark
    suspend_store: str  # the saved state's name in the target's data model
    comments_store: str  # the report copy's name in the target's data model
    comments_per_reflection: bool = False
    # Framing of a shared report copy (the target's adapter writes it): characters each write adds
    # once, and characters each reflection's record adds besides its id and text.
    comments_mark: int = 0
    comments_record_frame: int = 0

    def comments_record_overhead(self, reflection_id: str) -> int:
        """Characters the report copy's framing adds around one reflection's text."""
        return self.comments_record_frame + len(reflection_id)

    def as_json(self) -> dict[str, int]:
        """What the player's adapter reads as the course data's "limits" (this key order, always)."""
        return {"suspend": self.suspend, "comments": self.comments, "location": self.location}
