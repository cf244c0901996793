"""Shared pieces of the authoring models: strict base class and id types."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# Ids survive wording changes, so tracking data does too. Kept to a conservative
# alphabet: they end up in SCORM identifiers, xAPI IRIs and file names.
Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$"),
    Field(description="Stable id: lowercase letters, digits and '-', 1-64 characters, e.g. 'what-is-ai'."),
]

NonEmptyText = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]

Markdown = Annotated[
    str,
    StringConstraints(min_length=1),
    Field(description="Markdown text (CommonMark + tables). Raw HTML is sanitized."),
]

AssetPath = Annotated[
    str,
    # 1,000 keeps "assets/<path>" well inside the 2,000 characters of a SCORM 1.2 manifest href.
    StringConstraints(pattern=r"^[A-Za-z0-9_./-]+$", min_length=1, max_length=1000),
    Field(description="Path of a file inside the course's assets/ folder, e.g. 'diagrams/pipeline.svg'."),
]

# The most characters a SCORM 1.2 manifest <title> holds (imscp_rootv1p1p2.xsd, titleType).
TITLE_MAX = 200

Percent = Annotated[int, Field(ge=0, le=100, description="A percentage, 0-100.")]


class Strict(BaseModel):
    """Base for every authoring model: unknown keys are errors, so typos are caught.

    Validators are built when a model first validates (defer_build), not when its class is made:
    loading validates Course and Module alone, whose validators hold every part inside them, so the
    parts' own validators would be built for nothing (issue 16: start-up)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False, defer_build=True)
