"""Pydantic models: the single source of the YAML authoring format."""

from coursepack.model.content import Block, Module, Page, ReflectionBlock
from coursepack.model.course import Course
from coursepack.model.quiz import Question, QuizBlock

__all__ = ["Block", "Course", "Module", "Page", "Question", "QuizBlock", "ReflectionBlock"]
