"""Unsafe YAML never executes anything; positions reported by builder/load/yaml_source.py are right."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest
import yaml

import coursepack
from coursepack.load.errors import CourseError, Problem
from coursepack.load.yaml_source import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, load_yaml


def load(tmp_path: Path, text: str | bytes, name: str = "f.yaml"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return load_yaml(path, name)


def problems(tmp_path: Path, text: str | bytes) -> list[str]:
    with pytest.raises(CourseError) as info:
        load(tmp_path, text)
    return [str(p) for p in info.value.problems]


# ---------------------------------------------------------------- nothing runs

# Each payload would create MARK (a directory, so no shell is needed) if a loader
# constructed Python objects. {mark} is replaced by the marker's absolute path.
PAYLOADS = {
    "apply-os-mkdir": ("title: !!python/object/apply:os.mkdir ['{mark}']\n", "1:8", "!!python/object/apply:os.mkdir"),
    "apply-mapping-form": ("title: !!python/object/apply:os.mkdir\n  args: ['{mark}']\n", "1:8", "!!python/object/apply:os.mkdir"),
    "new-os-mkdir": ("title: !!python/object/new:os.mkdir ['{mark}']\n", "1:8", "!!python/object/new:os.mkdir"),
    "apply-os-system": ("title: !!python/object/apply:os.system ['mkdir {mark}']\n", "1:8", "!!python/object/apply:os.system"),
    "subprocess": ("x: !!python/object/apply:subprocess.check_call [[mkdir, '{mark}']]\n", "1:4", "!!python/object/apply:subprocess.check_call"),
    "python-name": ("x: !!python/name:os.mkdir\n", "1:4", "!!python/name:os.mkdir"),
    "python-module": ("x: !!python/module:os\n", "1:4", "!!python/module:os"),
    "python-object": ("x: !!python/object:builtins.object {{}}\n", "1:4", "!!python/object:builtins.object"),
    "in-a-key": ("? !!python/object/apply:os.mkdir ['{mark}']\n: value\n", "1:3", "!!python/object/apply:os.mkdir"),
    "in-a-list": ("x:\n  - ok\n  - !!python/object/apply:os.mkdir ['{mark}']\n", "3:5", "!!python/object/apply:os.mkdir"),
    "behind-an-anchor": ("a: &p !!python/object/apply:os.mkdir ['{mark}']\nb: *p\n", "1:4", "!!python/object/apply:os.mkdir"),
    "verbatim-tag": ("x: !<tag:yaml.org,2002:python/object/apply:os.mkdir> ['{mark}']\n", "1:4", "!!python/object/apply:os.mkdir"),
    "tag-directive": ("%TAG !py! tag:yaml.org,2002:python/object/apply:\n---\nx: !py!os.mkdir ['{mark}']\n", "3:4", "!!python/object/apply:os.mkdir"),
    "binary": ("x: !!binary aGVsbG8=\n", "1:4", "!!binary"),
    "set": ("x: !!set {{a, b}}\n", "1:4", "!!set"),
}


@pytest.mark.parametrize("case", PAYLOADS)
def test_python_tags_are_refused_and_never_run(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    template, where, shown = PAYLOADS[case]
    mark = tmp_path / "MARK"
    calls: list[object] = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a) or 0)
    lines = problems(tmp_path, template.format(mark=mark.as_posix()))
    assert lines == [f"f.yaml:{where}: YAML tag '{shown}' is not allowed (expected plain text, numbers, lists and mappings)"]
    assert not mark.exists()
    assert calls == []


def test_payload_is_live_under_an_unsafe_loader(tmp_path: Path) -> None:
    """Control: the same text does run under yaml.unsafe_load, so the test above means something."""
    mark = tmp_path / "MARK"
    yaml.unsafe_load(PAYLOADS["apply-os-mkdir"][0].format(mark=mark.as_posix()))
    assert mark.is_dir()


def test_cli_never_runs_a_tag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from click.testing import CliRunner

    from coursepack.cli import main

    course = tmp_path / "course"
    shutil.copytree(Path(coursepack.__file__).parent / "scaffold", course)
    mark = tmp_path / "MARK"
    (course / "course.yaml").write_text(f"id: !!python/object/apply:os.mkdir ['{mark.as_posix()}']\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", "course"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "course/course.yaml:1:5: YAML tag '!!python/object/apply:os.mkdir' is not allowed (expected plain text, numbers, lists and mappings)",
        "1 problem found.",
    ]
    assert not mark.exists()


UNSAFE_NAMES = {"load", "load_all", "unsafe_load", "unsafe_load_all", "full_load", "full_load_all",
                "Loader", "UnsafeLoader", "FullLoader", "CLoader", "CUnsafeLoader", "CFullLoader", "add_constructor",
                "add_multi_constructor", "construct_python_object", "Unpickler"}


def test_builder_uses_no_unsafe_loader() -> None:
    """Static guard: no module of builder/ names PyYAML's object-building loaders, or pickle."""
    offenders = []
    for path in Path(coursepack.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            name = node.attr if isinstance(node, ast.Attribute) else node.name if isinstance(node, ast.alias) else None
            if name in UNSAFE_NAMES or (isinstance(node, ast.alias) and node.name in ("pickle", "marshal", "shelve")):
                offenders.append(f"{path}:{node.lineno}: {name}")
    assert offenders == []


# ---------------------------------------------------------------- positions


def test_positions_of_keys_and_values(tmp_path: Path) -> None:
    loaded = load(tmp_path, (
        "# comment\n"
        "id: welcome\n"
        "pages:\n"
        "  - id: start\n"
        "    blocks:\n"
        "      - type: text\n"
        "        text: |\n"
        "          Hello.\n"
        "      - {type: link, url: 'https://x.org'}\n"
        "tags: [a, \"b\", c]\n"
    ))
    assert loaded.data["pages"][0]["blocks"][1] == {"type": "link", "url": "https://x.org"}
    values, keys = loaded.source.values, loaded.source.keys
    assert values[()] == (2, 1)
    assert keys[("id",)] == (2, 1) and values[("id",)] == (2, 5)
    assert values[("pages",)] == (4, 3)
    assert values[("pages", 0)] == (4, 5)
    assert keys[("pages", 0, "blocks")] == (5, 5)
    assert values[("pages", 0, "blocks", 0, "text")] == (7, 15)  # the '|'
    assert values[("pages", 0, "blocks", 1)] == (9, 9)  # the '{'
    assert keys[("pages", 0, "blocks", 1, "url")] == (9, 22)
    assert values[("pages", 0, "blocks", 1, "url")] == (9, 27)  # the quote
    assert [values[("tags", i)] for i in range(3)] == [(10, 8), (10, 11), (10, 16)]


def test_where_falls_back_to_the_nearest_parent(tmp_path: Path) -> None:
    source = load(tmp_path, "a:\n  b:\n    - x\n").source
    assert source.where(("a", "b", 0)) == (3, 7)
    assert source.where(("a", "b", 5, "missing")) == (3, 5)  # the list
    assert source.where(("a", "nope")) == (2, 3)
    assert source.where(("a", "b"), key=True) == (2, 3)
    assert source.where(("zzz",), key=True) == (1, 1)
    assert source.problem(("a",), "msg") == Problem("f.yaml", 2, 3, "msg")


def test_alias_values_take_the_position_of_their_use(tmp_path: Path) -> None:
    loaded = load(tmp_path, "a: &x [1, 2]\nb: *x\n")
    assert loaded.data == {"a": [1, 2], "b": [1, 2]}
    assert loaded.source.values[("b",)] == (2, 4)
    loaded.data["b"].append(3)
    assert loaded.data["a"] == [1, 2], "aliases are copies"


def test_columns_count_characters_not_bytes(tmp_path: Path) -> None:
    loaded = load(tmp_path, "a: [é, 日本, 😀, x]\n")
    assert loaded.source.values[("a", 3)] == (1, 15)
    assert problems(tmp_path, "a: é\nb: 日本語 c\x01\n") == ["f.yaml:2:9: control character U+0001 (expected printable text)"]


def test_every_character_outside_yamls_printable_set_is_refused(tmp_path: Path) -> None:
    """The refused characters, listed for speed, are exactly what YAML 1.1 (section 5.1) does not print,
    plus the line breaks editors show inside a line (NEL, LS, PS), code point by code point: below U+0100
    by a regex, the four above it by str.find; the surrogates by the UTF-8 decoder, before either."""
    from coursepack.load.yaml_source import _REFUSED, _REFUSED_WIDE, _first_refused

    def printable(code: int) -> bool:
        return code in (0x09, 0x0A, 0x0D) or 0x20 <= code <= 0x7E or code == 0x85 or 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000

    # every code point in one string, searched once (a million single-character matches took seconds)
    every = "".join(map(chr, range(0x110000)))
    found = {m.start() for m in _REFUSED.finditer(every)} | {every.index(char) for char in _REFUSED_WIDE}
    assert all(len(m.group()) == 1 for m in _REFUSED.finditer(every[:0x10000]))
    expected = {code for code in range(0x110000) if not printable(code) or code in (0x85, 0x2028, 0x2029)}
    surrogates = set(range(0xD800, 0xE000))
    assert found == expected - surrogates, sorted(found ^ (expected - surrogates))[:10]
    assert surrogates <= expected
    for code in (0xD800, 0xDBFF, 0xDC00, 0xDFFF):
        raw = b"a: x" + chr(code).encode("utf-8", "surrogatepass") + b"\n"
        assert problems(tmp_path, raw) == ["f.yaml:1:5: byte 0xed is not valid UTF-8 (expected a file saved as UTF-8)"]
    # the first refused character, whichever way it is found
    assert _first_refused("ab\u2029c\x01\ufffe") == 2 and _first_refused("a\x7fb\u2028") == 1 and _first_refused("a\u00a0b") == -1


def test_bom_and_crlf_do_not_shift_positions(tmp_path: Path) -> None:
    loaded = load(tmp_path, b"\xef\xbb\xbfa: 1\r\nb: [x, y]\r\n")
    assert loaded.data == {"a": 1, "b": ["x", "y"]}
    assert loaded.source.values[("a",)] == (1, 4)
    assert loaded.source.values[("b", 1)] == (2, 8)
    assert problems(tmp_path, b"\xef\xbb\xbfa: 1\r\nb: caf\xe9\r\n") == ["f.yaml:2:7: byte 0xe9 is not valid UTF-8 (expected a file saved as UTF-8)"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a: 1\nb: 2\na: 3\n", "3:1: duplicate key 'a' (expected each key once in a mapping; first at line 1)"),
        ("x:\n  y: 1\n  y: 2\n", "3:3: duplicate key 'y' (expected each key once in a mapping; first at line 2)"),
        ("{a: 1, a: 2}\n", "1:8: duplicate key 'a' (expected each key once in a mapping; first at line 1)"),
        ("a: 1\n---\nb: 2\n", "2:1: a second YAML document in one file (expected exactly one)"),
        ("a: [1, 2\nb: 3\n", "2:2: list opened with '[' at line 1, column 4 is not closed (expected ',' or ']')"),
        ("a: {b: 1\n", "2:1: mapping opened with '{' at line 1, column 4 is not closed (expected ',' or '}')"),
        ("a: 'abc\nb: 3\n", "1:4: quoted text is never closed (expected a closing quote)"),
        ("a: b: c\n", "1:5: ':' not allowed here (expected consistent indentation, or quotes around text that contains ': ')"),
        ("a:\n  b: 1\n c: 2\n", "3:2: unexpected text in the mapping that starts at line 1, column 1 (expected 'key: value' lines aligned with it)"),
        ("a:\n  - 1\n  b: 2\n", "3:3: unexpected text in the list that starts at line 2, column 3 (expected '- item' lines aligned with it)"),
        ("a: - b\n", "1:4: '- ' list item not allowed here (expected it on a new line, indented under its key)"),
        ("a: @x\n", "1:4: a value cannot start with '@' (expected quotes around it)"),
        ('a: "\\q"\n', "1:5: unknown escape '\\q' in double-quoted text (expected '\\\\' for a backslash, or single quotes)"),
        ("[a, b]]\n", "1:7: unexpected text after the end of the document (expected nothing more; check brackets and indentation)"),
        ("a:\n\tb: 1\n", "2:1: tab character used for indentation (expected spaces; YAML forbids tabs)"),
        ("a:\n  b: 1\n\tc: 2\n", "3:1: tab character used for indentation (expected spaces; YAML forbids tabs)"),
        ("a: *nope\n", "1:4: unknown alias '*nope' (expected an anchor '&nope' defined above it)"),
        ("a: &x [*x]\n", "1:8: unknown alias '*x' (expected an anchor '&x' defined above it)"),
        ("? [a, b]\n: 1\n", "1:3: a list as a key (expected plain text before ':')"),
        ("a: 1\n? \n: 2\n", "2:2: an empty key (expected plain text before ':')"),
        ("a:\n  : 1\n", "2:3: ':' with no key before it (expected 'key: value')"),
        ("<<: {a: 1}\n", "1:1: YAML merge key '<<' is not supported (expected every field written out)"),
        ("a: !!int abc\n", "1:4: '!!int abc' cannot be read (expected a whole number)"),
        ("a: !custom x\n", "1:4: YAML tag '!custom' is not allowed (expected plain text, numbers, lists and mappings)"),
        ("", "1:1: file is empty (expected a YAML mapping of fields)"),
        ("  # only\n\n# comments\n", "1:1: file is empty (expected a YAML mapping of fields)"),
        ("a: x\u2028y\n", "1:5: line separator U+2028 (expected an ordinary line break or a space)"),
        ("a: 1\rb: \x00\n", "2:4: NUL character (expected printable text)"),
        (b"\xff\xfea\x00", "1:1: file is saved as UTF-16 (expected UTF-8)"),
        (b"a: \xc3\n", "1:4: byte 0xc3 is not valid UTF-8 (expected a file saved as UTF-8)"),
    ],
)
def test_problem_positions(tmp_path: Path, text: str | bytes, expected: str) -> None:
    assert problems(tmp_path, text) == [f"f.yaml:{expected}"]


