"""Quiz and question models: one class per question type, joined by `type`."""

# No `from __future__ import annotations`: the annotations are objects when the classes are made, so
# pydantic need not evaluate them from strings (issue 16: start-up).

from typing import Annotated, Literal, Union

from pydantic import Field, StringConstraints

from coursepack.model.base import Markdown, NonEmptyText, Percent, Slug, Strict


class Choice(Strict):
    """One option of a choice question."""

    id: Slug
    text: NonEmptyText = Field(description="What the learner sees (Markdown inline formatting allowed).")
    feedback: Markdown | None = Field(None, description="Shown when the learner picks this choice.")


class QuestionBase(Strict):
    id: Slug
    prompt: Markdown = Field(description="The question, in Markdown.")
    explanation: Markdown | None = Field(None, description="Shown after the learner answers, right or wrong.")
    points: int = Field(1, ge=1, le=100, description="Weight of the question in its quiz's score.")


class SingleChoice(QuestionBase):
    """Exactly one right choice."""

    type: Literal["single_choice"]
    choices: list[Choice] = Field(min_length=2, max_length=26)
    answer: Slug = Field(description="Id of the right choice.")


class MultipleResponse(QuestionBase):
    """Every right choice must be ticked and no wrong one."""

    type: Literal["multiple_response"]
    choices: list[Choice] = Field(min_length=2, max_length=26)
    answers: list[Slug] = Field(min_length=1, description="Ids of all the right choices.")


class TrueFalse(QuestionBase):
    type: Literal["true_false"]
    answer: bool = Field(description="true or false.")
    true_feedback: Markdown | None = Field(None, description="Shown when the learner answers 'True'.")
    false_feedback: Markdown | None = Field(None, description="Shown when the learner answers 'False'.")


AcceptedAnswer = Annotated[str, StringConstraints(min_length=1, max_length=250)]


class FillIn(QuestionBase):
    """A short typed answer compared with a list of accepted answers."""

    type: Literal["fill_in"]
    accepted: list[AcceptedAnswer] = Field(min_length=1, description="Every answer that counts as right.")
    case_sensitive: bool = Field(False, description="Whether 'AI' and 'ai' are different answers.")
    whitespace: Literal["normalize", "exact", "ignore"] = Field(
        "normalize",
        description="normalize: trim and collapse runs of spaces; exact: compare as typed; ignore: drop all spaces.",
    )


class MatchPair(Strict):
    id: Slug
    prompt: NonEmptyText = Field(description="Left-hand item.")
    match: NonEmptyText = Field(description="The right-hand item it belongs with.")


class Matching(QuestionBase):
    """Pair each prompt with its match; matches are shown in a shuffled order."""

    type: Literal["matching"]
    pairs: list[MatchPair] = Field(min_length=2, max_length=26)


class SequenceItem(Strict):
    id: Slug
    text: NonEmptyText


class Sequencing(QuestionBase):
    """Put the items in order; `items` lists them in the right order."""

    type: Literal["sequencing"]
    items: list[SequenceItem] = Field(min_length=2, max_length=26)


Question = Annotated[
    Union[SingleChoice, MultipleResponse, TrueFalse, FillIn, Matching, Sequencing],
    Field(discriminator="type"),
]

QUESTION_TYPES = ("single_choice", "multiple_response", "true_false", "fill_in", "matching", "sequencing")


ShowAnswers = Literal["after_each_attempt", "after_passing_or_last_attempt"]


class QuizBlock(Strict):
    """A graded quiz inside a page."""

    type: Literal["quiz"]
    id: Slug
    title: NonEmptyText | None = None
    pass_mark: Percent | None = Field(
        None, description="Percent needed to pass this quiz; defaults to the course's completion.pass_mark."
    )
    attempts: Annotated[int, Field(ge=1, le=99)] | Literal["unlimited"] = Field(
        "unlimited", description="How many times the learner may submit the quiz: a number from 1, or 'unlimited'."
    )
    shuffle: bool = Field(False, description="Shuffle choices (and matches) for each attempt.")
    show_answers: ShowAnswers = Field(
        "after_each_attempt",
        description="When explanations, choice feedback and which pair or position was wrong are shown: "
        "'after_each_attempt', or 'after_passing_or_last_attempt' so a retake tests understanding, not memory "
        "(the certificate edition uses its own setting, certificate.show_answers).",
    )
    questions: list[Question] = Field(min_length=1)

    def max_attempts(self) -> int | None:
        return None if self.attempts == "unlimited" else self.attempts
