"""docs/authoring.md stays true to the models: generated field tables, valid examples."""

from __future__ import annotations

import copy
import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest

from coursepack.load.course_loader import load_course
from coursepack.load.errors import CourseError
from coursepack.load.yaml_source import load_yaml
from coursepack.model.content import Module
from coursepack.model.course import Course
from coursepack.model.quiz import QUESTION_TYPES

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "authoring.md"
BLOCK_TYPES = ("text", "image", "callout", "video", "audio", "link", "reflection", "quiz")
ASSET_FIELDS = ("src", "captions", "transcript", "poster")


def _gen_fields():
    spec = importlib.util.spec_from_file_location("gen_fields", REPO / "docs" / "gen_fields.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_field_tables_match_the_models() -> None:
    gen = _gen_fields()
    text = DOC.read_text(encoding="utf-8")
    assert text.count(gen.START) == 1 and text.count(gen.END) == 1, "authoring.md needs exactly one pair of field markers"
    assert gen.current_tables(text) == gen.generate(), (
        "the field tables in docs/authoring.md differ from the models; run `python docs/gen_fields.py --write`"
    )


def test_every_model_field_is_described() -> None:
    gen = _gen_fields()
    missing = [
        f"{model.__name__}.{name}"
        for _, models in gen.SECTIONS
        for _, model in models
        for name, field in model.model_fields.items()
        if not gen._description(model, name, field)
    ]
    assert not missing, f"fields without a description (add description= to the model): {missing}"


# --- YAML examples -------------------------------------------------------------------------

def _yaml_examples() -> list[tuple[int, str]]:
    """(line, text) of every ```yaml fenced block in authoring.md."""
    lines = DOC.read_text(encoding="utf-8").split("\n")
    found, inside, start, body = [], False, 0, []
    for number, line in enumerate(lines, 1):
        if not inside and re.fullmatch(r"\s*```yaml\s*", line):
            inside, start, body = True, number, []
        elif inside and re.fullmatch(r"\s*```\s*", line):
            found.append((start, "\n".join(body) + "\n"))
            inside = False
        elif inside:
            body.append(line)
    assert not inside, f"unclosed ```yaml block at line {start}"
    return found


EXAMPLES = _yaml_examples()

MINIMAL_COURSE: dict[str, Any] = {
    "id": "https://example.org/courses/docs-example",
    "slug": "docs-example",
    "title": "Docs example",
    "description": "Holds one example from docs/authoring.md.",
    "version": "1.0.0",
    "authors": [{"name": "Docs"}],
    "modules": ["modules/example.yaml"],
}


def _module_with(blocks: list[Any]) -> dict[str, Any]:
    return {
        "id": "example",
        "title": "Example",
        "objectives": ["Show one example."],
        "minutes": 5,
        "pages": [{"id": "example-page", "title": "Example page", "blocks": blocks}],
    }


def _asset_paths(data: Any) -> set[str]:
    """Every asset a module refers to, so the test can create stand-ins for them."""
    found: set[str] = set()
    if isinstance(data, dict):
        if data.get("type") in BLOCK_TYPES:
            found.update(data[f] for f in ASSET_FIELDS if isinstance(data.get(f), str))
        for value in data.values():
            found |= _asset_paths(value)
    elif isinstance(data, list):
        for value in data:
            found |= _asset_paths(value)
    return found


def _load_module_course(module: dict[str, Any], tmp_path: Path) -> None:
    """Build a one-module course around module and load it with every cross-file check."""
    import yaml

    root = tmp_path / "course"
    (root / "modules").mkdir(parents=True)
    (root / "assets").mkdir()
    (root / "course.yaml").write_text(yaml.safe_dump(MINIMAL_COURSE, sort_keys=False), encoding="utf-8")
    (root / "modules" / "example.yaml").write_text(yaml.safe_dump(module, sort_keys=False, allow_unicode=True), encoding="utf-8")
    for rel in _asset_paths(module):
        path = root / "assets" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        # stand-ins: an SVG must be well-formed, other files are only checked to exist
        path.write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg"/>' if rel.endswith(".svg") else b"")
    load_course(root)


@pytest.mark.parametrize("line,text", EXAMPLES, ids=[f"line-{line}" for line, _ in EXAMPLES])
def test_yaml_example_is_valid(line: int, text: str, tmp_path: Path) -> None:
    source = tmp_path / "example.yaml"
    source.write_text(text, encoding="utf-8")
    try:
        data = load_yaml(source, f"docs/authoring.md (example at line {line})").data
        if isinstance(data, dict) and "pages" in data:  # a whole module file
            _load_module_course(data, tmp_path)
        elif isinstance(data, dict) and "slug" in data:  # a whole course.yaml
            Course.model_validate(data)
        elif isinstance(data, dict) and data.get("type") in BLOCK_TYPES:  # one block
            _load_module_course(_module_with([data]), tmp_path)
        elif isinstance(data, list) and data and all(isinstance(b, dict) and b.get("type") in BLOCK_TYPES for b in data):
            _load_module_course(_module_with(data), tmp_path)
        elif isinstance(data, dict) and data.get("type") in QUESTION_TYPES:  # one question
            quiz = {"type": "quiz", "id": "example-quiz", "questions": [data]}
            _load_module_course(_module_with([quiz]), tmp_path)
        elif isinstance(data, dict) and data and set(data) <= set(Course.model_fields):  # part of course.yaml
            Course.model_validate({**copy.deepcopy(MINIMAL_COURSE), **data})
        elif isinstance(data, dict) and data and set(data) <= set(Module.model_fields):  # part of a module
            Module.model_validate({**_module_with([{"type": "text", "text": "x"}]), **data})
        else:
            pytest.fail(f"docs/authoring.md line {line}: a ```yaml example that is not a course, module, "
                        "block, question or part of course.yaml (use ```text for anything else)")
    except CourseError as error:
        pytest.fail(f"docs/authoring.md line {line}: example is invalid:\n{error}")


def test_course_example_is_the_example_course(tmp_path: Path) -> None:
    """The doc shows the real course.yaml of AI Literacy for Educators, not a drifted copy."""
    shown = [text for _, text in EXAMPLES if "slug: ai-literacy-educators" in text]
    assert shown, "docs/authoring.md should show the example course's course.yaml"
    source = tmp_path / "shown.yaml"
    source.write_text(shown[0], encoding="utf-8")
    assert load_yaml(source, "shown").data == load_yaml(REPO / "course.yaml", "course.yaml").data, (
        "the course.yaml shown in docs/authoring.md differs from the repository's course.yaml"
    )


def test_doc_has_an_example_of_every_block_and_question_type() -> None:
    seen: set[str] = set()
    for _, text in EXAMPLES:
        seen.update(re.findall(r"^\s*(?:-\s+)?type:\s*([a-z_]+)\s*$", text, flags=re.M))
    missing = [t for t in (*BLOCK_TYPES, *QUESTION_TYPES) if t not in seen]
    assert not missing, f"docs/authoring.md has no ```yaml example of: {missing}"


# --- error-message examples ----------------------------------------------------------------------

SCAFFOLD = REPO / "builder" / "scaffold"
MODULE = "modules/01-welcome.yaml"


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"the scaffold changed: {old!r} is no longer in {rel}; update BROKEN in {__file__}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# How each broken copy of the scaffold shown in docs/authoring.md is made.
BROKEN: dict[str, list[tuple[str, str, str]]] = {
    "broken1": [
        (MODULE, "        prompt: What do you hope", "        promt: What do you hope"),
        (MODULE, "        alt: Three boxes labelled Read, Reflect and Check, joined by arrows from left to right.\n", ""),
        (MODULE, "            answer: reflection\n", "            answer: Reflection\n"),
        (MODULE, "  - id: check\n", "  - id: Check\n"),
    ],
    "broken2": [
        (MODULE, "            answer: reflection\n", "            answer: reflections\n"),
        (MODULE, "        src: welcome.svg", "        src: Welcome.svg"),
        (MODULE, "        id: welcome-check", "        id: welcome-goal"),
        (MODULE, "        text: Use the Next button or the module menu to move around.\n",
         "        text: Use the Next button or the module menu to move around.\n"
         "      - type: video\n        src: intro.mp4\n        title: A two-minute tour\n"),
        ("course.yaml", "    modules: all\n", "    modules: [welcom]\n"),
        ("course.yaml", "version: 0.1.0", "version: 0.1"),
    ],
    "broken3": [(MODULE, "            explanation: YAML allows only spaces for indentation.\n",
                 "            explanation: YAML allows only spaces for indentation.\n      - type: text\n\ttext: hi\n")],
    "broken4": [
        (MODULE, "attempts: unlimited", "attempts: 0"),
        (MODULE, "style: tip", "style: hint"),
        ("course.yaml", "  pass_mark: 80 ", "  pass_mark: 120 "),
    ],
    "big": [
        (MODULE, "        min_chars: 20\n",
         "        min_chars: 20\n        max_chars: 700\n      - type: reflection\n        id: welcome-worry\n"
         "        prompt: What worries you about AI in school?\n        max_chars: 400\n"),
    ],
}


def _make_broken(tmp_path: Path, name: str) -> None:
    import shutil

    root = tmp_path / name
    shutil.copytree(SCAFFOLD, root)
    for rel, old, new in BROKEN[name]:
        _edit(root, rel, old, new)
    if name == "broken2":
        (root / "assets" / "intro.mp4").write_bytes(b"")


def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]) -> tuple[int, list[str]]:
    from click.testing import CliRunner

    from coursepack.cli import main

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, args)
    return result.exit_code, result.stderr.splitlines()


