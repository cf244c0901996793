"""Model → the launch page of one SCO: every page pre-rendered, the player's data, the runtime files.

The launch page references the runtime as relative "runtime/..." paths and media as "assets/<src>";
nothing is fetched from outside the package. Output is deterministic: the same course gives the same
bytes (no dates, no random ids; "shuffled" orders are derived from ids).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from importlib import resources
from pathlib import PurePosixPath
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from coursepack.load.course_loader import LoadedCourse
from coursepack.model.content import AudioBlock, ImageBlock, VideoBlock
from coursepack.model.quiz import FillIn, Matching, Sequencing
from coursepack.render.course_data import (
    ScoPlan,
    course_data_json,
    fill_in_maxlength,
    limits_for,
    page_key,
    plan_sco,
    reflection_min,
)
from coursepack.render.state_budget import reflection_caps
from coursepack.render.markdown import NEW_TAB_NOTE, markdown_html, markdown_inline
from coursepack.render.strings import format_string, strings_for

# Files of builder/runtime that every package carries, and the adapter files by name.
_COMMON_RUNTIME = ("player.css", "tracking.js", "player.js", "adapters/standalone.js")


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("coursepack.render", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(md=markdown_html, mdi=markdown_inline, md_legend=_legend_prompt)
    return env


def _legend_prompt(text: str) -> Markup | None:
    """The prompt as inline HTML when it is one paragraph (so it can sit in a <legend>), else None."""
    html = str(markdown_html(text)).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return Markup(html[3:-4])
    return None


def _scramble(key: str, ids: list[str]) -> list[int]:
    """A fixed, id-derived order of positions that differs from the authored one (when it can)."""
    order = sorted(range(len(ids)), key=lambda i: hashlib.sha256(f"{key}/{ids[i]}".encode()).hexdigest())
    if order == list(range(len(ids))) and len(ids) > 1:
        order = order[1:] + order[:1]
    return order


def _transcript(loaded: LoadedCourse, rel: str | None) -> Markup | None:
    if rel is None:
        return None
    path = loaded.assets_dir / rel
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if PurePosixPath(rel).suffix.lower() == ".md":
        return markdown_html(text)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
    return Markup("".join(f"<p>{escape(p)}</p>".replace("\n", "<br>\n") for p in paragraphs))


def _view(plan: ScoPlan) -> dict[str, Any]:
    """Everything the template needs, in order, with DOM ids decided here (not in the template)."""
    loaded = plan.loaded
    course = loaded.course
    caps = reflection_caps(plan)
    quiz_index = {id(q.block): i for i, q in enumerate(plan.quizzes)}
    modules = []
    page_no = 0
    for m_index, mod in enumerate(plan.modules):
        pages = []
        for p_index, page in enumerate(mod.module.pages):
            blocks = []
            for b_index, block in enumerate(page.blocks):
                item: dict[str, Any] = {"b": block, "type": block.type, "dom": f"cp-b-{page_no}-{b_index}"}
                if isinstance(block, (VideoBlock, AudioBlock)):
                    item["transcript"] = _transcript(loaded, block.transcript)
                elif block.type == "reflection":
                    item["cap"] = caps[block.id]
                    item["min"] = reflection_min(plan, block)
                elif block.type == "quiz":
                    qi = quiz_index[id(block)]
                    item["index"] = qi
                    item["dom"] = f"cp-quiz-{qi}"
                    questions = []
                    for n, q in enumerate(block.questions):
                        qv: dict[str, Any] = {"q": q, "dom": f"cp-quiz-{qi}-{n}", "number": n + 1}
                        if isinstance(q, Matching):
                            qv["options"] = [(i, q.pairs[i].match) for i in _scramble(f"{block.id}/{q.id}", [p.id for p in q.pairs])]
                        elif isinstance(q, Sequencing):
                            qv["order"] = _scramble(f"{block.id}/{q.id}", [i.id for i in q.items])
                        elif isinstance(q, FillIn):
                            qv["maxlength"] = fill_in_maxlength(q)
                        questions.append(qv)
                    item["questions"] = questions
                blocks.append(item)
            pages.append(
                {
                    "page": page,
                    "index": page_no,
                    "key": page_key(mod, p_index),
                    "first": p_index == 0,
                    "number": p_index + 1,
                    "blocks": blocks,
                }
            )
            page_no += 1
        modules.append({"m": mod.module, "index": m_index, "number": m_index + 1, "pages": pages})
    whole = plan.whole_course
    single = plan.modules[0].module if not whole and len(plan.modules) == 1 else None
    strings = strings_for(course.language, course.strings)
    return {
        "t": lambda key, **values: format_string(strings, key, **values),  # the player's words (strings.py)
        "course": course,
        "lang": course.language,
        "edition": plan.edition,
        "h1": course.title if single is None else single.title,
        "subtitle": None if single is None else course.title,
        "title": course.title if single is None else f"{single.title} – {course.title}",
        "modules": modules,
        "page_count": page_no,
        "certificate": course.certificate if plan.edition == "certificate" and whole else None,
        "data_json": Markup(course_data_json(plan)),
        "adapter": plan.adapter,
    }


def render_launch_page(loaded: LoadedCourse, edition: str, adapter: str, module_ids: list[str] | None = None) -> bytes:
    """The UTF-8 HTML launch page of one SCO (the whole course, or the listed modules)."""
    plan = plan_sco(loaded, edition, adapter, module_ids)
    html = _env().get_template("launch.html").render(**_view(plan))
    # authored Markdown is rendered without the course at hand: its links' note takes the course's language here
    note = strings_for(loaded.course.language, loaded.course.strings)["new_tab"]
    html = html.replace(NEW_TAB_NOTE, f'<span class="cp-sr"> {escape(note)}</span>')
    return html.encode("utf-8")


def runtime_files(adapter: str) -> dict[str, bytes]:
    """The player's files for a package, by path inside the package ("runtime/...")."""
    limits_for(adapter)  # refuses unknown adapters
    root = resources.files("coursepack").joinpath("runtime")
    names = sorted(set(_COMMON_RUNTIME) | {f"adapters/{adapter}.js"})
    return {f"runtime/{name}": root.joinpath(name).read_bytes() for name in names}


def referenced_assets(loaded: LoadedCourse, module_ids: list[str] | None = None) -> list[str]:
    """Asset paths (relative to assets/) the launch page links to; transcripts are inlined, not linked."""
    plan = plan_sco(loaded, "standard", "scorm12", module_ids)  # the asset list is the same for every target
    found: set[str] = set()
    for mod, p in plan.pages:
        for block in mod.module.pages[p].blocks:
            if isinstance(block, ImageBlock):
                found.add(block.src)
            elif isinstance(block, VideoBlock):
                found.update(x for x in (block.src, block.captions, block.poster) if x)
            elif isinstance(block, AudioBlock):
                found.add(block.src)
    certificate = loaded.course.certificate
    if plan.whole_course and certificate and certificate.signatory.signature:
        found.add(certificate.signatory.signature)  # only a whole-course SCO has the certificate page
    return sorted(found)
