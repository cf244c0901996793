"""Module, page and content-block models (one YAML file per module)."""

# No `from __future__ import annotations`: the annotations are objects when the classes are made, so
# pydantic need not evaluate them from strings (issue 16: start-up).

from typing import Annotated, Literal, Union

from pydantic import Field, GetPydanticSchema
from pydantic_core import Url, core_schema

from coursepack.model.base import AssetPath, Markdown, NonEmptyText, Slug, Strict
from coursepack.model.quiz import QuizBlock


# A web address: pydantic's AnyHttpUrl rule (parsed by pydantic-core, scheme http or https), with the same
# errors and the same text once normalised (str() of 'https://example.org' is 'https://example.org/'),
# without importing pydantic.networks (issue 16: start-up). tests/test_validate_web_address.py holds them equal.
WebAddress = Annotated[Url, GetPydanticSchema(lambda _source, _handler: core_schema.url_schema(allowed_schemes=["http", "https"]))]


class TextBlock(Strict):
    type: Literal["text"]
    text: Markdown


class ImageBlock(Strict):
    type: Literal["image"]
    src: AssetPath
    alt: NonEmptyText = Field(
        description="Text alternative read by screen readers: what the image shows and why it matters."
    )
    caption: Markdown | None = None
    width: int | None = Field(None, ge=16, le=4000, description="Display width in CSS pixels (height follows).")


class CalloutBlock(Strict):
    type: Literal["callout"]
    style: Literal["tip", "note", "warning", "example"] = "note"
    title: NonEmptyText | None = None
    text: Markdown


class VideoBlock(Strict):
    type: Literal["video"]
    src: AssetPath
    title: NonEmptyText
    captions: AssetPath | None = Field(None, description="WebVTT captions file in assets/.")
    transcript: AssetPath | None = Field(None, description="Markdown or text transcript file in assets/.")
    poster: AssetPath | None = None


class AudioBlock(Strict):
    type: Literal["audio"]
    src: AssetPath
    title: NonEmptyText
    transcript: AssetPath = Field(description="Markdown or text transcript file in assets/ (required).")


class LinkBlock(Strict):
    type: Literal["link"]
    url: WebAddress
    title: NonEmptyText
    description: Markdown | None = None


class ReflectionBlock(Strict):
    """A free-text prompt; the answer is saved and can gate completion."""

    type: Literal["reflection"]
    id: Slug
    prompt: Markdown
    guidance: Markdown | None = Field(None, description="Hints shown under the prompt.")
    required: bool = True
    min_chars: int = Field(
        0, ge=0, le=2000, description="Fewest characters that count as an answer (the certificate may ask more)."
    )
    max_chars: int | None = Field(
        None,
        ge=20,
        le=4000,
        description="Most characters the learner may type. Default: the target's budget "
        "(SCORM 1.2 shares 4,096 characters between all reflections).",
    )


Block = Annotated[
    Union[TextBlock, ImageBlock, CalloutBlock, VideoBlock, AudioBlock, LinkBlock, ReflectionBlock, QuizBlock],
    Field(discriminator="type"),
]


class Page(Strict):
    id: Slug
    title: NonEmptyText
    blocks: list[Block] = Field(min_length=1)


class Module(Strict):
    id: Slug
    title: NonEmptyText
    description: Markdown | None = None
    objectives: list[NonEmptyText] = Field(min_length=1, description="Learning objectives, one sentence each.")
    minutes: int = Field(ge=1, le=600, description="Estimated time to complete, in minutes.")
    pages: list[Page] = Field(min_length=1)
