"""Print the field tables of docs/authoring.md, generated from the pydantic models.

    python docs/gen_fields.py           # print the tables
    python docs/gen_fields.py --write   # replace them in docs/authoring.md (and its shipped copy)

The tables sit between `<!-- fields:start -->` and `<!-- fields:end -->`;
tests/test_docs_fields.py fails when they differ from what this prints, so the
documentation cannot drift from the models.
"""

from __future__ import annotations

import sys
import types
import typing
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined, Url

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from coursepack.model import base, content, course, quiz  # noqa: E402

DOC = REPO / "docs" / "authoring.md"
START = "<!-- fields:start -->"
END = "<!-- fields:end -->"

# (heading, where the mapping is written, model), in the order the tables appear.
SECTIONS: list[tuple[str, list[tuple[str, type[BaseModel]]]]] = [
    ("course.yaml", [
        ("the whole of course.yaml", course.Course),
        ("each entry of `authors`", course.Author),
        ("`completion`", course.Completion),
        ("`certificate`", course.Certificate),
        ("`certificate.signatory`", course.Signatory),
        ("`certificate.requires`", course.CertificateRequirements),
    ]),
    ("Module files", [
        ("the whole of a file in modules/", content.Module),
        ("each entry of `pages`", content.Page),
    ]),
    ("Blocks (each entry of a page's `blocks`)", [
        ("`type: text`", content.TextBlock),
        ("`type: image`", content.ImageBlock),
        ("`type: callout`", content.CalloutBlock),
        ("`type: video`", content.VideoBlock),
        ("`type: audio`", content.AudioBlock),
        ("`type: link`", content.LinkBlock),
        ("`type: reflection`", content.ReflectionBlock),
        ("`type: quiz`", quiz.QuizBlock),
    ]),
    ("Questions (each entry of a quiz's `questions`)", [
        ("`type: single_choice`", quiz.SingleChoice),
        ("`type: multiple_response`", quiz.MultipleResponse),
        ("`type: true_false`", quiz.TrueFalse),
        ("`type: fill_in`", quiz.FillIn),
        ("`type: matching`", quiz.Matching),
        ("`type: sequencing`", quiz.Sequencing),
        ("each entry of `choices`", quiz.Choice),
        ("each entry of `pairs`", quiz.MatchPair),
        ("each entry of `items`", quiz.SequenceItem),
    ]),
]

# Names for the reusable constrained types of builder/model, recognised by their constraints.
NAMED_TYPES: list[tuple[Any, str]] = [
    (base.Slug, "id"),
    (base.Markdown, "Markdown"),
    (base.NonEmptyText, "text"),
    (base.AssetPath, "path in assets/"),
    (base.Percent, "percent (0-100)"),
    (course.CourseIri, "http(s) IRI"),
    (course.LanguageTag, "language tag"),
    (course.Version, "version"),
    (course.ModuleFile, "module file path"),
    (quiz.AcceptedAnswer, "text (1-250 characters)"),
]