def _shown_runs() -> list[tuple[int, list[str], list[str]]]:
    """(line, command arguments, output lines) of every '$ coursepack ...' run shown in a text block."""
    runs, lines = [], DOC.read_text(encoding="utf-8").split("\n")
    for number, line in enumerate(lines, 1):
        match = re.fullmatch(r"\s*\$ coursepack (validate|build) (\S+)\s*", line)
        if not match:
            continue
        output = []
        for following in lines[number:]:
            if following.strip().startswith(("```", "$ ")):
                break
            output.append(following.strip())
        runs.append((number, [match.group(1), match.group(2)], output))
    return runs


RUNS = _shown_runs()


def test_doc_shows_error_examples() -> None:
    assert len(RUNS) >= 3, "docs/authoring.md should show at least three real error outputs"


@pytest.mark.parametrize("line,args,shown", RUNS, ids=[f"line-{line}-{args[1]}" for line, args, _ in RUNS])
def test_error_example_is_real_output(line: int, args: list[str], shown: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _make_broken(tmp_path, args[1])
    code, output = _run(tmp_path, monkeypatch, args)
    assert code == 2
    assert shown == output, f"docs/authoring.md line {line}: the shown output is stale; the real one is:\n" + "\n".join(output)


def test_follow_up_error_is_real(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The line the doc quotes for broken2 once its version is fixed."""
    _make_broken(tmp_path, "broken2")
    _edit(tmp_path / "broken2", "course.yaml", "version: 0.1", 'version: "0.1"')
    _, output = _run(tmp_path, monkeypatch, ["validate", "broken2"])
    quoted = [o for o in output if "no module has id" in o]
    assert quoted and all(f"`{o}`" in DOC.read_text(encoding="utf-8").replace("\n  ", " ") for o in quoted), output
