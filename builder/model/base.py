"""Shared pieces of the authoring models: strict base class and id types."""

from __future__ import annotations

from typing import Annotated, Any

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

    def model_post_init(self, context: Any, /) -> None:
        """Make the instance small (issue 16: build memory; a loaded course's models are most of it).

        Validation gives every instance a set of the fields it was given (at least 216 bytes) and a dict
        of its values with keys of its own: at 500 generated modules, 17,500 models took 10 MB, 5 of it
        the sets. A frozen model never changes its set in place (pydantic copies it for model_copy,
        __copy__ and __deepcopy__, and __setattr__ refuses), so instances given the same fields share
        one; and their values go into a dict that shares its keys with every instance of the model (as a
        plain class's instances' dicts do), 40 % smaller. Both read exactly as before."""
        given = self.__pydantic_fields_set__
        shared = _FIELD_SETS.setdefault(frozenset(given), given)
        if shared is not given:
            object.__setattr__(self, "__pydantic_fields_set__", shared)
        object.__setattr__(self, "__dict__", _key_sharing_dict(type(self), self.__dict__))


# one set per distinct set of given fields (a handful per model: which optional fields authors write)
_FIELD_SETS: dict[frozenset[str], set[str]] = {}
# per model, a plain class whose instances' dicts share one table of keys, the model's field names
_VALUE_HOLDERS: dict[type, type] = {}


def _key_sharing_dict(model: type, values: dict[str, Any]) -> dict[str, Any]:
    """The same items in a dict that shares its keys with those of the model's other instances: the
    attribute dict of a plain object given them in field order (pydantic fills every field, in order)."""
    holder_class = _VALUE_HOLDERS.get(model)
    if holder_class is None:
        holder_class = _VALUE_HOLDERS[model] = type(f"{model.__name__}Values", (), {"__module__": __name__})
    holder = holder_class()
    for name, value in values.items():
        setattr(holder, name, value)
    return holder.__dict__
