"""certificates.yaml: what issuing needs beyond course.yaml (optional; every field has a default).

Why a file of its own and not a section of course.yaml: these are facts about who issues the
certificates, not about the course. A state PD system asks for the provider as it registered there
(name and number), the topic it files the activity under, the hours it credits, the time zone of the
dates; two districts running the same course issue under their own. Kept beside course.yaml but out
of the course model, they never change a package when an admin edits them. Loaded with the course
loader's helpers, so mistakes print as file:line:col like any course file's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from coursepack.load.errors import CourseError, Problem, display_path
from coursepack.load.paths import outside_folder, relative_path_problem
from coursepack.load.to_model import to_model
from coursepack.load.yaml_source import load_yaml
from coursepack.model.base import NonEmptyText, Strict

SETTINGS_FILE = "certificates.yaml"


class CertificateSettings(Strict):
    """certificates.yaml, beside course.yaml."""

    paper: Literal["a4", "letter"] = Field("a4", description="Paper size: 'a4' or 'letter' (US Letter), landscape.")
    provider: NonEmptyText | None = Field(
        None, description="The PD provider as the state system knows it (default: the certificate's issuer in course.yaml)."
    )
    provider_id: NonEmptyText | None = Field(None, description="The provider's number in the state PD system, if it has one.")
    topic: NonEmptyText | None = Field(None, description="The topic or strand the activity is filed under, e.g. 'Digital literacy'.")
    hours: float | None = Field(
        None, gt=0, le=100, description="Hours credited (default: the certificate's credit_hours in course.yaml)."
    )
    mastery: NonEmptyText | None = Field(
        None, description="The mastery criterion met, as printed (default: written from the certificate's requires rules)."
    )
    quiz_scores: bool = Field(False, description="Whether to print the learner's best score of every quiz.")
    timezone: NonEmptyText = Field(
        "UTC", description="IANA time zone the dates are printed in, e.g. 'America/New_York' (a late-evening finish keeps its day)."
    )
    verify_url: NonEmptyText | None = Field(
        None,
        description="Address of your verification page: the QR code opens it with '?code=...' added. Without it the QR "
        "holds the command that verifies the certificate. The --verify-url option wins over this.",
    )
    fonts: NonEmptyText | None = Field(
        None,
        description="A folder inside the course folder holding .ttf/.otf fonts, for names in scripts the built-in fonts "
        "(Libertinus Serif: Latin, Greek, Cyrillic) cannot show.",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{value}' (expected an IANA name like 'America/New_York' or 'UTC')") from None
        return value

    @field_validator("verify_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None and (not value.startswith(("https://", "http://")) or any(c.isspace() for c in value)):
            raise ValueError("expected a web address starting with https:// and without spaces")
        return value

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def load_settings(course_dir: Path) -> CertificateSettings:
    """certificates.yaml of the course, or the defaults when there is none. CourseError on mistakes."""
    path = course_dir / SETTINGS_FILE
    if not path.exists() and not path.is_symlink():
        return CertificateSettings()
    name = display_path(path)
    if outside_folder(course_dir, SETTINGS_FILE) is not None:
        raise CourseError([Problem(name, 1, 1, "links outside the course folder (expected a file inside it)")])
    loaded = load_yaml(path, name)
    settings = to_model(CertificateSettings, loaded)
    if settings.fonts is not None:
        folder = settings.fonts.rstrip("/")
        why = relative_path_problem(folder)
        if why is None and outside_folder(course_dir, folder) is not None:
            why = "leads outside the course folder"
        if why is None and not (course_dir / folder).is_dir():
            why = "is not a folder"
        if why is not None:
            raise CourseError([loaded.source.problem(("fonts",), f"'fonts' {why} (expected a folder inside the course folder, e.g. 'fonts')")])
    return settings


def font_dir(course_dir: Path, settings: CertificateSettings) -> Path | None:
    return None if settings.fonts is None else course_dir / settings.fonts.rstrip("/")

