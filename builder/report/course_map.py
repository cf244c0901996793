"""What the report needs to know about the course: modules in order, which module each quiz and
reflection belongs to, question points, and the shape of each SCO's saved state (to tell whether a
package's suspend_data was written by this version of the course)."""

from __future__ import annotations

from dataclasses import dataclass

from coursepack.load.course_loader import LoadedCourse
from coursepack.model.content import ReflectionBlock
from coursepack.model.quiz import QuizBlock
from coursepack.render.course_data import fingerprint
from coursepack.render.unit_contents import ModuleIndex, unit_contents
from coursepack.targets.launch_units import split_into_launch_units
from coursepack.targets.scorm12 import manifest_identifier

COURSE_SCO = "item-course"


@dataclass(frozen=True)
class QuizInfo:
    id: str
    module_id: str
    points: dict[str, int]  # question id -> points, for interactions that carry no weighting


@dataclass(frozen=True)
class ReflectionInfo:
    id: str
    module_id: str


@dataclass(frozen=True)
class ScoShape:
    """One SCO of a package built from this course version: its modules and saved-state layout."""

    identifier: str  # the manifest item id: 'item-course' or 'item-<module id>'
    module_ids: tuple[str, ...]
    fingerprint: str  # the 4 characters after the format digit in suspend_data
    page_modules: tuple[str, ...]  # the module of each page, in saved-state order
    quiz_ids: tuple[str, ...]
    reflection_ids: tuple[str, ...]


@dataclass(frozen=True)
class CourseMap:
    course_id: str
    module_ids: tuple[str, ...]
    quizzes: dict[str, QuizInfo]  # in course order
    reflections: dict[str, ReflectionInfo]  # in course order
    scos: dict[str, ScoShape]
    manifest_ids: dict[str, str]  # manifest identifier -> edition (tells a package of this course)

    def module_of(self, activity_id: str) -> str | None:
        """The module of a quiz, a question ('<quiz id>.<question id>') or a reflection id."""
        if activity_id in self.reflections:
            return self.reflections[activity_id].module_id
        quiz_id = activity_id.split(".", 1)[0]
        info = self.quizzes.get(quiz_id)
        return info.module_id if info else None


def course_map(loaded: LoadedCourse) -> CourseMap:
    course = loaded.course
    quizzes: dict[str, QuizInfo] = {}
    reflections: dict[str, ReflectionInfo] = {}
    for mod in loaded.modules:
        for page in mod.module.pages:
            for block in page.blocks:
                if isinstance(block, QuizBlock):
                    quizzes[block.id] = QuizInfo(block.id, mod.module.id, {q.id: q.points for q in block.questions})
                elif isinstance(block, ReflectionBlock):
                    reflections[block.id] = ReflectionInfo(block.id, mod.module.id)
    scos: dict[str, ScoShape] = {}
    index = ModuleIndex(loaded)
    for per_module in (False, True):
        for sco in split_into_launch_units(loaded, per_module):
            # the saved-state shape does not depend on the edition
            unit = unit_contents(loaded, "standard", sco.module_ids, index)
            scos[sco.item_id] = ScoShape(
                identifier=sco.item_id,
                module_ids=tuple(m.module.id for m in unit.modules),
                fingerprint=fingerprint(unit),
                page_modules=tuple(m.module.id for m, _ in unit.pages),
                quiz_ids=tuple(q.block.id for q in unit.quizzes),
                reflection_ids=tuple(r.block.id for r in unit.reflections),
            )
    editions = course.editions()
    return CourseMap(
        course_id=course.id,
        module_ids=tuple(m.module.id for m in loaded.modules),
        quizzes=quizzes,
        reflections=reflections,
        scos=scos,
        manifest_ids={manifest_identifier(loaded, e): e for e in editions},
    )
