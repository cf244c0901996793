"""The launch page and course data: every block and question type, sanitized, deterministic."""

from __future__ import annotations

import gzip
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from coursepack.load.course_loader import load_course
from coursepack.render.course_data import verification_code
from coursepack.render import page as page_module
from coursepack.render.page import referenced_assets, render_launch_page, render_unit, runtime_files
from coursepack.render.unit_contents import unit_contents
from coursepack.targets.registry import TARGETS
from coursepack.targets.limits import SCORM12_LIMITS as SCORM12
from conftest import REPO, SCAFFOLD


SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#123"/></svg>\n'

COURSE_YAML = """\
id: https://example.org/courses/full
slug: full
title: Every Block <Course>
description: |
  A course with **every** block type. <script>alert('desc')</script>
language: en-GB
version: 2.0.0
authors:
  - name: Tester
modules:
  - modules/basics.yaml
  - modules/advanced.yaml
completion:
  required_modules: all
  reflections_required: true
certificate:
  title: Certificate of Testing
  issuer: Test Org
  signatory:
    name: Dana Signer
    role: Lead
  statement: has *completed* every test.
  credit_hours: 1.5
  requires:
    modules: all
    quiz_pass_mark: 80
    reflection_min_chars: 30
"""

BASICS_YAML = """\
id: basics
title: Basics
description: The first module.
objectives:
  - See every kind of block.
minutes: 15
pages:
  - id: intro
    title: Introduction
    blocks:
      - type: text
        text: |
          # A heading
          Some *text* with a [link](https://example.org).

          <script>alert('x')</script><video src=x onerror="alert(1)"></video>
          <a href="javascript:alert(4)" onclick="alert(5)">bad link</a>

          | a | b |
          |---|---|
          | 1 | 2 |
      - type: image
        src: pic.svg
        alt: A dark square that stands for the test picture.
        caption: The *test* picture.
        width: 200
      - type: image
        src: pic2.svg
        alt: A second square, without a caption.
      - type: callout
        style: warning
        title: Careful
        text: Watch out <b onmouseover="x()">here</b>.
      - type: link
        url: https://example.org/reading
        title: Further reading
        description: A page about it.
  - id: media
    title: Watch and listen
    blocks:
      - type: video
        src: clip.mp4
        title: A short clip
        captions: clip.vtt
        transcript: clip.md
        poster: pic.svg
      - type: audio
        src: talk.mp3
        title: A short talk
        transcript: talk.txt
  - id: reflect
    title: Reflect
    blocks:
      - type: reflection
        id: basics-goal
        prompt: What do you want to learn? <script>alert(2)</script>
        guidance: A sentence or two.
        min_chars: 20
      - type: reflection
        id: basics-extra
        prompt: Anything else?
        required: false
        max_chars: 200
  - id: check
    title: Check
    blocks:
      - type: quiz
        id: basics-quiz
        title: Basics quiz
        attempts: 3
        questions:
          - id: single
            type: single_choice
            prompt: Pick *b*.
            choices:
              - id: a
                text: Choice A
                feedback: Not A.
              - id: b
                text: Choice B
                feedback: Yes, B.
              - id: c
                text: Choice C
            answer: b
            explanation: B is right.
            points: 2
          - id: multi
            type: multiple_response
            prompt: |
              Pick a and c.

              Both of them.
            choices:
              - id: a
                text: A
              - id: b
                text: B
              - id: c
                text: C
            answers: [a, c]
          - id: tf
            type: true_false
            prompt: The sky is blue.
            answer: true
            true_feedback: Indeed.
            false_feedback: Look up.
"""

ADVANCED_YAML = """\
id: advanced
title: Advanced
objectives:
  - Answer harder questions.
minutes: 10
pages:
  - id: quiz
    title: Harder questions
    blocks:
      - type: quiz
        id: advanced-quiz
        attempts: 2
        shuffle: true
        questions:
          - id: fill
            type: fill_in
            prompt: Name the format courses are written in.
            accepted: [YAML, yml]
          - id: match
            type: matching
            prompt: Match each term.
            pairs:
              - id: one
                prompt: One
                match: "1"
              - id: two
                prompt: Two
                match: "2"
              - id: three
                prompt: Three
                match: "3"
          - id: order
            type: sequencing
            prompt: Put them in order.
            items:
              - id: first
                text: First
              - id: second
                text: Second
              - id: third
                text: Third
"""


