"""Each course file's parsed YAML and validated model, kept from one load to the next.

`coursepack preview` loads the course again on every save, though usually one file changed. Parsing
and validating a file depend on its bytes and its shown name alone, so a file whose bytes are the
same as last time gives last time's result (data, source map, model, or the same problems). The
bytes are read and hashed on every load: reading a few small files is cheap, and a hash cannot be
fooled by an mtime that did not move (its granularity is the kernel's clock tick) or by a rename.
Everything that looks at more than one file (the cross-file and asset checks, the module listing)
still runs on every load, but an SVG asset's verdict is kept by its bytes too (parsing the pictures
again was a fifth of a preview rebuild). `coursepack build` and `validate` use no cache and keep
nothing between loads.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from coursepack.load.errors import CourseError, Problem
from coursepack.load.svg_check import svg_bytes_problem
from coursepack.load.to_model import to_model
from coursepack.load.yaml_source import LoadedYaml, parse_yaml, read_yaml_bytes

M = TypeVar("M", bound=BaseModel)


@dataclass
class _Entry:
    digest: bytes
    parsed: LoadedYaml | tuple[Problem, ...]  # the problems when the file is no valid YAML
    models: dict[type[BaseModel], BaseModel | tuple[Problem, ...]] = field(default_factory=dict)


class LoadCache:
    """One entry per file name (its latest bytes): an edit and its undo parse the file again, a long
    session does not grow. Not thread-safe: one load at a time (the preview builds under a lock)."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self._used: set[str] = set()
        # (digest of an SVG's bytes, its name) -> svg_check's verdict; no picture is kept
        self._svg_verdicts: dict[tuple[bytes, str], str | None] = {}
        self._svgs_used: set[tuple[bytes, str]] = set()

    def load_yaml(self, path: Path, name: str) -> LoadedYaml:
        """As yaml_source.load_yaml, parsed again only when the bytes changed."""
        raw = read_yaml_bytes(path, name)  # the file checks run every time: it may have become a folder
        digest = hashlib.blake2b(raw, digest_size=16).digest()
        self._used.add(name)
        entry = self._entries.get(name)
        if entry is None or entry.digest != digest:
            try:
                parsed: LoadedYaml | tuple[Problem, ...] = parse_yaml(raw, name)
            except CourseError as exc:
                parsed = tuple(exc.problems)
            entry = self._entries[name] = _Entry(digest, parsed)
        if isinstance(entry.parsed, tuple):
            raise CourseError(list(entry.parsed))  # a new error each time: a raised one carries its traceback
        return entry.parsed

    def to_model(self, model: type[M], loaded: LoadedYaml) -> M:
        """As to_model.to_model, validated again only when loaded is not the cached parse of its file."""
        entry = self._entries.get(loaded.source.file)
        if entry is None or entry.parsed is not loaded:  # not from this cache: nothing to reuse
            return to_model(model, loaded)
        if model not in entry.models:
            try:
                entry.models[model] = to_model(model, loaded)
            except CourseError as exc:
                entry.models[model] = tuple(exc.problems)
        outcome = entry.models[model]
        if isinstance(outcome, tuple):
            raise CourseError(list(outcome))
        return outcome  # type: ignore[return-value]  # stored under its own model type

    def svg_problem(self, path: Path, name: str) -> str | None:
        """As svg_check.svg_problem, checked again only when the bytes (or the name) changed."""
        data = path.read_bytes()
        key = (hashlib.blake2b(data, digest_size=16).digest(), name)
        self._svgs_used.add(key)
        if key not in self._svg_verdicts:
            self._svg_verdicts[key] = svg_bytes_problem(data, name)
        return self._svg_verdicts[key]

    def forget_unused(self) -> None:
        """Drop the files and SVG verdicts the load just finished did not use (renamed, deleted, edited,
        no longer listed): a long session does not grow."""
        self._entries = {name: entry for name, entry in self._entries.items() if name in self._used}
        self._svg_verdicts = {key: verdict for key, verdict in self._svg_verdicts.items() if key in self._svgs_used}
        self._used, self._svgs_used = set(), set()