# Descriptions for fields whose model has none, or has only the generic text of its
# type (every id says "Stable id: ..."). Better still: add description= in
# builder/model, then drop the entry here (a field's own description always wins).
FALLBACK_DESCRIPTIONS: dict[tuple[str, str], str] = {
    ("Course", "description"): "What the course is for, in a few sentences (Markdown).",
    ("Course", "title"): "Course title shown to learners and used as the package title in the LMS.",
    ("Course", "authors"): "Who wrote the course; at least one.",
    ("Course", "completion"): "When the standard edition counts as complete; see [Completion](#completion).",
    ("Author", "name"): "Author's name.",
    ("Author", "organization"): "School, company or project the author belongs to.",
    ("Author", "email"): "Contact e-mail address.",
    ("Signatory", "name"): "Name printed as the signatory.",
    ("Signatory", "role"): "The signatory's role, printed under the name.",
    ("Certificate", "signatory"): "Who signs the certificate; see [Signatory](#signatory).",
    ("Certificate", "requires"): "What a learner must do to earn it; see [CertificateRequirements](#certificaterequirements).",
    ("Module", "id"): "Stable module id (see [Ids](#ids)).",
    ("Module", "title"): "Module title shown to learners.",
    ("Module", "description"): "Short introduction shown at the start of the module.",
    ("Module", "pages"): "The module's pages, in order; at least one.",
    ("Page", "id"): "Stable page id, unique within its module.",
    ("Page", "title"): "Page title shown to learners.",
    ("Page", "blocks"): "The page's content, top to bottom; at least one block.",
    ("TextBlock", "text"): "The text, in Markdown.",
    ("ImageBlock", "caption"): "Visible caption under the image.",
    ("CalloutBlock", "style"): "How the box looks and what it signals.",
    ("CalloutBlock", "title"): "Optional heading of the box.",
    ("CalloutBlock", "text"): "The content of the box, in Markdown.",
    ("VideoBlock", "src"): "Video file in assets/ (.mp4, .webm or .ogv).",
    ("VideoBlock", "title"): "Title of the video, shown to learners.",
    ("VideoBlock", "poster"): "Image shown before the video plays.",
    ("AudioBlock", "src"): "Audio file in assets/ (.mp3, .ogg, .oga, .wav, .m4a or .webm).",
    ("AudioBlock", "title"): "Title of the recording, shown to learners.",
    ("LinkBlock", "url"): "The web address (http:// or https://).",
    ("LinkBlock", "title"): "Link text shown to learners.",
    ("LinkBlock", "description"): "Why the learner should follow the link.",
    ("ReflectionBlock", "id"): "Stable id, unique among all quizzes and reflections of the course.",
    ("ReflectionBlock", "prompt"): "The question the learner answers in writing.",
    ("ReflectionBlock", "required"): "Whether the answer counts towards completion.",
    ("QuizBlock", "id"): "Stable id, unique among all quizzes and reflections of the course.",
    ("QuizBlock", "title"): "Heading shown above the quiz.",
    ("QuizBlock", "questions"): "The questions, in order; at least one.",
    ("SingleChoice", "id"): "Stable question id, unique within its quiz.",
    ("MultipleResponse", "id"): "Stable question id, unique within its quiz.",
    ("TrueFalse", "id"): "Stable question id, unique within its quiz.",
    ("FillIn", "id"): "Stable question id, unique within its quiz.",
    ("Matching", "id"): "Stable question id, unique within its quiz.",
    ("Sequencing", "id"): "Stable question id, unique within its quiz.",
    ("SingleChoice", "choices"): "The options, 2 to 26, each with its own text.",
    ("MultipleResponse", "choices"): "The options, 2 to 26, each with its own text.",
    ("Matching", "pairs"): "The pairs, 2 to 26; no two prompts and no two matches may be the same.",
    ("Sequencing", "items"): "The items in the right order, 2 to 26; learners see them shuffled.",
    ("Choice", "id"): "Stable choice id, unique within its question; `answer`/`answers` refer to it.",
    ("MatchPair", "id"): "Stable pair id, unique within its question.",
    ("SequenceItem", "id"): "Stable item id, unique within its question.",
    ("SequenceItem", "text"): "What the learner sees.",
}


def _constraints(metadata: typing.Iterable[Any]) -> list[Any]:
    """Constraint objects only, flattening the FieldInfo that Annotated aliases carry."""
    out: list[Any] = []
    for item in metadata:
        if isinstance(item, FieldInfo):
            out += _constraints(item.metadata)
        else:
            out.append(item)
    return out


def _signature(tp: Any, metadata: typing.Iterable[Any]) -> tuple[Any, tuple[Any, ...]]:
    return tp, tuple(_constraints(metadata))


_NAMES = {}
_GENERIC_DESCRIPTIONS = set()  # descriptions a field inherits from a named type
for _alias, _name in NAMED_TYPES:
    _base, *_meta = get_args(_alias)
    _NAMES[_signature(_base, _meta)] = _name
    _GENERIC_DESCRIPTIONS.update(m.description for m in _meta if isinstance(m, FieldInfo) and m.description)


def _bounds(metadata: list[Any]) -> str:
    low = high = None
    low_strict = high_strict = False
    for m in metadata:
        if isinstance(m, annotated_types.Ge):
            low = m.ge
        elif isinstance(m, annotated_types.Gt):
            low, low_strict = m.gt, True
        elif isinstance(m, annotated_types.Le):
            high = m.le
        elif isinstance(m, annotated_types.Lt):
            high, high_strict = m.lt, True
    if low is not None and high is not None and not low_strict and not high_strict:
        return f"{low}-{high}"
    parts = []
    if low is not None:
        parts.append(f"{'more than' if low_strict else 'at least'} {low}")
    if high is not None:
        parts.append(f"{'less than' if high_strict else 'at most'} {high}")
    return ", ".join(parts)


def _count(metadata: list[Any]) -> str:
    low = next((m.min_length for m in metadata if isinstance(m, annotated_types.MinLen)), None)
    high = next((m.max_length for m in metadata if isinstance(m, annotated_types.MaxLen)), None)
    if low and high:
        return f" ({low}-{high})"
    if low:
        return f" (at least {low})"
    if high:
        return f" (at most {high})"
    return ""


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (Union, types.UnionType)


def _link(model: type[BaseModel]) -> str:
    return f"[{model.__name__}](#{model.__name__.lower()})"


def _members(tp: Any) -> set[type]:
    return set(get_args(get_args(tp)[0])) if get_origin(tp) is Annotated else set(get_args(tp))


_BLOCKS = _members(content.Block)
_QUESTIONS = _members(quiz.Question)


