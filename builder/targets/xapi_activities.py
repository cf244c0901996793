"""Activity ids and texts that xAPI and cmi5 packages declare, the same ids the runtime puts in its
statements (builder/runtime/statements.js; tests hold the two together):

    course      <course id>
    module      <course id>/<module id>
    quiz        <course id>/<module id>/quiz/<quiz id>
    (pages <course id>/<module id>/<page id>, questions <quiz>/<question id> and reflections
    <course id>/<module id>/reflection/<id> appear in statements only)

Ids derive from the course and module ids alone, never from titles, so a new version of a package
keeps learners' records together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from coursepack.load.course_loader import LoadedCourse, LoadedModule
from coursepack.model.quiz import QuizBlock
from coursepack.xapi import vocabulary

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

COURSE_TYPE = vocabulary.COURSE
MODULE_TYPE = vocabulary.MODULE
QUIZ_TYPE = vocabulary.ASSESSMENT
DESCRIPTION_MAX = 1000  # characters of plain text: a description, not the whole page


@lru_cache(maxsize=1)
def _parser() -> "MarkdownIt":
    # made at first use: `validate` imports the targets (for their limits) and never parses here
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False})


@dataclass(frozen=True)
class Activity:
    id: str
    type: str
    name: str
    description: str


def base_id(loaded: LoadedCourse) -> str:
    return loaded.course.id.rstrip("/")


def module_id(loaded: LoadedCourse, module: LoadedModule) -> str:
    return f"{base_id(loaded)}/{module.module.id}"


# A Markdown text -> its plain words (plain_words, or a build's kept copy of them: RenderCache.words)
Words = Callable[[str], str]


def plain_words(markdown: str) -> str:
    """Authored Markdown as one line of plain text: the words of its text and code spans, no markup
    (lxml escapes what it writes). Parsed, not rendered: the build renders each Markdown text once,
    for the pages."""
    words: list[str] = []
    for token in _parser().parse(markdown):
        for child in token.children or ():
            if child.type in ("text", "code_inline"):
                words.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                words.append(" ")
        if token.type.endswith("_close") and token.block:
            words.append(" ")
    return " ".join("".join(words).split())


def plain_text(markdown: str | None, limit: int = DESCRIPTION_MAX, words: Words = plain_words) -> str:
    """plain_words of authored Markdown, cut at a word with "…" when longer than limit."""
    if not markdown:
        return ""
    text = words(markdown)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


def _quizzes(module: LoadedModule) -> Iterator[QuizBlock]:
    for page in module.module.pages:
        for block in page.blocks:
            if isinstance(block, QuizBlock):
                yield block


def course_activity(loaded: LoadedCourse, title: str, words: Words = plain_words) -> Activity:
    course = loaded.course
    return Activity(course.id, COURSE_TYPE, title, plain_text(course.description, words=words) or title)


def module_activities(loaded: LoadedCourse, modules: list[LoadedModule], words: Words = plain_words) -> Iterator[Activity]:
    """Each module, then its quizzes, in the order learners meet them."""
    for module in modules:
        mid = module_id(loaded, module)
        yield Activity(mid, MODULE_TYPE, module.module.title, plain_text(module.module.description, words=words) or module.module.title)
        for quiz in _quizzes(module):
            title = quiz.title or f"{module.module.title}: quiz"
            yield Activity(f"{mid}/quiz/{quiz.id}", QUIZ_TYPE, title, title)