def make_full_course(root: Path) -> Path:
    """A course using every block and question type (the browser tests play it too)."""
    (root / "modules").mkdir(parents=True, exist_ok=True)
    (root / "assets").mkdir(exist_ok=True)
    (root / "course.yaml").write_text(COURSE_YAML, encoding="utf-8")
    (root / "modules" / "basics.yaml").write_text(BASICS_YAML, encoding="utf-8")
    (root / "modules" / "advanced.yaml").write_text(ADVANCED_YAML, encoding="utf-8")
    (root / "assets" / "pic.svg").write_text(SVG, encoding="utf-8")
    (root / "assets" / "pic2.svg").write_text(SVG, encoding="utf-8")
    (root / "assets" / "clip.mp4").write_bytes(b"")
    (root / "assets" / "talk.mp3").write_bytes(b"")
    (root / "assets" / "clip.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n", encoding="utf-8")
    (root / "assets" / "clip.md").write_text("The **speaker** says hello. <script>alert(3)</script>\n", encoding="utf-8")
    (root / "assets" / "talk.txt").write_text("Line one <b>not bold</b>\n\nSecond paragraph.\n", encoding="utf-8")
    (root / "assets" / "unused.svg").write_text(SVG, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    return load_course(make_full_course(tmp_path_factory.mktemp("full")))


@pytest.fixture(scope="module")
def scaffold():
    return load_course(SCAFFOLD)


def page_html(loaded, edition="certificate", module_ids=None) -> str:
    return render_launch_page(unit_contents(loaded, edition, module_ids), "scorm12", SCORM12).decode("utf-8")


def data_of(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="coursepack-data">(.*?)</script>', html, re.S)
    assert match
    return json.loads(match.group(1))


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Collector()
    parser.feed(html)
    return parser.tags


# ---- course data -------------------------------------------------------------------------------

def test_course_data_shape(full) -> None:
    data = data_of(page_html(full))
    assert data["format"] == 3 and len(data["fp"]) == 4
    assert data["course"] == {"id": "https://example.org/courses/full", "version": "2.0.0", "title": "Every Block <Course>", "lang": "en-GB"}
    assert (data["edition"], data["adapter"], data["sco"], data["scored"], data["mark"]) == ("certificate", "scorm12", "course", True, 80)
    assert data["limits"] == {"suspend": 4096, "comments": 4096, "location": 255}
    assert [p["key"] for p in data["pages"]] == ["basics/intro", "basics/media", "basics/reflect", "basics/check", "advanced/quiz"]
    assert data["modules"][0] == {"id": "basics", "title": "Basics", "required": True, "pages": [0, 1, 2, 3], "quizzes": [0], "reflections": [0, 1]}
    basics, advanced = data["quizzes"]
    assert (basics["id"], basics["page"], basics["mark"], basics["attempts"], basics["shuffle"]) == ("basics-quiz", 3, 80, 3, False)
    assert basics["questions"][0] == {"id": "single", "type": "single_choice", "points": 2, "choices": ["a", "b", "c"], "answer": 1}
    assert basics["questions"][1]["answers"] == [0, 2]
    assert basics["questions"][2]["answer"] is True
    assert advanced["title"] == "Quiz" and advanced["attempts"] == 2 and advanced["shuffle"] is True
    assert advanced["questions"][0] == {"id": "fill", "type": "fill_in", "points": 1, "accepted": ["YAML", "yml"], "case": False, "ws": "normalize", "maxlength": 40}
    assert advanced["questions"][1]["pairs"] == ["one", "two", "three"]
    assert advanced["questions"][2]["items"] == ["first", "second", "third"]
    goal, extra = data["reflections"]
    assert goal["min"] == 30 and goal["required"] is True  # the certificate asks more than min_chars 20
    assert extra == {"id": "basics-extra", "page": 2, "required": False, "min": 0, "max": 801, "chars": 200}  # 200 characters of any script
    assert goal["max"] + extra["max"] + 2 * 8 + len("basics-goal") + len("basics-extra") + 5 <= 4096
    assert data["certificate"] == {"title": "Certificate of Testing", "issuer": "Test Org", "hours": 1.5, "standalone": False}


def test_standard_edition_rules(full) -> None:
    data = data_of(page_html(full, "standard"))
    assert data["scored"] is False and data["mark"] is None and data["certificate"] is None
    assert [q["mark"] for q in data["quizzes"]] == [None, None]
    assert data["reflections"][0]["min"] == 20


def test_per_module_sco(full) -> None:
    html = page_html(full, "certificate", ["advanced"])
    data = data_of(html)
    assert data["sco"] == "module:advanced" and data["certificate"] is None
    assert [p["key"] for p in data["pages"]] == ["advanced/quiz"]
    assert "<h1 class=\"cp-title\">Advanced</h1>" in html and "<title>Advanced – Every Block &lt;Course&gt;</title>" in html
    assert 'id="cp-certificate"' not in html
    assert assets_of(full, ["advanced"]) == []


def test_json_is_compact_and_script_safe(full) -> None:
    html = page_html(full)
    raw = re.search(r'id="coursepack-data">(.*?)</script>', html, re.S).group(1)
    assert "<" not in raw and ">" not in raw and "&" not in raw
    # compact: no space after separators (the player's strings table has its own ": " and ", ")
    compact = json.dumps(json.loads(raw), separators=(",", ":"), ensure_ascii=True)
    assert raw == compact.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    assert raw.isascii()


# ---- HTML --------------------------------------------------------------------------------------

def test_sanitized(full) -> None:
    html = page_html(full)
    body = html.split('<script type="application/json"')[0]
    assert "<script>" not in body and "alert(" not in body
    assert "onerror" not in html and "onmouseover" not in html and "onclick" not in html
    assert "javascript:" not in html and "<video src=\"x\"" not in html
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html  # .txt transcripts are text
    assert "<strong>speaker</strong>" in html  # .md transcripts are Markdown
    scripts = [a.get("src") for t, a in tags_of(html) if t == "script"]
    assert scripts == [None, "runtime/coursepack.js"]


def test_structure_and_accessibility_hooks(full) -> None:
    html = page_html(full)
    tags = tags_of(html)
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"en-GB\"")
    assert [t for t, _ in tags].count("h1") == 1
    assert {"header", "nav", "main"} <= {t for t, _ in tags}
    assert '<a class="cp-skip" href="#cp-main">' in html
    # authored "# A heading" is shifted below the page's h2
    assert "<h3>A heading</h3>" in html
    # every page is a hidden section with an h2 that can take focus
    sections = [a for t, a in tags if t == "section" and a.get("data-cp-view") == "page"]
    assert [s["data-cp-page"] for s in sections] == ["basics/intro", "basics/media", "basics/reflect", "basics/check", "advanced/quiz"]
    assert all("hidden" in s for s in sections)
    # images: alt, assets/ path, caption as figcaption
    imgs = [a for t, a in tags if t == "img"]
    assert imgs[0] == {"src": "assets/pic.svg", "alt": "A dark square that stands for the test picture.", "id": "cp-b-0-1-img", "width": "200", "height": "200"}
    assert "<figcaption>The <em>test</em> picture.</figcaption>" in html
    # media: captions track and transcript disclosure
    assert '<track kind="captions" src="assets/clip.vtt" srclang="en-GB" label="Captions" default>' in html
    assert html.count('<details class="cp-transcript">') == 2
    # links open in a new tab and say so
    assert 'href="https://example.org/reading" target="_blank" rel="noopener noreferrer">Further reading <span class="cp-newtab">(opens in a new tab)</span>' in html
    # reflections: labelled, counted, capped
    ta = [a for t, a in tags if t == "textarea"]
    assert [a["data-cp-reflection-input"] for a in ta] == ["basics-goal", "basics-extra"]
    # no maxlength: it counts UTF-16 units (an emoji is 2); the player counts characters and storage
    assert ta[0]["aria-required"] == "true" and "maxlength" not in ta[1]
    assert "at most 200" in html and "Write in any language" in html
    for a in ta:
        assert a["aria-labelledby"] and f'id="{a["aria-labelledby"]}"' in html
    # questions: fieldset + legend, inputs labelled
    assert html.count('<fieldset class="cp-question') == 6 and html.count("<legend") == 6
    for tag, a in tags:
        if tag in ("input", "select") and a.get("type") != "hidden":
            assert f'for="{a["id"]}"' in html, a
    # sequencing items never start in the right order
    order = re.findall(r'data-cp-item="(\w+)"', html)
    assert order != ["first", "second", "third"] and sorted(order) == ["first", "second", "third"]
    assert html.count('data-cp-move="up"') == 3 and html.count('data-cp-move="down"') == 3
    # a multi-paragraph prompt cannot sit in a legend: it is described-by instead
    assert 'aria-describedby="cp-quiz-0-1-prompt"' in html
    # certificate page and its hooks
    for hook in ("data-cp-cert-locked", "data-cp-cert-missing", "data-cp-cert-name", "data-cp-cert-date", "data-cp-cert-code", 'data-cp-action="print"'):
        assert hook in html
    assert "<dd>1.5</dd>" in html and "Dana Signer" in html and "<p>has <em>completed</em> every test.</p>" in html.replace("</p>\n", "</p>")


def test_standard_edition_has_no_certificate(full) -> None:
    html = page_html(full, "standard")
    assert 'id="cp-certificate"' not in html and 'data-cp-goto="certificate"' not in html


def test_deterministic_bytes(full, tmp_path) -> None:
    first = page_html(full)
    again = load_course(make_full_course(tmp_path / "again"))
    assert page_html(again) == first
    assert page_html(full) == first
    assert runtime_files("scorm12") == runtime_files("scorm12")


@pytest.mark.parametrize("module_ids", [None, ["advanced"]], ids=["course", "module"])
def test_page_files_hold_the_markup_a_small_unit_keeps_inline(full, monkeypatch, module_ids) -> None:
    """One render of each page, two places: a small unit's <noscript>s, or a large one's page files
    (in order, split by size, the launch page keeping no section per page)."""
    unit = unit_contents(full, "certificate", module_ids)
    inline = render_unit(unit, "scorm12", SCORM12)
    assert inline.pages == {}
    kept = [m.group(1) for m in re.finditer(r"<noscript data-cp-inert>\n(.*?)    </noscript>", inline.launch.decode(), re.S)]
    monkeypatch.setattr(page_module, "INLINE_PAGES_MAX", 0)
    monkeypatch.setattr(page_module, "PAGE_FILE_BYTES", 3000)
    paged = render_unit(unit, "scorm12", SCORM12)
    folder = "pages/course/" if module_ids is None else "pages/advanced/"
    assert list(paged.pages) == [f"{folder}{n}.js" for n in range(len(paged.pages))]
    assert len(paged.pages) > 1 or len(unit.pages) == 1
    held, questions = [], {}
    for n, body in enumerate(paged.pages.values()):
        call = re.fullmatch(r"Coursepack\.pageMarkup\((\d+),(.*)\);\n", body.decode("ascii"), re.S)
        assert call and int(call.group(1)) == len(held)
        markup, quizzes = json.loads(f"[{call.group(2)}]")
        assert n == len(paged.pages) - 1 or sum(map(len, markup)) >= 3000  # files end once past the size
        # with the questions and keys of the quizzes on its pages
        on_pages = [qi for qi, ref in enumerate(unit.quizzes) if len(held) <= ref.page_index < len(held) + len(markup)]
        assert sorted(map(int, quizzes)) == on_pages
        held += markup
        questions.update({int(qi): qs for qi, qs in quizzes.items()})
    assert held == kept and len(kept) == len(unit.pages)
    launch = paged.launch.decode()
    # the launch page's course data: no question, no key; per quiz its answer shape and points
    small, large = data_of(inline.launch.decode()), data_of(launch)
    assert questions == {qi: q["questions"] for qi, q in enumerate(small["quizzes"])} and questions
    for inline_quiz, quiz in zip(small["quizzes"], large["quizzes"], strict=True):
        assert quiz == {k: v for k, v in inline_quiz.items() if k != "questions"} | {"shape": quiz["shape"], "points": quiz["points"]}
        assert quiz["points"] == sum(q["points"] for q in inline_quiz["questions"])
    # and per module its minutes (the player builds the contents' entries past page.MENU_MODULES_SHIPPED)
    assert [m.pop("minutes") for m in large["modules"]] == [m.module.minutes for m in unit.modules]
    assert {k: v for k, v in large.items() if k != "quizzes"} == {k: v for k, v in small.items() if k != "quizzes"}
    # type letters and widths: 3 choices, 3 choices, true/false; fill-in, 3 pairs, 3 items
    shapes = {"basics-quiz": "c3m3t", "advanced-quiz": "fp3s3"}
    assert [q["shape"] for q in large["quizzes"]] == [shapes.get(q["id"], q["id"]) for q in large["quizzes"]]
    assert "data-cp-inert>\n" not in launch.split('<ol class="cp-modules"')[0]
    # no page has a section (the player makes each, with its attributes, when it is needed)
    assert '<section class="cp-view cp-page"' not in launch and 'id="cp-page-' not in launch and 'data-cp-view="page"' not in launch
    # and the contents' page lists empty, one per module (the player fills them from the course data)
    assert launch.count('<ol class="cp-pages" data-cp-pages="') == len(unit.modules) and 'href="#cp-page-' not in launch
    assert f'data-cp-page-files="{folder}"' in launch and len(inline.launch) - len(paged.launch) > sum(map(len, kept)) / 2
    # and again: the same bytes
    assert render_unit(unit_contents(full, "certificate", module_ids), "scorm12", SCORM12) == paged


@pytest.mark.parametrize("adapter", ["scorm12", "xapi"])
def test_a_large_unit_preloads_the_scripts_it_runs(full, monkeypatch, adapter) -> None:
    """A large unit's scripts stand at the end of a long page: its head preloads each, in the order the
    body runs them (the browser fetches them at once); a small unit's page has no preload."""
    unit = unit_contents(full, "certificate", None)

    def preloads_and_scripts(launch: bytes) -> tuple[list[str | None], list[str | None]]:
        head, body = launch.decode().split("</head>")
        preloads = [a["href"] for tag, a in tags_of(head) if tag == "link" and a.get("rel") == "preload" and a.get("as") == "script"]
        return preloads, [a["src"] for tag, a in tags_of(body) if tag == "script" and "src" in a]

    small = render_unit(unit, adapter, SCORM12).launch
    assert b'rel="preload"' not in small and preloads_and_scripts(small)[1] == ["runtime/coursepack.js"]
    monkeypatch.setattr(page_module, "INLINE_PAGES_MAX", 0)
    large = render_unit(unit, adapter, SCORM12).launch
    preloads, scripts = preloads_and_scripts(large)
    assert preloads == scripts == ["runtime/coursepack.js"]
    monkeypatch.setattr(page_module, "_targets_only_printed", lambda: False)  # each target renders its own page
    assert render_unit(unit, adapter, SCORM12).launch == large


def test_nothing_is_drawn_before_the_launch_page_is_parsed(full, monkeypatch) -> None:
    """Every launch page's head holds a render-blocking "expect" link whose target no element has, so the
    browser draws its first frame once the page is parsed (its script run), not a frame of the bare page
    that the ready script would wait behind."""
    unit = unit_contents(full, "certificate", None)
    small = render_unit(unit, "scorm12", SCORM12).launch.decode()
    monkeypatch.setattr(page_module, "INLINE_PAGES_MAX", 0)
    for launch in (small, render_unit(unit, "xapi", SCORM12).launch.decode()):
        head = launch.split("</head>")[0]
        expects = [a for tag, a in tags_of(head) if tag == "link" and a.get("rel") == "expect"]
        assert [(a["href"][:1], a.get("blocking")) for a in expects] == [("#", "render")], expects
        ids = {a["id"] for _, a in tags_of(launch) if a.get("id")}
        assert expects[0]["href"][1:] not in ids and "<script" not in head


def assets_of(loaded, module_ids=None) -> list[str]:
    return referenced_assets(unit_contents(loaded, "standard", module_ids))


def test_referenced_assets(full, scaffold) -> None:
    assert assets_of(full) == ["clip.mp4", "clip.vtt", "pic.svg", "pic2.svg", "talk.mp3"]
    assert assets_of(full, ["basics"]) == assets_of(full)
    assert assets_of(scaffold) == ["welcome.svg"]
    for rel in assets_of(full):
        assert f'"assets/{rel}"' in page_html(full)


def test_runtime_files_small_and_relative(full) -> None:
    files = runtime_files("scorm12")
    assert sorted(files) == ["runtime/coursepack.js", "runtime/player.css"]
    # the scripts in the order they ran as separate files: each is its source minified
    sources = re.findall(rb"source: builder/runtime/([\w/.]+) \*/", files["runtime/coursepack.js"])
    assert sources == [b"tracking.js", b"adapters/scorm12.js", b"adapters/standalone.js", b"player.js"]
    html = page_html(full)
    for _, attrs in tags_of(html):
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            if value.startswith("runtime/"):
                assert value in files
    assert "//" not in "".join(re.findall(r'(?:src)="([^"]*)"', html))  # nothing fetched from outside
    with pytest.raises(ValueError):
        runtime_files("nope")


@pytest.mark.parametrize("target", ["scorm12", "scorm2004", "xapi", "cmi5"])
def test_every_targets_runtime_under_budget(target: str) -> None:
    """bench/README.md's budget, measured as bench/run.py's runtime_size does: every JS and CSS file a
    package of the target carries, concatenated, gzip -9, under 40 KB."""
    files = runtime_files(TARGETS[target].adapter)
    blob = b"".join(content for name, content in sorted(files.items()) if name.endswith((".js", ".css")))
    gzipped = len(gzip.compress(blob, 9))
    assert gzipped < 40 * 1024, f"{target}'s runtime: {gzipped:,} bytes gzipped"


def test_example_course_renders() -> None:
    if not (REPO / "course.yaml").exists():
        pytest.skip("example course not written yet")
    loaded = load_course(REPO)
    for edition in ("standard", "certificate"):
        html = page_html(loaded, edition)
        assert html.count("<h1") == 1
        data = data_of(html)
        assert len(data["pages"]) == sum(len(m.module.pages) for m in loaded.modules)


def test_scaffold_renders_both_editions(scaffold) -> None:
    for edition in ("standard", "certificate"):
        data = data_of(page_html(scaffold, edition))
        assert data["scored"] is True and data["mark"] == 80


def test_plan_refuses_unknown_things(scaffold) -> None:
    with pytest.raises(ValueError):
        unit_contents(scaffold, "deluxe")
    with pytest.raises(ValueError):
        unit_contents(scaffold, "standard", ["nope"])


def test_verification_code_documented_algorithm() -> None:
    code = verification_code("https://example.org/courses/my-course", "0.1.0", "learner-001", "", "2026-11-25")
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}", code)
    # learner id wins over the name; without an id the name counts, spacing and case aside
    assert verification_code("c", "1", "id1", "Ann", "2026-01-01") == verification_code("c", "1", "id1", "Bob", "2026-01-01")
    assert verification_code("c", "1", "", "Ann  Lee", "2026-01-01") == verification_code("c", "1", "", "ann lee", "2026-01-01")
    assert verification_code("c", "1", "", "Ann Lee", "2026-01-01") != verification_code("c", "1", "", "Ann Lee", "2026-01-02")
    assert code == "Y5X1B-YMHYK"  # the player computed this for the scaffold's certificate (browser-checked)


