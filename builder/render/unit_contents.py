"""What one launch unit holds (the whole course, or some of its modules) and the edition's rules for it.

A launch unit is what an LMS launches: a SCO, an AU. Its modules, pages, quizzes and reflections come
in the order learners meet them; the page, the course data and the storage budget are all made from
this one list. The rules (pass marks, required modules, reflection minimums, when answers show) are
the edition's, the same for every target.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from coursepack.load.course_loader import LoadedCourse, LoadedModule
from coursepack.model.content import ReflectionBlock
from coursepack.model.course import EDITIONS
from coursepack.model.quiz import QuizBlock


# The refs are named tuples: made at import in a quarter of a frozen dataclass's time (issue 16: start-up).
class ReflectionRef(NamedTuple):
    """A reflection of the unit and where it is."""

    block: ReflectionBlock
    module: LoadedModule
    path: tuple[str | int, ...]  # data path inside the module file
    page_index: int  # index in the unit's page list


class QuizRef(NamedTuple):
    """A quiz of the unit and where it is."""

    block: QuizBlock
    module: LoadedModule
    path: tuple[str | int, ...]
    page_index: int


@dataclass(eq=False)  # told apart by identity (render_cache.py); no __eq__ to compile at import (issue 16)
class UnitContents:
    """The modules, pages, quizzes and reflections of one launch unit, in the order learners meet them."""

    loaded: LoadedCourse
    edition: str
    modules: list[LoadedModule]
    pages: list[tuple[LoadedModule, int]] = field(default_factory=list)  # (module, page index in module)
    quizzes: list[QuizRef] = field(default_factory=list)
    reflections: list[ReflectionRef] = field(default_factory=list)

    @property
    def whole_course(self) -> bool:
        return len(self.modules) == len(self.loaded.modules)


class ModuleIndex:
    """The course's modules by id, made once per course: a unit's modules are then found in the
    time of the unit's own size, so splitting a course into one unit per module stays linear."""

    def __init__(self, loaded: LoadedCourse) -> None:
        self.loaded = loaded
        self._position = {m.module.id: i for i, m in enumerate(loaded.modules)}

    def select(self, module_ids: Sequence[str] | None) -> list[LoadedModule]:
        """The modules with these ids in course order (None: every module)."""
        if module_ids is None:
            return list(self.loaded.modules)
        missing = [m for m in module_ids if m not in self._position]
        if missing:
            raise ValueError(f"no module with id {', '.join(missing)}")
        return [self.loaded.modules[i] for i in sorted({self._position[m] for m in module_ids})]


def unit_contents(loaded: LoadedCourse, edition: str, module_ids: Sequence[str] | None = None,
                  index: ModuleIndex | None = None) -> UnitContents:
    """The contents of the unit holding the listed modules (None: the whole course) in this edition.
    Pass the course's ModuleIndex when making many units."""
    if edition not in EDITIONS:
        raise ValueError(f"unknown edition '{edition}' (expected standard or certificate)")
    if edition == "certificate" and loaded.course.certificate is None:
        raise ValueError("the course defines no certificate edition (course.yaml has no 'certificate')")
    if index is None or index.loaded is not loaded:
        index = ModuleIndex(loaded)
    unit = UnitContents(loaded, edition, index.select(module_ids))
    for mod in unit.modules:
        for p, page in enumerate(mod.module.pages):
            unit.pages.append((mod, p))
            for b, block in enumerate(page.blocks):
                path = ("pages", p, "blocks", b)
                if isinstance(block, QuizBlock):
                    unit.quizzes.append(QuizRef(block, mod, path, len(unit.pages) - 1))
                elif isinstance(block, ReflectionBlock):
                    unit.reflections.append(ReflectionRef(block, mod, path, len(unit.pages) - 1))
    return unit


def module_ids_of(unit: UnitContents) -> list[str] | None:
    """The unit's module ids, or None when it holds the whole course."""
    return None if unit.whole_course else [m.module.id for m in unit.modules]


def page_key(mod: LoadedModule, page_index: int) -> str:
    """The page's bookmark: '<module id>/<page id>'."""
    return f"{mod.module.id}/{mod.module.pages[page_index].id}"


# ---- the edition's rules -----------------------------------------------------------------------

def edition_mark(unit: UnitContents) -> int | None:
    """The pass mark the edition reports passed/failed against (the manifest's mastery score), or None."""
    return unit.loaded.course.pass_mark_for(unit.edition)


def quiz_mark(unit: UnitContents, quiz: QuizBlock) -> int | None:
    if unit.edition == "certificate":
        return edition_mark(unit)
    return quiz.pass_mark if quiz.pass_mark is not None else unit.loaded.course.completion.pass_mark


def required_module_ids(unit: UnitContents) -> list[str]:
    course = unit.loaded.course
    wanted = course.certificate.requires.modules if unit.edition == "certificate" else course.completion.required_modules  # type: ignore[union-attr]
    ids = [m.module.id for m in unit.modules]
    if wanted == "all":
        return ids
    wanted_ids = set(wanted)
    chosen = [i for i in ids if i in wanted_ids]
    # A unit holding none of the required modules still asks for its own content.
    return chosen or ids


def reflection_min(unit: UnitContents, block: ReflectionBlock) -> int:
    """Characters a reflection needs to count as answered in this edition (0 = not gating)."""
    course = unit.loaded.course
    if not block.required:
        return 0
    if unit.edition == "certificate":
        return max(block.min_chars, course.certificate.requires.reflection_min_chars, 1)  # type: ignore[union-attr]
    if not course.completion.reflections_required:
        return 0
    return max(block.min_chars, 1)


def reveal_answers(unit: UnitContents, quiz: QuizBlock) -> str:
    """"each": explanations and keys after every attempt; "final": only once passed or out of
    attempts. The certificate edition takes the stricter of the quiz's and the certificate's setting."""
    strict = "after_passing_or_last_attempt"
    settings = [quiz.show_answers]
    if unit.edition == "certificate" and unit.loaded.course.certificate is not None:
        settings.append(unit.loaded.course.certificate.show_answers)
    return "final" if strict in settings else "each"


def page_folder(loaded: LoadedCourse, module_ids: Sequence[str] | None) -> str:
    """Where the page files of the unit holding these modules (None: the whole course) go in a package:
    "pages/course/" for the whole course, "pages/<module id>/" for one module. Each unit of a package has
    its own folder, so the package's manifest can list each SCO's page files on that SCO."""
    if module_ids is None or len(module_ids) == len(loaded.modules):
        return "pages/course/"
    return "pages/" + "_".join(module_ids) + "/"  # "_" is in no module id: folders never clash
