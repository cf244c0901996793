"""Read one YAML file into plain data plus a map from data path to (line, col).

Built on PyYAML's event stream rather than its constructors so that:
- nothing but plain scalars, lists and mappings is ever built (no tags that run code);
- every value keeps its position, for errors that point at the right spot;
- duplicate keys, deep nesting and alias bombs are refused with a position instead of
  silently overwriting, overflowing the stack or eating memory.
"""

from __future__ import annotations

import re
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

try:  # the C parser is much faster; both give the same events
    from yaml import CSafeLoader as _EventLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _EventLoader  # type: ignore[assignment]

from coursepack.load.errors import CourseError, Problem

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 50
MAX_NODES = 200_000

DataPath = tuple[str | int, ...]


class SourceMap:
    """Where each value of a loaded file came from.

    Worked out from the file's text when first asked, by parsing it again: a valid course asks for
    few positions or none, and keeping every value's position from the start took more memory than
    the course itself (and a third of the time spent reading it)."""

    def __init__(self, file: str, text: str = "", loader: Any = None) -> None:
        self.file = file
        self._text: str | bytes = text  # bytes: compressed (compress())
        self._loader = loader
        self._tables: tuple[dict[DataPath, tuple[int, int]], dict[DataPath, tuple[int, int]]] | None = None

    @classmethod
    def recorded(cls, file: str) -> SourceMap:
        """An empty map the builder fills in as it reads."""
        source = cls(file)
        source._tables = ({}, {})
        return source

    @property
    def values(self) -> dict[DataPath, tuple[int, int]]:
        return self._positions()[0]

    @property
    def keys(self) -> dict[DataPath, tuple[int, int]]:
        return self._positions()[1]

    def _positions(self) -> tuple[dict[DataPath, tuple[int, int]], dict[DataPath, tuple[int, int]]]:
        if self._tables is None:
            # the same text through the same parser: the same events, now with positions kept
            builder = _Builder(self.file, SourceMap.recorded(self.file))
            text = self._text if isinstance(self._text, str) else zlib.decompress(self._text).decode("utf-8")
            builder.build(text, self._loader)
            self._tables = builder.source._positions()
            self._text = ""  # no longer needed
        return self._tables

    def compress(self) -> None:
        """Keep the file's text compressed until a position is asked for: a build holds every file's map to
        its end, and the texts were a tenth of a large course's memory (issue 16). Not done when loading:
        on the example course it is 4 ms, 1 % of `validate`, which holds nothing."""
        if isinstance(self._text, str) and self._text:
            self._text = zlib.compress(self._text.encode("utf-8"), 1)

    def where(self, path: DataPath, *, key: bool = False) -> tuple[int, int]:
        """Position of the value at path (or of its key), else of its nearest known parent."""
        values, keys = self._positions()
        table = keys if key else values
        if path in table:
            return table[path]
        while path:
            path = path[:-1]
            if path in values:
                return values[path]
        return (1, 1)

    def problem(self, path: DataPath, message: str, *, key: bool = False) -> Problem:
        line, col = self.where(path, key=key)
        return Problem(self.file, line, col, message)


class LoadedYaml:
    """One YAML file's plain data and the map from its data paths to positions. (Written out, not a
    dataclass: a dataclass compiles its methods at import, issue 16: start-up; none of them is used.)"""

    __slots__ = ("data", "source")

    def __init__(self, data: Any, source: SourceMap) -> None:
        self.data = data
        self.source = source


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
_STR = "tag:yaml.org,2002:str"
_resolver = yaml.resolver.Resolver()
_scalars = yaml.constructor.SafeConstructor()
# The first characters of a plain scalar that YAML's resolver looks at (true, null, 1.5, '=', ...): a plain
# scalar starting with any other is text, without asking the resolver (it asks for a table and a list each time).
_RESOLVED_FIRST = frozenset(_resolver.yaml_implicit_resolvers) if None not in _resolver.yaml_implicit_resolvers else None


def _pos(mark: yaml.Mark) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1)


_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}

_LINE_BREAK = re.compile(rb"\r\n|\r|\n")