# ---- issue 10 §5-§7: headings, captions, figures, the certificate ------------------------------

from coursepack.load.errors import CourseError  # noqa: E402
from coursepack.render.markdown import markdown_html  # noqa: E402


def test_bold_paragraph_used_as_heading_becomes_one() -> None:
    html = str(markdown_html("**Try this**\n\nOpen the tool.\n\n# Part\n\n**Sub-step**\n\nMore."))
    assert "<h3>Try this</h3>" in html and "<h3>Part</h3>" in html
    assert "<h4>Sub-step</h4>" in html  # one level below the heading before it
    assert "<h4>Try this</h4>" in str(markdown_html("**Try this**\n\nOpen the tool.", 4))  # in a block with its own h3


def test_bold_text_that_is_not_a_heading_stays_bold() -> None:
    for text in ("**Never paste student names.**\n\nThey stay in the log.", "Before.\n\n**Last words**", "**Alone**",
                 "Some **bold** words.\n\nMore."):
        html = str(markdown_html(text))
        assert "<h" not in html and "<strong>" in html, text


def test_table_caption_from_table_line_or_lead_in() -> None:
    table = "| a | b |\n|---|---|\n| 1 | 2 |\n"
    html = str(markdown_html(f"Table: Tools *we* use\n\n{table}"))
    assert "<table>\n<caption>Tools <em>we</em> use</caption>" in html and "Table:" not in html and "<p>" not in html
    html = str(markdown_html(f"Compare two prompts:\n\n{table}"))
    assert "<caption>Compare two prompts:</caption>" in html and html.count("Compare two prompts") == 1
    html = str(markdown_html(f"A paragraph about something else.\n\n{table}"))
    assert "<caption>" not in html and "<p>A paragraph about something else.</p>" in html
    assert "<caption>" not in str(markdown_html(table))