def test_scalars(tmp_path: Path) -> None:
    data = load(tmp_path, "i: 3\nf: 1.5\nb: true\nn: null\ns: !!str 12\nd: 2024-01-31\neq: =\n1: one\nq: '07'\n").data
    assert data == {"i": 3, "f": 1.5, "b": True, "n": None, "s": "12", "d": "2024-01-31", "eq": "=", "1": "one", "q": "07"}


# ---------------------------------------------------------------- limits


def test_billion_laughs_is_stopped(tmp_path: Path) -> None:
    lines = ['l0: &l0 "lol"'] + [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 10)]
    assert problems(tmp_path, "\n".join(lines)) == [
        f"f.yaml:7:10: aliases expand this file to more than {MAX_NODES:,} values (expected a course file, not an alias bomb)"
    ]


def test_moderate_alias_use_is_fine(tmp_path: Path) -> None:
    data = load(tmp_path, "a: &a [1, 2, 3]\nb: [*a, *a, *a]\n").data
    assert data["b"] == [[1, 2, 3]] * 3


def test_nesting_limit(tmp_path: Path) -> None:
    ok = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    assert load(tmp_path, f"a: {ok}\n").data["a"] is not None
    deep = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert problems(tmp_path, f"a: {deep}\n") == [
        f"f.yaml:1:{3 + MAX_DEPTH}: lists and mappings nested deeper than {MAX_DEPTH} levels (expected at most {MAX_DEPTH})"
    ]
    assert problems(tmp_path, "[" * 100_000) == [
        f"f.yaml:1:{MAX_DEPTH + 1}: lists and mappings nested deeper than {MAX_DEPTH} levels (expected at most {MAX_DEPTH})"
    ]


def test_size_limit_is_checked_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)

    def no_reading(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("a too-big file must not be read")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    monkeypatch.setattr(Path, "read_text", no_reading)
    with pytest.raises(CourseError) as info:
        load_yaml(path, "big.yaml")
    assert [str(p) for p in info.value.problems] == ["big.yaml:1:1: file is 2.1 MB (expected a course file of at most 2 MB)"]


def test_just_under_the_size_limit_loads(tmp_path: Path) -> None:
    text = "a: 1\n" + "#" * (MAX_FILE_BYTES - 10) + "\n"
    assert load(tmp_path, text).data == {"a": 1}
