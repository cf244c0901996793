"""The course file (course.yaml): identity, module list, completion rules, editions."""

# No `from __future__ import annotations`: the annotations are objects when the classes are made, so
# pydantic need not evaluate them from strings (issue 16: start-up).

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from coursepack.model.quiz import ShowAnswers
from coursepack.model.base import TITLE_MAX, AssetPath, Markdown, NonEmptyText, Percent, Slug, Strict

CourseIri = Annotated[
    str,
    StringConstraints(pattern=r"^https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?$", max_length=200),
    Field(description="Stable IRI naming the course, e.g. 'https://example.org/courses/ai-literacy'. Never change it."),
]

LanguageTag = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"),
    Field(description="BCP 47 language tag, e.g. 'en-US'."),
]

Version = Annotated[
    str,
    # 20 characters: the most a SCORM 1.2 manifest's version attribute holds (imscp_rootv1p1p2.xsd).
    StringConstraints(pattern=r"^[0-9]+(\.[0-9]+){0,2}([-+][A-Za-z0-9.]+)?$", max_length=20),
    Field(description="Course version, e.g. '1.0.0', at most 20 characters. Goes into package file names."),
]

ModuleFile = Annotated[
    str,
    StringConstraints(pattern=r"^modules/[A-Za-z0-9_.-]+\.ya?ml$"),
    Field(description="Path of a module file, relative to the course folder, e.g. 'modules/01-what-is-ai.yaml'."),
]


class Author(Strict):
    name: NonEmptyText
    organization: NonEmptyText | None = None
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None


class Completion(Strict):
    """When the standard edition counts as complete."""

    required_modules: Literal["all"] | list[Slug] = Field(
        "all", description="'all', or the ids of the modules a learner must finish."
    )
    pass_mark: Percent | None = Field(
        None,
        description="Percent every quiz needs to pass. When set, the course reports passed/failed; "
        "when absent, quizzes are practice and the course reports completed.",
    )
    reflections_required: bool = Field(True, description="Whether required reflections must be answered.")
    if_failed: Markdown | None = Field(
        None,
        description="What a learner who can no longer pass should do next (for instance whom to contact); "
        "shown on the contents page once a quiz has no attempts left below its pass mark.",
    )


class Signatory(Strict):
    name: NonEmptyText
    role: NonEmptyText
    signature: AssetPath | None = Field(
        None,
        description="Image of the signature in assets/ (.png, .jpg, .jpeg or .svg), printed above the name "
        "(its alt text: 'Signature of' and the name). Without it the name is printed alone.",
    )


class CertificateRequirements(Strict):
    modules: Literal["all"] | list[Slug] = Field("all", description="Modules that must be completed.")
    quiz_pass_mark: Percent = Field(80, description="Percent every quiz must reach.")
    reflection_min_chars: int = Field(
        0, ge=0, le=2000, description="Fewest characters for each required reflection answer."
    )


class Certificate(Strict):
    """The Certificate of Completion edition."""

    title: NonEmptyText = Field(description="Title printed on the certificate.")
    issuer: NonEmptyText = Field(description="Organization issuing the certificate.")
    signatory: Signatory
    statement: Markdown | None = Field(None, description="Sentence under the learner's name.")
    credit_hours: float | None = Field(None, gt=0, le=100, description="Professional-development hours, if any.")
    requires: CertificateRequirements = CertificateRequirements()
    show_answers: ShowAnswers = Field(
        "after_passing_or_last_attempt",
        description="When quizzes show explanations and keys in the certificate edition (see a quiz's show_answers); "
        "the stricter default keeps a second attempt a test of understanding.",
    )
    standalone: bool = Field(
        False,
        description="Whether a certificate earned with no LMS (progress kept in the browser only) may be printed "
        "as a certificate. When false it prints marked 'Practice copy - not recorded'.",
    )


class Course(Strict):
    id: CourseIri
    slug: Slug = Field(description="Short name used in package file names, e.g. 'ai-literacy-educators'.")
    title: NonEmptyText = Field(max_length=TITLE_MAX)  # a SCORM 1.2 manifest <title> holds 200
    description: Markdown
    language: LanguageTag = "en"
    version: Version
    authors: list[Author] = Field(min_length=1)
    modules: list[ModuleFile] = Field(min_length=1, description="Module files in the order learners meet them.")
    completion: Completion = Completion()
    certificate: Certificate | None = Field(None, description="Defines the certificate edition; omit for none.")
    reviewed: date | None = Field(
        None, description="Date (YYYY-MM-DD) the content was last checked; shown to learners on the contents page."
    )
    strings: dict[str, NonEmptyText] | None = Field(
        None,
        description="Your own wording for any of the player's texts, by key (see 'Player text' in the authoring guide); "
        "the rest come from the table for `language` (English or Spanish).",
    )

    def editions(self) -> list[str]:
        return ["standard", "certificate"] if self.certificate else ["standard"]

    def pass_mark_for(self, edition: str) -> int | None:
        """The mark an edition reports passed/failed against, or None when it reports completed."""
        if edition == "certificate":
            return self.certificate.requires.quiz_pass_mark if self.certificate else None
        return self.completion.pass_mark


EDITIONS = ("standard", "certificate")
