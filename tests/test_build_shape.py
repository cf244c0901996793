"""The shapes that keep builds fast and targets pluggable (issue 12 §0, issue 16): each Markdown text is
rendered once per build whatever the number of targets and editions, sharing renders changes no byte,
a target may have no storage budget, and a course split into one unit per module is looked up once."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from coursepack.commands.build import build_packages
from coursepack.load.course_loader import load_course
from coursepack.load.yaml_source import SourceMap
from coursepack.render import markdown, page, unit_contents as unit_contents_module
from coursepack.render.course_data import course_data
from coursepack.render.render_cache import RenderCache
from coursepack.render.state_budget import authored_cap, check_state_budget, reflection_caps
from coursepack.render.unit_contents import unit_contents
from coursepack.targets import fit, scorm12
from coursepack.targets.limits import SCORM12_LIMITS
from coursepack.targets.package import package_files
from coursepack.targets.registry import TARGETS
from coursepack.targets.target import Target
from conftest import REPO
from test_render import make_full_course
from test_state_budget import make_course, quiz_page, reflection_page


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    return load_course(make_full_course(tmp_path_factory.mktemp("full")))


@pytest.fixture
def markdown_renders(monkeypatch) -> Counter:
    """Every Markdown render from now on, by kind and text (markdown-it's own entry points, so a
    render that goes around the build's cache is counted too)."""
    counts: Counter = Counter()
    block, inline = markdown._parser().render, markdown._parser().renderInline

    def count_block(text, *args, **kwargs):
        counts["block", text] += 1
        return block(text, *args, **kwargs)

    def count_inline(text, *args, **kwargs):
        counts["inline", text] += 1
        return inline(text, *args, **kwargs)

    monkeypatch.setattr(markdown._parser(), "render", count_block)
    monkeypatch.setattr(markdown._parser(), "renderInline", count_inline)
    return counts


@pytest.mark.parametrize("per_module", [None, True], ids=["default-split", "unit-per-module"])
def test_every_target_and_edition_renders_each_markdown_text_once(full, markdown_renders, per_module, tmp_path: Path) -> None:
    built = build_packages(full, list(TARGETS), full.course.editions(), tmp_path, per_module=per_module)
    assert len(built) == len(TARGETS) * 2
    assert markdown_renders, "nothing was rendered: the count would prove nothing"
    again = {key: n for key, n in markdown_renders.items() if n > 1}
    assert again == {}, f"rendered more than once in one build: {again}"
    rendered = {text for _, text in markdown_renders}
    # the course's texts of every kind with markup went through the count: a transcript, and the
    # certificate's statement where there is a certificate page (a whole-course unit)
    expected = {"The **speaker** says hello. <script>alert(3)</script>\n"}
    assert expected | ({"has *completed* every test."} if per_module is None else set()) <= rendered
    # plain texts (a module's description, a choice) are their own HTML: never parsed
    assert not {"The first module.", "Choice A"} & rendered


def test_each_page_is_rendered_once_per_edition_for_every_target(full, monkeypatch, tmp_path: Path) -> None:
    """A unit's page differs by target only in the course data and the adapter: the template runs
    once per unit and edition, each target writing its own two values in."""
    renders: Counter = Counter()
    layouts: Counter = Counter()  # each page's content, rendered once per unit and edition with the layout
    render, layout = page._render, page._layout

    def counted(shared, *args):
        renders[shared.unit.edition, tuple(m.module.id for m in shared.unit.modules)] += 1
        return render(shared, *args)

    def counted_layout(unit, *args):
        layouts[unit.edition, tuple(m.module.id for m in unit.modules)] += 1
        return layout(unit, *args)

    monkeypatch.setattr(page, "_render", counted)
    monkeypatch.setattr(page, "_layout", counted_layout)
    build_packages(full, list(TARGETS), full.course.editions(), tmp_path, per_module=True)
    per_module = {(e, (m,)): 1 for e in full.course.editions() for m in ("basics", "advanced")}
    whole = {(e, ("basics", "advanced")): 1 for e in full.course.editions()}  # xAPI: always one unit, the course
    assert len(TARGETS) > 1 and renders == Counter({**per_module, **whole}) == layouts


def test_example_course_renders_each_markdown_text_once(markdown_renders, tmp_path: Path) -> None:
    loaded = load_course(REPO)
    markdown_renders.clear()  # the loader's link check reads links, it renders no page
    build_packages(loaded, list(TARGETS), loaded.course.editions(), tmp_path)
    assert markdown_renders and max(markdown_renders.values()) == 1


@pytest.mark.parametrize("inline_max", [page.INLINE_PAGES_MAX, 0], ids=["pages inline", "page files"])
def test_shared_renders_give_the_same_bytes_as_fresh_ones(full, monkeypatch, inline_max: int) -> None:
    """What differs by edition and target (certificate view, reflection minimums, when answers show,
    adapter, limits) is decided outside the Markdown: sharing the renders changes no byte."""
    monkeypatch.setattr(page, "INLINE_PAGES_MAX", inline_max)
    shared = RenderCache()
    for per_module in (None, True):
        for target in TARGETS:
            for edition in full.course.editions():
                alone = package_files(full, target, edition, per_module=per_module)
                together = package_files(full, target, edition, per_module=per_module, renders=shared)
                pages = [name for name in alone if name.endswith(".html") or name.startswith("pages/")]
                assert pages and all(alone[name] == together[name] for name in pages), (target, edition, per_module)


def test_a_shared_page_is_the_page_each_target_would_render(full, monkeypatch) -> None:
    shared = {t: package_files(full, t, "certificate", per_module=False, renders=RenderCache())["index.html"] for t in TARGETS}
    monkeypatch.setattr(page, "_targets_only_printed", lambda: False)  # every target renders its own page
    alone = {t: package_files(full, t, "certificate", per_module=False, renders=RenderCache())["index.html"] for t in TARGETS}
    assert shared == alone
    assert shared["scorm2004"].count(b'<script src="runtime/coursepack.js"></script>') == 1
    assert b"coursepack-target-slot" not in shared["scorm12"]


def test_an_author_text_holding_a_placeholder_stays_as_written(tmp_path: Path, monkeypatch) -> None:
    slots = "coursepack-target-slot:adapter coursepack-target-slot:data_json"
    root = make_full_course(tmp_path / "slot")
    course = root / "course.yaml"
    # on the page (the title): that page is not shared; only in the course data (a string only the player shows): it is
    course.write_text(course.read_text().replace("title: Every Block <Course>", "title: 'coursepack-target-slot:data_json'")
                      + f"strings:\n  type_name: '{slots}'\n")
    rendered: Counter = Counter()
    render = page._render

    def counted(unit, *args):
        rendered["pages"] += 1
        return render(unit, *args)

    monkeypatch.setattr(page, "_render", counted)
    for title, shared in (("coursepack-target-slot:data_json", False), ("Plain", True)):
        course.write_text(re.sub(r"(?m)^title: .*$", f"title: '{title}'", course.read_text(), count=1))
        loaded = load_course(root)
        renders = RenderCache()
        rendered.clear()
        for target in TARGETS:
            html = package_files(loaded, target, "standard", per_module=False, renders=renders)["index.html"]
            assert html.count(f"<title>{title}</title>".encode()) == 1
            assert html.count(b'<script src="runtime/coursepack.js"></script>') == 1
            data = _data_of(html)
            assert data["adapter"] == target and data["course"]["title"] == title and data["strings"]["type_name"] == slots
        # a shared page: one render with placeholders; else the one that found two, then one per target
        assert rendered["pages"] == (1 if shared else 1 + len(TARGETS))


def test_each_target_module_owns_its_target() -> None:
    assert list(TARGETS) == ["scorm12", "scorm2004", "xapi", "cmi5"]  # `coursepack build --target` choices, in order
    manifests = {"scorm12": "imsmanifest.xml", "scorm2004": "imsmanifest.xml", "xapi": "tincan.xml", "cmi5": "cmi5.xml"}
    for name, target in TARGETS.items():
        assert target.name == name and target.adapter == name and target.manifest_name == manifests[name]
    for name in ("scorm12", "scorm2004"):  # SCORM: one SCO for the course by default, a budget to prove
        assert TARGETS[name].limits is not None and not TARGETS[name].unit_per_module and not TARGETS[name].one_unit
    # the LRS targets keep state in the State API (no size limit); cmi5 has an AU per module, xAPI one activity
    assert TARGETS["xapi"].limits is None and TARGETS["xapi"].one_unit
    assert TARGETS["cmi5"].limits is None and TARGETS["cmi5"].unit_per_module and not TARGETS["cmi5"].one_unit
    assert TARGETS["scorm12"].limits.as_json() == {"suspend": 4096, "comments": 4096, "location": 255}


def _data_of(html: bytes) -> dict:
    match = re.search(rb'<script type="application/json" id="coursepack-data">(.*?)</script>', html, re.S)
    assert match
    return json.loads(match.group(1))


def test_a_target_without_a_storage_budget(tmp_path: Path, monkeypatch) -> None:
    """An LRS-backed target (State API: no 4,096 limit) has limits=None: nothing to prove, and
    reflections are capped by their authors' max_chars only (else the model's ceiling)."""
    loaded = load_course(make_course(tmp_path / "big", [quiz_page(n, 9) for n in range(10)]
                                     + [reflection_page(20), reflection_page(21, max_chars=300)]))
    assert check_state_budget(unit_contents(loaded, "standard"), SCORM12_LIMITS)  # too big for SCORM 1.2
    unbounded = Target("unbounded", adapter="scorm12", manifest_name="imsmanifest.xml",
                       write_manifest=scorm12.build_manifest, limits=None, unit_per_module=True)
    monkeypatch.setitem(TARGETS, "unbounded", unbounded)
    assert fit.fit_problems(loaded, "unbounded", "standard") == []
    files = package_files(loaded, "unbounded", "standard")
    assert sorted(name for name in files if name.endswith(".html")) == ["sco-m.html", "sco-n.html"]  # its default split
    data = _data_of(files["sco-m.html"])
    assert data["limits"] is None
    assert {r["id"]: r["max"] for r in data["reflections"]} == {"r20": authored_cap(4000), "r21": authored_cap(300)}
    contents = unit_contents(loaded, "standard")
    assert reflection_caps(contents, None) == {"r20": authored_cap(4000), "r21": authored_cap(300)}
    assert course_data(contents, "scorm12", None)["limits"] is None


def test_a_unit_per_module_build_finds_modules_through_one_index(tmp_path: Path, monkeypatch) -> None:
    """Each unit's modules are looked up in one index made per package, not by scanning the course
    once per unit (which made --sco-per-module builds quadratic)."""
    root = make_course(tmp_path / "c", [reflection_page(0)])
    course_yaml = root / "course.yaml"
    extra = [f"x{i}" for i in range(12)]
    course_yaml.write_text(course_yaml.read_text() + "".join(f"  - modules/{m}.yaml\n" for m in extra))
    for m in extra:
        (root / "modules" / f"{m}.yaml").write_text(
            f"id: {m}\ntitle: {m}\nobjectives: [Read.]\nminutes: 1\npages:\n  - id: p\n    title: P\n    blocks:\n"
            "      - type: text\n        text: Hello.\n")
    loaded = load_course(root)
    made = Counter()
    original = unit_contents_module.ModuleIndex.__init__

    def counted(self, course):
        made["index"] += 1
        original(self, course)

    monkeypatch.setattr(unit_contents_module.ModuleIndex, "__init__", counted)
    files = package_files(loaded, "scorm12", "standard", per_module=True)
    assert sum(name.startswith("sco-") for name in files) == 14
    assert made["index"] == 1


def test_link_check_sees_only_real_links() -> None:
    """Texts without '[' or '<' hold no link and are not rendered for the check; code that shows
    an href is text, not a link."""
    assert markdown.link_targets("Plain words, https://example.org and **bold**.") == []
    assert markdown.link_targets('Write `<a href="page.html">` in HTML.') == []
    assert markdown.link_targets('[a](https://a.example) <https://b.example> [c]\n\n[c]: page.html') == [
        "https://a.example", "https://b.example", "page.html"]


def test_a_valid_course_is_loaded_and_built_without_working_out_positions(tmp_path: Path, monkeypatch) -> None:
    """Every value's position in its file is worked out only when a problem needs one (parsing the
    file's text again): keeping them all from the start cost more memory than the course itself."""
    worked_out: Counter = Counter()
    positions = SourceMap._positions

    def counted(self):
        if self._tables is None:  # not yet worked out (or being recorded)
            worked_out[self.file] += 1
        return positions(self)

    monkeypatch.setattr(SourceMap, "_positions", counted)
    loaded = load_course(make_full_course(tmp_path / "course"))
    build_packages(loaded, list(TARGETS), loaded.course.editions(), tmp_path, per_module=True)
    assert worked_out == Counter()
    basics = next(m for m in loaded.modules if m.module.id == "basics")
    assert basics.source.where(("id",)) == (1, 5)  # asked for: found in the text kept for it
    assert worked_out == Counter({basics.source.file: 1})
