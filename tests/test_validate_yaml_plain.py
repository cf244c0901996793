"""Plain scalars (unquoted keys and values) read as PyYAML reads them, with YAML's resolver asked at most
once per distinct text, and never for text its rules cannot turn into anything but text (load/yaml_source.py;
issue 16: most of a course file's scalars are such keys and words)."""

from __future__ import annotations

from typing import Any

import yaml

from coursepack.load import yaml_source

PLAIN = [
    "text", "type", "title", "id", "on", "off", "yes", "No", "TRUE", "false", "null", "Null", "~", "", "0", "-1", "+7",
    "1_000", "0x1F", "0o17", "017", "0b101", "1.5", "-.5", "1e3", "6.02e+23", ".inf", "-.Inf", ".nan", "1:30", "190:20:30",
    "tiny", "nope", "none", "ok", "1.0.0", "v1", "_x", "#x", "@x", "+", ".", "a b", "Yes please",
]


def plain_document(values: list[str]) -> str:
    return "".join(f"k{i}: {value}\n" for i, value in enumerate(values))


def test_plain_scalars_read_as_pyyaml_reads_them() -> None:
    text = plain_document([v for v in PLAIN if v and not v.startswith(("@", "#"))])  # '@' cannot start a plain scalar; '#' starts a comment
    assert yaml_source.parse_yaml(text.encode(), "f.yaml").data == yaml.safe_load(text)


def test_the_resolver_is_asked_once_per_distinct_plain_scalar_that_may_not_be_text(monkeypatch: Any) -> None:
    asked: list[str] = []
    resolve = yaml_source._resolver.resolve

    def counted(kind: Any, value: str, implicit: Any) -> str:
        asked.append(value)
        return resolve(kind, value, implicit)

    monkeypatch.setattr(yaml_source._resolver, "resolve", counted)
    yaml_source._plain_tag.cache_clear()
    blocks = "".join(f"  - type: text\n    text: Plain words, {i}\n    id: b{i}\n" for i in range(50))
    data = yaml_source.parse_yaml(f"title: Blocks\nblocks:\n{blocks}".encode(), "f.yaml").data
    assert len(data["blocks"]) == 50 and data["blocks"][7] == {"type": "text", "text": "Plain words, 7", "id": "b7"}
    assert len(asked) == len(set(asked)) and set(asked) <= {"title", "type", "text"}  # 'blocks', 'id', 'b7', 'Plain words...': text by their first letter
