"""The example course keeps the shape the project promises (issue: course model and example course)."""

from __future__ import annotations

import pytest

from coursepack.load.course_loader import load_course
from coursepack.model.content import ImageBlock, LinkBlock, ReflectionBlock
from coursepack.model.quiz import QuizBlock
from conftest import REPO


@pytest.fixture(scope="module")
def example():
    return load_course(REPO)


def blocks(module):
    return [b for page in module.pages for b in page.blocks]


def test_course_identity_and_both_editions(example) -> None:
    course = example.course
    assert course.title == "AI Literacy for Educators"
    assert course.id.startswith("https://") and course.language == "en-US"
    assert course.editions() == ["standard", "certificate"]
    assert course.certificate.title == "Certificate of Completion"
    assert course.certificate.requires.modules == "all"


def test_every_module_has_pages_a_reflection_and_a_varied_quiz(example) -> None:
    assert len(example.modules) >= 6
    for loaded in example.modules:
        module = loaded.module
        assert len(module.pages) >= 3, module.id
        assert sum(isinstance(b, ReflectionBlock) and b.required for b in blocks(module)) >= 1, module.id
        quizzes = [b for b in blocks(module) if isinstance(b, QuizBlock)]
        assert quizzes, module.id
        for quiz in quizzes:
            assert len(quiz.questions) >= 5, quiz.id
            assert len({q.type for q in quiz.questions}) >= 3, quiz.id
            for question in quiz.questions:
                assert question.explanation, f"{quiz.id}.{question.id} has no explanation"


def test_images_have_real_alt_text_and_facilitators_get_prompts(example) -> None:
    images = [b for m in example.modules for b in blocks(m.module) if isinstance(b, ImageBlock)]
    assert len(images) >= 3
    assert all(len(image.alt) >= 40 for image in images)
    for loaded in example.modules:
        callouts = [b for b in blocks(loaded.module) if b.type == "callout"]
        assert any((c.title or "").lower().startswith("for facilitators") for c in callouts), loaded.module.id
        assert any(isinstance(b, LinkBlock) for b in blocks(loaded.module)), loaded.module.id


def test_course_is_dated_and_the_certificate_claims_no_more_hours_than_the_modules_hold(example) -> None:
    course = example.course
    assert course.reviewed is not None, "course.yaml needs a `reviewed` date (issue 11)"
    total_minutes = sum(loaded.module.minutes for loaded in example.modules)
    assert course.certificate.credit_hours is not None
    assert course.certificate.credit_hours <= total_minutes / 60, (
        f"the certificate claims {course.certificate.credit_hours} hours; the modules hold {total_minutes} minutes"
    )


def test_every_module_ends_with_a_sources_page(example) -> None:
    for loaded in example.modules:
        last = loaded.module.pages[-1]
        assert last.id == "sources", loaded.module.id
        text = " ".join(getattr(b, "text", "") or "" for b in last.blocks)
        assert "https://" in text or any(isinstance(b, LinkBlock) for b in last.blocks), loaded.module.id


def test_reflection_minimums_fit_every_script_in_scorm12_state(example) -> None:
    """A non-Latin character can cost 3 saved characters, so minimums stay small (one-SCO package)."""
    cert_min = example.course.certificate.requires.reflection_min_chars
    reflections = [b for m in example.modules for b in blocks(m.module) if isinstance(b, ReflectionBlock)]
    effective = [max(r.min_chars, cert_min) for r in reflections if r.required]
    assert all(m <= 120 for m in effective), effective
    assert sum(effective) <= 800, sum(effective)
