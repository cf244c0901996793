"""Read one YAML file into plain data plus a map from data path to (line, col).

Built on PyYAML's event stream rather than its constructors so that:
- nothing but plain scalars, lists and mappings is ever built (no tags that run code);
- every value keeps its position, for errors that point at the right spot;
- duplicate keys, deep nesting and alias bombs are refused with a position instead of
  silently overwriting, overflowing the stack or eating memory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:  # the C parser is much faster; both give the same events
    from yaml import CSafeLoader as _EventLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _EventLoader  # type: ignore[assignment]

from builder.load.errors import CourseError, Problem

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 50
MAX_NODES = 200_000

DataPath = tuple[str | int, ...]


@dataclass
class SourceMap:
    """Where each value of a loaded file came from."""

    file: str
    values: dict[DataPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[DataPath, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: DataPath, *, key: bool = False) -> tuple[int, int]:
        """Position of the value at path (or of its key), else of its nearest known parent."""
        table = self.keys if key else self.values
        if path in table:
            return table[path]
        while path:
            path = path[:-1]
            if path in self.values:
                return self.values[path]
        return (1, 1)

    def problem(self, path: DataPath, message: str, *, key: bool = False) -> Problem:
        line, col = self.where(path, key=key)
        return Problem(self.file, line, col, message)


@dataclass
class LoadedYaml:
    data: Any
    source: SourceMap


_ALLOWED_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}
_resolver = yaml.resolver.Resolver()
_scalars = yaml.constructor.SafeConstructor()


def _pos(mark: yaml.Mark) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1)


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise CourseError(
            [Problem(name, line, col, f"byte 0x{raw[exc.start]:02x} is not valid UTF-8 (save the file as UTF-8)")]
        ) from None


def _syntax_problem(exc: yaml.MarkedYAMLError, name: str, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, col = _pos(mark) if mark else (1, 1)
    problem = exc.problem or "invalid YAML"
    if "'\\t'" in problem or _char_at(text, line, col) == "\t":
        return Problem(name, line, col, "tab character in indentation (expected spaces; YAML forbids tabs)")
    message = f"YAML syntax error: {problem}"
    if exc.context:
        message += f" ({exc.context}"
        if exc.context_mark and exc.context_mark is not mark:
            cl, cc = _pos(exc.context_mark)
            message += f" at {cl}:{cc}"
        message += ")"
    return Problem(name, line, col, message)


def _char_at(text: str, line: int, col: int) -> str:
    lines = text.split("\n")
    if 0 < line <= len(lines) and 0 < col <= len(lines[line - 1]):
        return lines[line - 1][col - 1]
    return ""


def _scalar_value(event: yaml.ScalarEvent, name: str) -> Any:
    tag = event.tag
    if tag is None or tag == "!":
        tag = _resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
    if tag not in _ALLOWED_TAGS or tag in ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"):
        line, col = _pos(event.start_mark)
        raise CourseError([Problem(name, line, col, f"unsupported YAML tag {tag!r} (expected plain text, numbers, lists and mappings)")])
    if tag == "tag:yaml.org,2002:timestamp":
        return event.value  # dates stay text: the model decides what they mean
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
    try:
        return _scalars.construct_object(node)
    except (ValueError, yaml.constructor.ConstructorError):
        line, col = _pos(event.start_mark)
        raise CourseError([Problem(name, line, col, f"cannot read {event.value!r} as {tag.rsplit(':', 1)[-1]}")]) from None


class _Builder:
    """Turns the event stream into data, recording positions as it goes."""

    def __init__(self, name: str):
        self.name = name
        self.source = SourceMap(name)
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.nodes = 0

    def fail(self, mark: yaml.Mark, message: str) -> CourseError:
        line, col = _pos(mark)
        return CourseError([Problem(self.name, line, col, message)])

    def count(self, n: int, mark: yaml.Mark) -> None:
        self.nodes += n
        if self.nodes > MAX_NODES:
            raise self.fail(mark, f"document expands to more than {MAX_NODES:,} values (alias/anchor bomb?)")

    def build(self, events: Any) -> Any:
        # Stack entries: [container, path, pending_key, pending_key_mark, anchor, size, start_mark]
        stack: list[list[Any]] = []
        root: Any = None
        have_root = False

        def attach(value: Any, size: int, mark: yaml.Mark, anchor: str | None) -> None:
            nonlocal root, have_root
            if anchor:
                self.anchors[anchor] = (value, size)
            if not stack:
                if have_root:
                    raise self.fail(mark, "a second YAML document in one file (expected exactly one)")
                root, have_root = value, True
                return
            top = stack[-1]
            container = top[0]
            top[5] += size
            if isinstance(container, list):
                path = top[1] + (len(container),)
                self.source.values.setdefault(path, _pos(mark))
                container.append(value)
            elif top[2] is _NO_KEY:
                if not isinstance(value, (str, int, float, bool)) or value is None:
                    raise self.fail(mark, "mapping keys must be plain text")
                key = value if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)
                if key in container:
                    first = self.source.keys.get(top[1] + (key,), (0, 0))
                    raise self.fail(mark, f"duplicate key {key!r} (first defined at line {first[0]})")
                top[2], top[3] = key, mark
                self.source.keys[top[1] + (key,)] = _pos(mark)
            else:
                path = top[1] + (top[2],)
                self.source.values.setdefault(path, _pos(mark))
                container[top[2]] = value
                top[2] = _NO_KEY

        for event in events:
            if isinstance(event, (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)):
                continue
            if isinstance(event, yaml.DocumentStartEvent):
                if have_root:
                    raise self.fail(event.start_mark, "a second YAML document in one file (expected exactly one)")
                continue
            if isinstance(event, yaml.ScalarEvent):
                self.count(1, event.start_mark)
                attach(_scalar_value(event, self.name), 1, event.start_mark, event.anchor)
            elif isinstance(event, yaml.AliasEvent):
                if event.anchor not in self.anchors:
                    raise self.fail(event.start_mark, f"unknown alias *{event.anchor}")
                value, size = self.anchors[event.anchor]
                self.count(size, event.start_mark)
                attach(_copy(value), size, event.start_mark, None)
            elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                if event.tag not in (None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"):
                    raise self.fail(event.start_mark, f"unsupported YAML tag {event.tag!r} (expected plain lists and mappings)")
                if len(stack) >= MAX_DEPTH:
                    raise self.fail(event.start_mark, f"nesting deeper than {MAX_DEPTH} levels (expected a flatter document)")
                self.count(1, event.start_mark)
                container: Any = {} if isinstance(event, yaml.MappingStartEvent) else []
                path = self._child_path(stack)
                if path is not None:
                    self.source.values.setdefault(path, _pos(event.start_mark))
                else:
                    path = ()
                    self.source.values[()] = _pos(event.start_mark)
                stack.append([container, path, _NO_KEY, None, event.anchor, 1, event.start_mark])
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                container, _path, _k, _km, anchor, size, start = stack.pop()
                attach(container, size, start, anchor)
        return root

    @staticmethod
    def _child_path(stack: list[list[Any]]) -> DataPath | None:
        if not stack:
            return None
        top = stack[-1]
        if isinstance(top[0], list):
            return top[1] + (len(top[0]),)
        if top[2] is _NO_KEY:
            return top[1] + ("<key>",)
        return top[1] + (top[2],)


_NO_KEY = object()


def _copy(value: Any) -> Any:
    """Aliased values are copied so that later edits of one use cannot change another."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def load_yaml(path: Path, name: str) -> LoadedYaml:
    """Read path (shown to the author as name). Raises CourseError on any problem."""
    if path.is_dir():
        raise CourseError([Problem(name, 1, 1, "is a directory (expected a YAML file)")])
    if not path.exists():
        raise CourseError([Problem(name, 1, 1, "file not found")])
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise CourseError(
            [Problem(name, 1, 1, f"file is {size / 1048576:.1f} MB (expected a course file under {MAX_FILE_BYTES // 1048576} MB)")]
        )
    text = _decode(path.read_bytes(), name)
    if "\x00" in text:
        before = text[: text.index("\x00")]
        raise CourseError([Problem(name, before.count("\n") + 1, len(before) - before.rfind("\n"), "NUL character (expected a text file)")])
    builder = _Builder(name)
    try:
        data = builder.build(yaml.parse(text, Loader=_EventLoader))
    except yaml.MarkedYAMLError as exc:
        raise CourseError([_syntax_problem(exc, name, text)]) from None
    except yaml.YAMLError as exc:
        raise CourseError([Problem(name, 1, 1, f"YAML error: {exc}")]) from None
    if data is None and not re.search(r"\S", re.sub(r"#.*", "", text)):
        raise CourseError([Problem(name, 1, 1, "file is empty (expected a YAML mapping)")])
    return LoadedYaml(data, builder.source)
