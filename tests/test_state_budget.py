"""Build-time budget of the runtime's saved state (SCORM 1.2: suspend_data and comments, 4,096 each)."""

from __future__ import annotations

from pathlib import Path

import pytest

from coursepack.load.course_loader import load_course
from coursepack.render.state_budget import answer_chars, check_state_budget, comments_chars, progress_chars, reflection_caps, suspend_chars
from coursepack.render.unit_contents import unit_contents
from coursepack.targets.limits import SCORM12_LIMITS as SCORM12
from conftest import REPO, SCAFFOLD


def budget(loaded, edition, limits=SCORM12, module_ids=None):
    return check_state_budget(unit_contents(loaded, edition, module_ids), limits)


HEAD = """\
id: https://example.org/courses/big
slug: big
title: Big
description: A generated course.
version: 1.0.0
authors:
  - name: Tester
modules:
  - modules/m.yaml
  - modules/n.yaml
"""


def make_course(root: Path, pages: list[str]) -> Path:
    (root / "modules").mkdir(parents=True)
    (root / "course.yaml").write_text(HEAD, encoding="utf-8")
    body = "id: m\ntitle: M\nobjectives: [Learn.]\nminutes: 5\npages:\n" + "".join(pages)
    (root / "modules" / "m.yaml").write_text(body, encoding="utf-8")
    tiny = "id: n\ntitle: N\nobjectives: [Rest.]\nminutes: 1\npages:\n  - id: end\n    title: End\n    blocks:\n      - type: text\n        text: Done.\n"
    (root / "modules" / "n.yaml").write_text(tiny, encoding="utf-8")
    return root


def quiz_page(n: int, fill_ins: int) -> str:
    questions = "".join(
        f"          - id: f{k}\n            type: fill_in\n            prompt: Say it.\n            accepted: [it]\n" for k in range(fill_ins)
    )
    return f"  - id: p{n}\n    title: P{n}\n    blocks:\n      - type: quiz\n        id: q{n}\n        questions:\n{questions}"


def reflection_page(n: int, max_chars: int | None = None, min_chars: int = 0) -> str:
    cap = f"        max_chars: {max_chars}\n" if max_chars else ""
    return (
        f"  - id: r{n}\n    title: R{n}\n    blocks:\n      - type: reflection\n        id: r{n}\n"
        f"        prompt: Think.\n        min_chars: {min_chars}\n{cap}"
    )


def test_too_many_fill_ins_refused_with_numbers(tmp_path) -> None:
    loaded = load_course(make_course(tmp_path / "big", [quiz_page(n, 9) for n in range(10)]))
    plan = unit_contents(loaded, "standard")
    # 5 header + "|" + 2 page chars + "|" + 4 day chars, then per quiz "|" 2 "," 3 "," + 9 x 50
    assert suspend_chars(plan, SCORM12) == 5 + 1 + 2 + 1 + 4 + 10 * (1 + 2 + 1 + 3 + 1 + 9 * 50) == 4593  # 11 pages: 2 chars
    problems = budget(loaded, "standard")
    assert len(problems) == 1
    text = str(problems[0])
    assert text.endswith(
        "course.yaml:1:1: saved state of the course can reach 4,593 characters; SCORM 1.2 allows 4,096 "
        "(cmi.suspend_data): split the course with --sco-per-module or shorten its quizzes (each fill_in "
        "question takes up to 50, each matching/sequencing item 1; largest quizzes: 'q0' (458), 'q1' (458), 'q2' (458))"
    ), text
    # one module per SCO does not help here: the module itself is too big, and says so
    per_module = budget(loaded, "standard", SCORM12, ["m"])
    assert len(per_module) == 1 and "saved state of module 'm' can reach 4,593" in str(per_module[0])
    assert "--sco-per-module" not in str(per_module[0]) and str(per_module[0]).split(":")[0].endswith("m.yaml")


def test_just_fits(tmp_path) -> None:
    loaded = load_course(make_course(tmp_path / "fits", [quiz_page(n, 8) for n in range(10)]))
    assert suspend_chars(unit_contents(loaded, "standard"), SCORM12) == 4093
    assert budget(loaded, "standard") == []


def test_reflection_caps_share_what_is_left(tmp_path) -> None:
    loaded = load_course(make_course(tmp_path / "refl", [reflection_page(0, 250), reflection_page(1), reflection_page(2)]))
    plan = unit_contents(loaded, "standard")
    caps = reflection_caps(plan, SCORM12)
    overhead = 5 + 3 * (1 + 2 + 1 + 4 + 1 + 1)
    # max_chars 250 in any script: up to 4 storage units a character (emoji), plus a wide-run mark
    assert caps["r0"] == 1001 and caps["r1"] == caps["r2"] == (4096 - overhead - 1001) // 2
    assert comments_chars(plan, SCORM12) <= 4096
    # the saved state holds them too, after its progress part and one '|' each
    assert suspend_chars(plan, SCORM12) == progress_chars(plan) + 3 + sum(caps.values()) <= 4096
    assert budget(loaded, "standard") == []