# Refused up front, with their position, whichever parser PyYAML uses: what YAML does not
# accept in a document (YAML 1.1 section 5.1), and NEL, LS and PS, which YAML 1.1 counts
# as line breaks but editors show inside a line (every line number must match the editor).
# Written as the refused characters (the complement of YAML's printable set, plus NEL, LS and PS):
# a regex scans a text for a short list of ranges four times as fast as for the negation of a long one.
# Those below U+0100 by a regex, the four above it by str.find: a pattern holding them took 0.7 ms to
# compile (issue 16: `validate`'s first check), and scans no faster. The surrogates U+D800-U+DFFF, not
# printable either, never reach the search: strict UTF-8 decoding refuses them first (_decode).
_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_REFUSED_WIDE = ("\ufffe", "\uffff", "\u2028", "\u2029")
_ODD_BREAKS = {"\x85": "next-line character U+0085", "\u2028": "line separator U+2028", "\u2029": "paragraph separator U+2029"}


def _decode(raw: bytes, name: str) -> str:
    for bom, encoding in _BOMS.items():
        if raw.startswith(bom):
            raise CourseError([Problem(name, 1, 1, f"file is saved as {encoding} (expected UTF-8)")])
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        lines = _LINE_BREAK.split(raw[: exc.start])
        col = len(lines[-1].decode("utf-8")) + 1  # in characters, as editors count
        raise CourseError(
            [Problem(name, len(lines), col, f"byte 0x{raw[exc.start]:02x} is not valid UTF-8 (expected a file saved as UTF-8)")]
        ) from None
    at = _first_refused(text)
    if at >= 0:
        line, col = _offset_pos(text, at)
        char = text[at]
        if char in _ODD_BREAKS:
            what, expected = _ODD_BREAKS[char], "an ordinary line break or a space"
        else:
            what = "NUL character" if char == "\x00" else f"control character U+{ord(char):04X}"
            expected = "printable text"
        raise CourseError([Problem(name, line, col, f"{what} (expected {expected})")])
    return text


def _first_refused(text: str) -> int:
    """The offset of the first refused character in a text decoded from UTF-8, or -1."""
    found = _REFUSED.search(text)
    end = found.start() if found else len(text)
    for char in _REFUSED_WIDE:
        at = text.find(char, 0, end)
        if at >= 0:
            end = at
    return end if end < len(text) else -1


def _offset_pos(text: str, offset: int) -> tuple[int, int]:
    lines = re.split(r"\r\n|\r|\n", text[:offset])
    return len(lines), len(lines[-1]) + 1


