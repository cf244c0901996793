"""Reading a YAML file (load/yaml_source.py) handles a text scalar put into a mapping or list in the event
loop itself: a course file is thousands of events, and a call or two for each was a third of reading it
(issue 16: `validate`'s first check). Only a scalar that is no text (a number, true, null), or one with a
tag, is handed to _scalar_value; what the file reads as stays the same (tests/test_yaml_safety.py)."""

from __future__ import annotations

import pytest

from coursepack.load import yaml_source
from coursepack.load.yaml_source import parse_yaml


def test_only_a_scalar_that_is_no_text_costs_a_call(monkeypatch: pytest.MonkeyPatch) -> None:
    handed: list[str] = []
    real = yaml_source._scalar_value

    def counted(event: object, name: str) -> object:
        handed.append(event.value)  # type: ignore[attr-defined]
        return real(event, name)  # type: ignore[arg-type]

    monkeypatch.setattr(yaml_source, "_scalar_value", counted)
    # keys and values that start like true/false/null/numbers ('title', 'order', 'no-...') are text all the same
    text = b"title: Intro\ntype: text\norder: first\nfeedback: 'quoted'\nminutes: 10\ndone: true\nitems: [one, two, no-way]\nn: ~\n"
    assert parse_yaml(text, "f.yaml").data == {
        "title": "Intro", "type": "text", "order": "first", "feedback": "quoted", "minutes": 10, "done": True,
        "items": ["one", "two", "no-way"], "n": None,
    }
    assert handed == ["10", "true", "~"]