def render_type(tp: Any, metadata: typing.Iterable[Any] = ()) -> str:
    """A short, author-facing name for an annotation plus its constraints."""
    metadata = _constraints(metadata)
    if get_origin(tp) is Annotated:
        inner, *meta = get_args(tp)
        if _is_union(inner) and set(get_args(inner)) == _BLOCKS:
            return "[block](#blocks-each-entry-of-a-pages-blocks)"
        if _is_union(inner) and set(get_args(inner)) == _QUESTIONS:
            return "[question](#questions-each-entry-of-a-quizs-questions)"
        return render_type(inner, [*meta, *metadata])
    name = _NAMES.get(_signature(tp, metadata))
    if name:
        return name
    if _is_union(tp):
        # Field-level constraints of an Optional field (e.g. `int | None = Field(ge=16)`)
        # belong to its one non-null member.
        args = [a for a in get_args(tp) if a is not type(None)]
        member_meta = metadata if len(args) == 1 else []
        return " or ".join(render_type(a, member_meta) for a in args)
    if get_origin(tp) is Literal:
        return " or ".join(f"`{_yaml(v)}`" for v in get_args(tp))
    if get_origin(tp) is list:
        (item,) = get_args(tp)
        return f"list{_count(metadata)} of {render_type(item)}"
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return _link(tp)
    if tp is bool:
        return "true or false"
    if tp is int or tp is float:
        kind = "whole number" if tp is int else "number"
        bounds = _bounds(metadata)
        return f"{kind} ({bounds})" if bounds else kind
    if tp is Url:  # model/content.py's WebAddress
        return "web address"
    if tp is str:
        extra = []
        for m in metadata:
            if getattr(m, "pattern", None):
                extra.append(f"matching `{m.pattern}`")
            if getattr(m, "max_length", None):
                extra.append(f"at most {m.max_length} characters")
        return "text" + (f" ({', '.join(extra)})" if extra else "")
    return getattr(tp, "__name__", str(tp))


def _yaml(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    return str(value)


def _required(field: FieldInfo) -> str:
    if field.is_required():
        return "**required**"
    default = field.get_default(call_default_factory=True)
    if default is None or default is PydanticUndefined:
        return "optional"
    if isinstance(default, BaseModel):
        return "optional (defaults below)"
    return f"default `{_yaml(default)}`"


def _description(model: type[BaseModel], name: str, field: FieldInfo) -> str:
    text = field.description
    if text in _GENERIC_DESCRIPTIONS:
        # inherited from the type (e.g. every id says the same): a field-specific line is better
        text = FALLBACK_DESCRIPTIONS.get((model.__name__, name), text)
    if not text and name == "type":
        (value,) = get_args(field.annotation)
        text = f"Always `{value}`: selects this kind."
    if not text:
        text = FALLBACK_DESCRIPTIONS.get((model.__name__, name))
    if not text:
        # an Optional[alias] keeps the alias's own description inside the annotation
        for arg in get_args(field.annotation):
            for meta in get_args(arg)[1:]:
                if isinstance(meta, FieldInfo) and meta.description:
                    text = meta.description
    return (text or "").replace("|", "\\|").replace("\n", " ")


def model_table(where: str, model: type[BaseModel]) -> str:
    lines = [f"#### {model.__name__}", ""]
    doc = model.__dict__.get("__doc__")
    intro = f"Written as {where}."
    if doc and doc.strip():
        intro += " " + " ".join(doc.split())
    lines += [intro, "", "| Field | Type | Required / default | Description |", "|---|---|---|---|"]
    fields = sorted(model.model_fields.items(), key=lambda item: item[0] != "type")  # `type` first
    for name, field in fields:
        kind = render_type(field.annotation, field.metadata).replace("|", "\\|")
        lines.append(f"| `{name}` | {kind} | {_required(field)} | {_description(model, name, field)} |")
    return "\n".join(lines)


def generate() -> str:
    parts = []
    for heading, models in SECTIONS:
        parts.append(f"### {heading}")
        parts += [model_table(where, model) for where, model in models]
    return "\n\n".join(parts) + "\n"


def replace_in(text: str, tables: str) -> str:
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    return f"{before}{START}\n\n{tables}\n{END}{after}"


def current_tables(text: str) -> str:
    """What the doc holds between the markers, as generate() would print it."""
    _, rest = text.split(START, 1)
    inner, _ = rest.split(END, 1)
    return inner.strip("\n") + "\n"


def main(argv: list[str]) -> int:
    tables = generate()
    if argv[1:] == ["--write"]:
        DOC.write_text(replace_in(DOC.read_text(encoding="utf-8"), tables), encoding="utf-8")
        # `coursepack new` and `coursepack docs` ship this copy; a test keeps the two equal
        shipped = DOC.parents[1] / "builder" / "scaffold" / "AUTHORING.md"
        shipped.write_text(DOC.read_text(encoding="utf-8"), encoding="utf-8")
        print(f"updated the field tables in {DOC} and its shipped copy {shipped}")
    elif argv[1:]:
        print(__doc__, file=sys.stderr)
        return 2
    else:
        sys.stdout.write(tables)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
