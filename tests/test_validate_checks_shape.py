"""Where the cross-file checks (load/checks.py) and the SVG check (load/svg_check.py) skip work that cannot find
anything (issue 16: `validate`'s first check): a Markdown text without ']' or '<' can hold neither an image nor
a link, so no regular expression reads it; an ordinary SVG attribute (fill, x, d ...) is one set lookup, with
the url() search only when its value has a '('. What they report is held by tests/test_hostile_*.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SCAFFOLD
from coursepack.load import checks, svg_check
from coursepack.load.course_loader import load_course


def test_only_texts_that_may_hold_an_image_or_a_link_are_searched(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = load_course(Path(SCAFFOLD))
    searched: list[str] = []
    real = checks.disallowed_link_targets

    def counted(text: str) -> list[str]:
        searched.append(text)
        return real(text)

    monkeypatch.setattr(checks, "disallowed_link_targets", counted)
    texts = [text for mod in loaded.modules for path, block in checks._blocks(mod) for _, text in checks._markdown_texts(path, block)]
    assert any("]" not in t and "<" not in t for t in texts)  # the scaffold has such texts
    assert checks.check_course(loaded, lambda path, name: None) == []
    assert searched == [t for t in texts if "]" in t or "<" in t]


def test_an_ordinary_svg_attribute_is_not_checked_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[str] = []
    real = svg_check._attribute_problem

    def counted(node: object, label: str, element: str, attr: str, value: str) -> str | None:
        checked.append(attr)
        return real(node, label, element, attr, value)  # type: ignore[arg-type]

    monkeypatch.setattr(svg_check, "_attribute_problem", counted)
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">\n'
        b'<defs><linearGradient id="g"><stop offset="0" stop-color="red"/></linearGradient></defs>\n'
        b'<rect x="1" y="1" width="8" height="8" fill="url(#g)" style="stroke: blue"/><use xlink:href="#g"/></svg>'
    )
    assert svg_check.svg_bytes_problem(svg, "a.svg") is None
    assert sorted(checked) == ["style", "{http://www.w3.org/1999/xlink}href"]  # fill's url(#g) is searched, not checked
    assert svg_check.svg_bytes_problem(svg.replace(b"url(#g)", b"url(https://x.example/a.png)"), "a.svg") == (
        "SVG 'a.svg' line 3: 'fill' of <rect> refers to 'url(https://x.example/a.png)' (expected only '#id' references inside the file: packages must work offline)"
    )