def test_author_caps_too_big_name_the_caps_to_lower(tmp_path) -> None:
    loaded = load_course(make_course(tmp_path / "caps", [reflection_page(n, 375) for n in range(3)]))
    problems = budget(loaded, "standard")
    assert len(problems) == 1
    text = str(problems[0])
    progress = 5 + 2 + 1 + 4  # header, 4 pages seen, completion day; no quizzes
    total = progress + 3 * (1 + 4 * 375 + 1)  # each reflection after a '|', 375 characters of any script
    assert f"reflections of the course can reach {total:,} characters; SCORM 1.2 keeps them in cmi.suspend_data, with the saved state (12 characters of it for pages and quizzes), which holds 4,096: lower max_chars of 'r0' (375), 'r1' (375), 'r2' (375) or split the course with --sco-per-module" in text
    assert "m.yaml:" in text and text.split(":")[1] != "1"  # located at the max_chars line


def test_uncapped_share_too_small(tmp_path) -> None:
    pages = [reflection_page(0, 1006), reflection_page(1)]
    loaded = load_course(make_course(tmp_path / "small", pages))
    problems = budget(loaded, "standard")
    assert len(problems) == 1
    text = str(problems[0])
    in_state = 4096 - (5 + 2 + 1 + 4) - 2 - 4025  # saved state: progress, two '|', r0's cap (1,006 x 4 + 1)
    in_comments = 4096 - 5 - 2 * 10 - 4025  # comments: write mark, two record frames, r0's cap
    share = min(in_state, in_comments)
    assert (in_state, in_comments) == (57, 46)
    assert f"reflection 'r1' gets only {share} characters of storage: SCORM 1.2 keeps all 2 reflections of the course both in cmi.suspend_data, with the saved state (4,096 characters, 12 of them for pages and quizzes), and in cmi.comments (4,096); it needs at least 50: lower max_chars of 'r0' (1,006)" in text, text


def test_min_chars_unreachable_in_some_script_is_refused(tmp_path) -> None:
    # r1 needs 250 characters; in Chinese or with emoji they take up to 4 x 250 + 1 = 1,001 units
    pages = [reflection_page(0, 800), reflection_page(1, min_chars=250)]
    loaded = load_course(make_course(tmp_path / "small", pages))
    problems = budget(loaded, "standard")
    assert len(problems) == 1
    text = str(problems[0])
    assert ("reflection 'r1' gets only 870 characters of storage: SCORM 1.2 keeps all 2 reflections of the course both "
            "in cmi.suspend_data, with the saved state (4,096 characters, 12 of them for pages and quizzes), and in "
            "cmi.comments (4,096); 250 characters in any script need up to 1,001 (4 per character for emoji, 3 for "
            "most scripts, 1 for English), so a learner writing in Chinese or with emoji could never reach the "
            "minimum; lower min_chars to 217, lower max_chars of 'r0' (800)") in text, text
    assert "m.yaml:" in text


def test_answer_sizes() -> None:
    from coursepack.model.quiz import FillIn, Matching, MultipleResponse, Sequencing, SingleChoice, TrueFalse

    choices = [{"id": f"c{i}", "text": "x"} for i in range(13)]
    assert answer_chars(SingleChoice(type="single_choice", id="a", prompt="p", choices=choices, answer="c0")) == 1
    assert answer_chars(TrueFalse(type="true_false", id="a", prompt="p", answer=True)) == 1
    assert answer_chars(MultipleResponse(type="multiple_response", id="a", prompt="p", choices=choices, answers=["c0"])) == 3
    pairs = [{"id": f"p{i}", "prompt": f"P{i}", "match": f"M{i}"} for i in range(5)]
    assert answer_chars(Matching(type="matching", id="a", prompt="p", pairs=pairs)) == 5
    items = [{"id": f"i{i}", "text": f"I{i}"} for i in range(4)]
    assert answer_chars(Sequencing(type="sequencing", id="a", prompt="p", items=items)) == 4
    assert answer_chars(FillIn(type="fill_in", id="a", prompt="p", accepted=["x"])) == 50


@pytest.mark.parametrize("edition", ["standard", "certificate"])
def test_scaffold_and_example_fit(edition) -> None:
    roots = [SCAFFOLD] + ([REPO] if (REPO / "course.yaml").exists() else [])
    for root in roots:
        loaded = load_course(root)
        assert budget(loaded, edition) == []
        assert budget(loaded, edition, SCORM12, [loaded.modules[0].module.id]) == []