def test_reflection_is_headed_and_named_by_its_prompt(full) -> None:
    html = page_html(full)
    block = re.search(r'<div class="cp-block cp-reflection".*?</textarea>', html, re.S)
    assert block and '<h3 class="cp-kind">Reflection</h3>' in block.group(0)
    textarea = re.search(r'<textarea [^>]*aria-labelledby="([^"]+)"', block.group(0))
    assert textarea and f'id="{textarea.group(1)}"' in block.group(0) and "cp-reflection-prompt" in block.group(0)


def test_every_image_opens_full_size_in_a_new_tab(full) -> None:
    html = page_html(full)
    images = [a for t, a in tags_of(html) if t == "img"]
    links = [a for t, a in tags_of(html) if t == "a" and (a.get("href") or "").startswith("assets/")]
    assert len(images) == 2 and [link["href"] for link in links] == [img["src"] for img in images]
    for img, link in zip(images, links):
        assert link["target"] == "_blank" and link["rel"] == "noopener noreferrer"
        assert link["aria-describedby"] == img["id"]  # the alt text tells two figures' links apart
    assert html.count("Open full size <span class=\"cp-newtab\">(opens in a new tab)</span>") == 2


def _signed_course(tmp_path: Path, signature: str = "sign/dana.svg", statement: str | None = None) -> Path:
    root = make_full_course(tmp_path)
    text = (root / "course.yaml").read_text(encoding="utf-8")
    text = text.replace("    role: Lead\n", f"    role: Lead\n    signature: {signature}\n")
    if statement is not None:
        text = text.replace("  statement: has *completed* every test.\n", f"  statement: {statement}\n")
    (root / "course.yaml").write_text(text, encoding="utf-8")
    (root / "assets" / "sign").mkdir()
    (root / "assets" / "sign" / "dana.svg").write_text(SVG, encoding="utf-8")
    return root


