"""Validate loaded YAML data against a pydantic model; turn its errors into located problems."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from coursepack.load.errors import CourseError, Problem
from coursepack.load.yaml_source import DataPath, LoadedYaml, SourceMap

M = TypeVar("M", bound=BaseModel)

_TYPE_NAMES = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def _yaml_kind(value: Any) -> str:
    return "true/false" if isinstance(value, bool) else "a number"


def _shown(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return "null" if value is None else str(value).lower()
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    if isinstance(value, str) and len(value) > 40:
        value = value[:37] + "..."
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _allowed_keys(model: type[BaseModel], data: Any, parent_path: DataPath) -> list[str]:
    """Field names of the model that sits at parent_path (best effort, for 'did you mean')."""
    return sorted(_field_names_at(model, data, list(parent_path)))


def _field_names_at(model: type[BaseModel], data: Any, rest: list[str | int]) -> set[str]:
    from typing import get_args, get_origin

    def candidates(annotation: Any, value: Any) -> list[type[BaseModel]]:
        origin = get_origin(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return [annotation]
        args = get_args(annotation)
        out: list[type[BaseModel]] = []
        if origin is list and args:
            return candidates(args[0], value)
        for arg in args:
            out += candidates(arg, value)
        if out and isinstance(value, dict) and "type" in value:
            tagged = [m for m in out if "type" in m.model_fields and value["type"] in get_args(m.model_fields["type"].annotation)]
            if tagged:
                return tagged
        return out

    models = [model]
    node = data
    while rest:
        part = rest.pop(0)
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
            continue
        nxt: list[type[BaseModel]] = []
        child = node.get(part) if isinstance(node, dict) else None
        for m in models:
            if part in m.model_fields:
                value_for_tag = child[rest[0]] if rest and isinstance(rest[0], int) and isinstance(child, list) and rest[0] < len(child) else child
                nxt += candidates(m.model_fields[part].annotation, value_for_tag)
        models, node = nxt, child
        if not models:
            return set()
    names: set[str] = set()
    for m in models:
        names.update(m.model_fields)
    return names


def _message(error: dict[str, Any], model: type[BaseModel], data: Any, path: DataPath) -> tuple[str, bool]:
    """(message, points_at_key) for one pydantic error."""
    kind = error["type"]
    loc = error["loc"]
    ctx = error.get("ctx") or {}
    field = str(loc[-1]) if loc else "value"
    label = f"'{field}'"
    if loc and isinstance(loc[-1], int):  # an item of a list: name the list
        field = next((str(p) for p in reversed(loc) if isinstance(p, str)), "value")
        label = f"item {loc[-1] + 1} of '{field}'"
    given = error.get("input")
    if kind == "missing":
        return f"missing required field '{field}' (expected '{field}: ...' in this mapping)", False
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, data, path[:-1])
        guess = _typo_guess(error, model, data, path)
        hint = f"did you mean '{guess}'?" if guess else f"expected one of: {', '.join(allowed)}" if allowed else ""
        return f"unknown key '{field}'" + (f" ({hint})" if hint else ""), True
    if kind == "union_tag_invalid":
        expected = ctx.get("expected_tags", "")
        return f"unknown type {_shown(ctx.get('tag'))} (expected one of: {expected.replace(chr(39), '')})", False
    if kind == "union_tag_not_found":
        tag = str(ctx.get("discriminator", "type")).strip("'")
        kinds = _tag_choices(path)
        return f"missing required field '{tag}'" + (f" (expected one of: {kinds})" if kinds else ""), False
    if kind in _TYPE_NAMES:
        expected = _TYPE_NAMES[kind]
        if given is None:
            return f"{label} has no value (expected {expected})", False
        if kind == "string_type" and isinstance(given, (bool, int, float)):
            expected += f"; YAML reads this as {_yaml_kind(given)}, so put it in quotes"
        return f"{label} is {_shown(given)} (expected {expected})", False
    if kind == "string_pattern_mismatch":
        return f"{label} is {_shown(given)} (expected {_pattern_hint(model, field, ctx)})", False
    if kind in ("string_too_short", "too_short"):
        minimum = ctx.get("min_length", 1)
        if kind == "string_too_short":
            if field == "alt":
                return "alt text is empty (expected what the image shows, for learners using screen readers)", False
            if minimum == 1:
                return f"{label} is empty (expected text)", False
            return f"{label} is too short (expected at least {minimum} characters)", False
        actual = ctx.get("actual_length", 0)
        return f"{label} has {_items(actual)} (expected at least {_items(minimum)})", False
    if kind == "string_too_long":
        return f"{label} is too long (expected at most {ctx.get('max_length')} characters)", False
    if kind == "too_long":
        return f"{label} has {_items(ctx.get('actual_length', 0))} (expected at most {_items(ctx.get('max_length', 0))})", False
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = {"greater_than_equal": "at least", "less_than_equal": "at most", "greater_than": "more than", "less_than": "less than"}[kind]
        limit = next(iter(ctx.values()))
        return f"{label} is {_shown(given)} (expected {bound} {limit})", False
    if kind == "literal_error":
        return f"{label} is {_shown(given)} (expected {ctx.get('expected')})", False
    if kind.startswith("url"):
        return f"{label} is {_shown(given)} (expected a web address starting with http:// or https://)", False
    return f"{label}: {error['msg']} (expected a valid value)", False


def _items(n: int) -> str:
    return "no items" if n == 0 else f"{n} item{'s' if n != 1 else ''}"


def _tag_choices(path: DataPath) -> str:
    from coursepack.model.quiz import QUESTION_TYPES

    owner = next((p for p in reversed(path) if isinstance(p, str)), "")
    if owner == "questions":
        return ", ".join(QUESTION_TYPES)
    if owner == "blocks":
        return "text, image, callout, video, audio, link, reflection, quiz"
    return ""


def _typo_guess(error: dict[str, Any], model: type[BaseModel], data: Any, path: DataPath) -> str | None:
    """For an unknown key: the allowed key it is most likely a misspelling of."""
    import difflib  # only for this message: a valid course's check does without it (issue 16: start-up)

    allowed = _allowed_keys(model, data, path[:-1])
    guess = difflib.get_close_matches(str(error["loc"][-1]), allowed, n=1, cutoff=0.6)
    return guess[0] if guess else None


_PATTERN_HINTS = {
    "id": "lowercase letters, digits and '-', like 'what-is-ai'",
    "slug": "lowercase letters, digits and '-', like 'ai-literacy'",
    "answer": "a choice id: lowercase letters, digits and '-'",
    "answers": "choice ids: lowercase letters, digits and '-'",
    "language": "a BCP 47 tag like 'en-US'",
    "version": "a version like '1.0.0'",
    "src": "a path inside assets/ using letters, digits, '_', '-', '.', '/'",
    "captions": "a path inside assets/",
    "transcript": "a path inside assets/",
    "poster": "a path inside assets/",
    "email": "an e-mail address",
}


def _pattern_hint(model: type[BaseModel], field: str, ctx: dict[str, Any]) -> str:
    if field == "id" and model.__name__ == "Course":
        return "an http(s) IRI like 'https://example.org/courses/ai-literacy'"
    if field == "modules":
        return "a path inside modules/ like 'modules/01-intro.yaml'"
    return _PATTERN_HINTS.get(field, f"text matching {ctx.get('pattern')}")


def to_model(model: type[M], loaded: LoadedYaml) -> M:
    """The validated model, or CourseError listing every problem with its position."""
    data = loaded.data
    if not isinstance(data, dict):
        what = "nothing but '---'" if data is None else "a list" if isinstance(data, list) else f"the single value {_shown(data)}"
        raise CourseError([loaded.source.problem((), f"the file holds {what} (expected a mapping of fields, like 'id: ...')")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise CourseError(problems_from(exc, model, data, loaded.source)) from None


def problems_from(exc: ValidationError, model: type[BaseModel], data: Any, source: SourceMap) -> list[Problem]:
    problems = []
    errors = exc.errors(include_url=False)
    located = [(error, *_walk(data, tuple(error["loc"]))) for error in errors]
    # A misspelt key also makes the field it stands for 'missing': report the typo only.
    typos = {
        path[:-1] + (guess,)
        for error, path, _ in located
        if error["type"] == "extra_forbidden" and (guess := _typo_guess(error, model, data, path))
    }
    branches: dict[DataPath, list[dict[str, Any]]] = {}
    for error, path, trailing in located:
        loc = tuple(error["loc"])
        if error["type"] == "missing" and path + (str(loc[-1]),) in typos:
            continue
        if _is_union_branch(error, trailing):
            branches.setdefault(path, []).append(error)
            continue
        message, at_key = _message(error, model, data, path)
        if error["type"] == "union_tag_invalid":
            path += (str(error["ctx"].get("discriminator", "type")).strip("'"),)
        problems.append(source.problem(path, message, key=at_key))
    for path, errors in branches.items():
        problems.append(source.problem(path, _union_message(path, errors)))
    return problems


def _is_union_branch(error: dict[str, Any], trailing: tuple[Any, ...]) -> bool:
    """True for one branch's failure of a plain union like `int | 'unlimited'`.

    pydantic reports each branch separately, with a label such as 'constrained-int'
    after the value's own path in loc; authors should see one message for them all.
    """
    return error["type"] not in ("missing", "extra_forbidden") and bool(trailing) and all(isinstance(p, str) for p in trailing)


def _union_message(path: DataPath, errors: list[dict[str, Any]]) -> str:
    field = next((str(p) for p in reversed(path) if isinstance(p, str)), "value")
    given = errors[0].get("input")
    options = []
    for error in errors:
        kind, ctx = error["type"], error.get("ctx") or {}
        if kind == "literal_error":
            options.append(str(ctx.get("expected")))
        elif kind in ("greater_than_equal", "less_than_equal"):
            options.append(f"a whole number {'of at least' if kind == 'greater_than_equal' else 'up to'} {next(iter(ctx.values()))}")
        elif kind in _TYPE_NAMES:
            options.append(_TYPE_NAMES[kind])
        else:
            options.append(error["msg"].lower())
    unique = list(dict.fromkeys(options))
    return f"'{field}' is {_shown(given)} (expected {' or '.join(unique)})"


def _walk(data: Any, loc: tuple[Any, ...]) -> tuple[DataPath, tuple[Any, ...]]:
    """Follow pydantic's loc through the data: (the data path, the labels left after a scalar).

    Union tags pydantic inserts mid-path (e.g. 'image') are skipped; a missing field ends the
    path at the mapping that lacks it; labels after a scalar name the union branches that failed.
    """
    path: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        if isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif not isinstance(node, (dict, list)):
            return tuple(path), loc[i:]
        elif isinstance(node, dict) and i == len(loc) - 1:
            break
    return tuple(path), ()
