"""Pydantic models: the single source of the YAML authoring format."""

from builder.model.content import Block, Module, Page, ReflectionBlock
from builder.model.course import Course
from builder.model.quiz import Question, QuizBlock

__all__ = ["Block", "Course", "Module", "Page", "Question", "QuizBlock", "ReflectionBlock"]