def test_certificate_signature_hours_and_course_named_once(tmp_path) -> None:
    loaded = load_course(_signed_course(tmp_path))
    html = page_html(loaded)
    assert '<img class="cp-cert-signature" src="assets/sign/dana.svg" alt="Signature of Dana Signer">' in html
    assert "<dt>Hours of professional learning</dt><dd>1.5</dd>" in html and "Credit hours" not in html
    assert '<p class="cp-cert-course">Every Block &lt;Course&gt;</p>' in html  # the statement does not name it
    assert "sign/dana.svg" in assets_of(loaded)
    assert "sign/dana.svg" not in assets_of(loaded, ["basics"])  # no certificate page in a module's SCO
    named = load_course(_signed_course(tmp_path / "named", statement="has completed *Every Block <Course>*."))
    assert 'class="cp-cert-course"' not in page_html(named)


def test_no_signature_no_empty_signature_line(full) -> None:
    html = page_html(full)
    assert 'class="cp-cert-sign"' in html and "cp-cert-signed" not in html and "cp-cert-signature" not in html


@pytest.mark.parametrize(
    ("signature", "setup", "expected"),
    [
        ("sign/missing.svg", None, "asset 'sign/missing.svg' not found in assets/"),
        ("sign/dana.gif", "GIF89a", "'sign/dana.gif' is not a PNG, JPEG or SVG image"),
        ("sign/evil.svg", '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "script"),
    ],
)
def test_signature_checked_like_other_images(tmp_path, signature, setup, expected) -> None:
    root = _signed_course(tmp_path, signature)
    if setup is not None:
        (root / "assets" / signature).write_text(setup, encoding="utf-8")
    with pytest.raises(CourseError) as caught:
        load_course(root)
    messages = [str(p) for p in caught.value.problems]
    assert any(m.split(":")[0].endswith("course.yaml") and expected in m for m in messages), messages