def _syntax_problem(exc: yaml.MarkedYAMLError, name: str, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, col = _pos(mark) if mark else (1, 1)
    problem = exc.problem or "invalid YAML"
    context = exc.context or ""
    at = ""
    if exc.context_mark is not None:
        cl, cc = _pos(exc.context_mark)
        at = f"line {cl}, column {cc}"
    char = _char_at(text, line, col)
    if "tab character" in problem or char == "\t":
        return Problem(name, line, col, "tab character used for indentation (expected spaces; YAML forbids tabs)")
    if "expected ',' or ']'" in problem:
        message = f"list opened with '[' at {at} is not closed (expected ',' or ']')"
    elif "expected ',' or '}'" in problem:
        message = f"mapping opened with '{{' at {at} is not closed (expected ',' or '}}')"
    elif "end of stream" in problem and "quoted" in context:
        line, col = _pos(exc.context_mark)
        message = "quoted text is never closed (expected a closing quote)"
    elif "mapping values are not allowed" in problem:
        message = "':' not allowed here (expected consistent indentation, or quotes around text that contains ': ')"
    elif ("expected key" in problem or "expected <block end>" in problem) and char == ":":
        message = "':' with no key before it (expected 'key: value')"
    elif ("expected key" in problem or "expected <block end>" in problem) and "mapping" in context:
        message = f"unexpected text in the mapping that starts at {at} (expected 'key: value' lines aligned with it)"
    elif ("expected '-' indicator" in problem or "expected <block end>" in problem) and "collection" in context:
        message = f"unexpected text in the list that starts at {at} (expected '- item' lines aligned with it)"
    elif "entries are not allowed" in problem:
        message = "'- ' list item not allowed here (expected it on a new line, indented under its key)"
    elif "cannot start any token" in problem and char:
        message = f"a value cannot start with '{char}' (expected quotes around it)"
    elif "unknown escape character" in problem:
        if char != "\\" and _char_at(text, line, col - 1) == "\\":  # the pure-Python parser points after the '\\'
            col -= 1
        message = f"unknown escape '\\{_char_at(text, line, col + 1)}' in double-quoted text (expected '\\\\' for a backslash, or single quotes)"
    elif "document start" in problem:
        message = "unexpected text after the end of the document (expected nothing more; check brackets and indentation)"
    else:
        message = f"YAML syntax error: {problem} (expected valid YAML{'; ' + context + ' at ' + at if context and at else ''})"
    return Problem(name, line, col, message)


def _char_at(text: str, line: int, col: int) -> str:
    lines = text.split("\n")
    if 0 < line <= len(lines) and 0 < col <= len(lines[line - 1]):
        return lines[line - 1][col - 1]
    return ""


def _shown_tag(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag


def _tag_problem(name: str, mark: yaml.Mark, tag: str) -> CourseError:
    line, col = _pos(mark)
    if tag == "tag:yaml.org,2002:merge":
        message = "YAML merge key '<<' is not supported (expected every field written out)"
    else:
        message = f"YAML tag '{_shown_tag(tag)}' is not allowed (expected plain text, numbers, lists and mappings)"
    return CourseError([Problem(name, line, col, message)])


@lru_cache(maxsize=4096)
def _plain_tag(value: str) -> str:
    """The tag of a plain scalar (whatever its implicit[1]): keys such as 'type' and 'title' and
    short values repeat in every file, so the resolver's answer is kept for them."""
    tag = _resolver.resolve(yaml.ScalarNode, value, (True, False))
    return _STR if tag == "tag:yaml.org,2002:value" else tag  # a lone '=' is just text


def _scalar_value(event: yaml.ScalarEvent, name: str) -> Any:
    tag = event.tag
    if tag is None or tag == "!":
        if not event.implicit[0]:
            return event.value  # quoted or block text: the resolver only guesses for plain scalars
        if _RESOLVED_FIRST is not None and event.value[:1] not in _RESOLVED_FIRST:
            return event.value
        tag = _plain_tag(event.value)
    if tag == _STR:
        return event.value  # what SafeConstructor gives for text, without building a node for it
    if tag not in _ALLOWED_TAGS or tag in ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"):
        raise _tag_problem(name, event.start_mark, tag)
    if tag == "tag:yaml.org,2002:timestamp":
        return event.value  # dates stay text: the model decides what they mean
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
    try:
        # the tag's own constructor: construct_object would also keep every node it ever saw
        return _scalars.yaml_constructors[tag](_scalars, node)
    except (ValueError, yaml.constructor.ConstructorError):
        line, col = _pos(event.start_mark)
        kind = {"int": "a whole number", "float": "a number", "bool": "true or false", "null": "null"}.get(tag.rsplit(":", 1)[-1], "text")
        raise CourseError([Problem(name, line, col, f"'{_shown_tag(tag)} {event.value}' cannot be read (expected {kind})")]) from None


class _Builder:
    """Turns the event stream into data; records every value's position when its source map is one
    being recorded (SourceMap.recorded), else only checks."""

    def __init__(self, name: str, source: SourceMap):
        self.name = name
        self.source = source
        self.record = source._tables is not None
        self.anchors: dict[str, tuple[Any, int]] = {}

    def fail(self, mark: yaml.Mark, message: str) -> CourseError:
        line, col = _pos(mark)
        return CourseError([Problem(self.name, line, col, message)])

    def too_many(self, mark: yaml.Mark) -> CourseError:
        return self.fail(mark, f"aliases expand this file to more than {MAX_NODES:,} values (expected a course file, not an alias bomb)")

    def build(self, text: str, loader_class: Any) -> Any:
        """The data of text, parsed by loader_class (PyYAML's C or pure-Python loader) into events."""
        loader = loader_class(text)
        try:
            return self._build(loader.get_event)
        finally:
            loader.dispose()

    def _build(self, next_event: Any) -> Any:
        # Events are asked for one by one until the stream ends: yaml.parse() wraps the same calls in a
        # generator that also asks check_event() each time, a fifth of reading a file.
        # Stack entries: [container, path, pending_key, anchor, size, start_mark]; path is () unless recording.
        # The commonest events (a text, number or closed container put into the open mapping or list, no
        # anchor, nothing recorded) are placed in the loop itself, the rest by attach(): a file has thousands
        # of events, and two calls an event were a third of reading it (issue 16).
        stack: list[list[Any]] = []
        root: Any = None
        have_root = False
        nodes = 0
        record = self.record
        anchors = self.anchors
        name = self.name
        resolved_first = _RESOLVED_FIRST
        plain_tag = _plain_tag
        values, keys = self.source._tables if record else ({}, {})  # type: ignore[misc]

        def attach(value: Any, size: int, mark: yaml.Mark, anchor: str | None) -> None:
            nonlocal root, have_root
            if anchor:
                anchors[anchor] = (value, size)
            if not stack:
                if have_root:
                    raise self.fail(mark, "a second YAML document in one file (expected exactly one)")
                root, have_root = value, True
                return
            top = stack[-1]
            container = top[0]
            top[4] += size
            if type(container) is list:
                if record:
                    values.setdefault(top[1] + (len(container),), _pos(mark))
                container.append(value)
            elif top[2] is _NO_KEY:
                if not isinstance(value, (str, int, float, bool)):
                    what = "an empty key" if value is None else "a list as a key" if isinstance(value, list) else "a mapping as a key"
                    raise self.fail(mark, f"{what} (expected plain text before ':')")
                key = value if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)
                if key in container:
                    # Unrecorded, asking for the first key's position reads the file again with
                    # positions kept, which stops here with this same message.
                    first = self.source.keys.get(top[1] + (key,), (0, 0))
                    raise self.fail(mark, f"duplicate key '{key}' (expected each key once in a mapping; first at line {first[0]})")
                top[2] = key
                if record:
                    keys[top[1] + (key,)] = _pos(mark)
            else:
                if record:
                    values.setdefault(top[1] + (top[2],), _pos(mark))
                container[top[2]] = value
                top[2] = _NO_KEY

        while True:
            event = next_event()
            kind = type(event)
            if kind is _SCALAR:
                nodes += 1
                if nodes > MAX_NODES:
                    raise self.too_many(event.start_mark)
                value = event.value
                if event.tag is not None:
                    value = _scalar_value(event, name)
                elif event.implicit[0] and (resolved_first is None or value[:1] in resolved_first) and plain_tag(value) != _STR:
                    value = _scalar_value(event, name)  # a plain scalar the resolver reads as no text: true, 1.5, null
                size, mark, anchor = 1, event.start_mark, event.anchor
            elif kind is _MAPPING_END or kind is _SEQUENCE_END:
                value, _path, _key, anchor, size, mark = stack.pop()
            elif kind is _MAPPING_START or kind is _SEQUENCE_START:
                if event.tag not in _CONTAINER_TAGS:
                    raise _tag_problem(name, event.start_mark, event.tag)
                if len(stack) >= MAX_DEPTH:
                    raise self.fail(event.start_mark, f"lists and mappings nested deeper than {MAX_DEPTH} levels (expected at most {MAX_DEPTH})")
                nodes += 1
                if nodes > MAX_NODES:
                    raise self.too_many(event.start_mark)
                path: DataPath = ()
                if record:
                    child = self._child_path(stack)
                    if child is not None:
                        path = child
                        values.setdefault(path, _pos(event.start_mark))
                    else:
                        values[()] = _pos(event.start_mark)
                stack.append([{} if kind is _MAPPING_START else [], path, _NO_KEY, event.anchor, 1, event.start_mark])
                continue
            elif kind is _ALIAS:
                if event.anchor not in anchors:
                    raise self.fail(event.start_mark, f"unknown alias '*{event.anchor}' (expected an anchor '&{event.anchor}' defined above it)")
                value, size = anchors[event.anchor]
                nodes += size
                if nodes > MAX_NODES:
                    raise self.too_many(event.start_mark)
                attach(_copy(value), size, event.start_mark, None)
                continue
            elif kind is _DOCUMENT_START:
                if have_root:
                    raise self.fail(event.start_mark, "a second YAML document in one file (expected exactly one)")
                continue
            elif kind is _STREAM_END or event is None:  # None would be past the end: stop, never loop
                return root
            else:
                continue  # StreamStart and DocumentEnd carry nothing
            # A scalar or a closed list or mapping, put into the open mapping or list here; attach() takes the
            # rest (the root, an anchor, a recorded re-read, a key that is no text or a duplicate: refused there)
            if record or anchor or not stack:
                attach(value, size, mark, anchor)
                continue
            top = stack[-1]
            container = top[0]
            if type(container) is list:
                container.append(value)
            elif top[2] is not _NO_KEY:
                container[top[2]] = value
                top[2] = _NO_KEY
            elif type(value) is str and value not in container:
                top[2] = value  # a new key
            else:
                attach(value, size, mark, None)
                continue
            top[4] += size

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
_SCALAR, _ALIAS = yaml.ScalarEvent, yaml.AliasEvent
_MAPPING_START, _MAPPING_END = yaml.MappingStartEvent, yaml.MappingEndEvent
_SEQUENCE_START, _SEQUENCE_END = yaml.SequenceStartEvent, yaml.SequenceEndEvent
_DOCUMENT_START, _STREAM_END = yaml.DocumentStartEvent, yaml.StreamEndEvent
_CONTAINER_TAGS = (None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


def _copy(value: Any) -> Any:
    """Aliased values are copied so that later edits of one use cannot change another."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _too_big(size: int) -> str:
    tenths = -(-size * 10 // 1048576)  # rounded up, so a file just over the limit never shows as 2.0
    return f"file is {tenths / 10:.1f} MB (expected a course file of at most {MAX_FILE_BYTES // 1048576} MB)"


def _build(text: str, name: str, loader: Any) -> tuple[Any, SourceMap]:
    source = SourceMap(name, text, loader)  # positions worked out only if asked for
    return _Builder(name, source).build(text, loader), source


def load_yaml(path: Path, name: str) -> LoadedYaml:
    """Read path (shown to the author as name). Raises CourseError on any problem."""
    return parse_yaml(read_yaml_bytes(path, name), name)


def read_yaml_bytes(path: Path, name: str) -> bytes:
    """path's bytes, refused with a problem at 1:1 when it is no readable file or too big."""
    def fail(message: str) -> CourseError:
        return CourseError([Problem(name, 1, 1, message)])

    if path.is_dir():
        raise fail("is a directory (expected a YAML file)")
    if not path.exists():
        raise fail("file not found (expected a YAML file)")
    if not path.is_file():
        raise fail("is not a regular file (expected a YAML file)")  # a FIFO would block the read
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise fail(_too_big(size))
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)  # never more, even if the file grew meanwhile
    except OSError as exc:
        raise fail(f"cannot read the file: {exc.strerror or exc} (expected a readable YAML file)") from None
    if len(raw) > MAX_FILE_BYTES:
        raise fail(_too_big(len(raw)))
    return raw


def parse_yaml(raw: bytes, name: str) -> LoadedYaml:
    """A file's bytes (as read by read_yaml_bytes) as data and source map; depends on raw and name alone."""
    def fail(message: str) -> CourseError:
        return CourseError([Problem(name, 1, 1, message)])

    text = _decode(raw, name)
    try:
        try:
            data, source = _build(text, name, _EventLoader)
        except yaml.MarkedYAMLError as exc:
            if "maximum nesting depth" not in (exc.problem or ""):
                raise
            # Newer libyaml refuses deep flow nesting while scanning ahead, before our own
            # depth check sees the events; the pure-Python parser has no such limit, so our
            # check reports the exact spot, the same with every PyYAML build.
            data, source = _build(text, name, yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        raise CourseError([_syntax_problem(exc, name, text)]) from None
    except yaml.YAMLError as exc:  # pragma: no cover - the reader's errors are caught by _decode
        raise fail(f"YAML error: {str(exc).splitlines()[0]} (expected valid YAML)") from None
    if data is None and not re.search(r"\S", re.sub(r"#.*", "", text)):
        raise fail("file is empty (expected a YAML mapping of fields)")
    return LoadedYaml(data, source)
