"""Issue 16: a page's content is rendered once for the editions that show it alike. Its content differs by
edition only in its reflections' minimums (page._edition_values), so a build's RenderCache gives the
certificate edition's unit the standard edition's content of every other page, within a fixed budget."""

from __future__ import annotations

from collections import Counter

import pytest

from coursepack.load.course_loader import load_course
from coursepack.render import page, render_cache
from coursepack.render.render_cache import RenderCache
from coursepack.render.unit_contents import reflection_min, unit_contents
from test_render import make_full_course


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    return load_course(make_full_course(tmp_path_factory.mktemp("full")))


@pytest.fixture
def page_renders(monkeypatch) -> Counter:
    """Each page's content rendered from now on, by (module title, page number): the template's crumb,
    which it writes once per page's content, asks for its words (strings.format_string)."""
    counts: Counter = Counter()
    format_string = page.format_string

    def counted(strings, key, **values):
        if key == "module_page_of":
            counts[values["title"], values["page"]] += 1
        return format_string(strings, key, **values)

    monkeypatch.setattr(page, "format_string", counted)
    return counts


def _differing_pages(full) -> set[tuple[str, int]]:
    """The pages whose reflections need other minimums in the two editions."""
    standard, certificate = unit_contents(full, "standard"), unit_contents(full, "certificate")
    return {(mod.module.title, p + 1) for mod in full.modules for p, pg in enumerate(mod.module.pages)
            if any(reflection_min(standard, b) != reflection_min(certificate, b) for b in pg.blocks if b.type == "reflection")}


def test_a_page_is_rendered_once_for_the_editions_that_show_it_alike(full, page_renders) -> None:
    renders = RenderCache()
    for edition in ("standard", "certificate"):
        page.render_unit(unit_contents(full, edition), "scorm12", None, renders)
    differing = _differing_pages(full)
    assert differing and len(differing) < len(page_renders), "the course must have pages of both kinds"
    assert page_renders == Counter({key: 2 if key in differing else 1 for key in page_renders})


def test_the_contents_kept_stay_within_their_budget(full, page_renders, monkeypatch) -> None:
    """Past the budget a page is rendered again for the next edition, the same bytes."""
    shared = RenderCache()
    alone = page.render_unit(unit_contents(full, "certificate"), "scorm12", None, RenderCache()).launch
    monkeypatch.setattr(render_cache, "CONTENTS_KEPT_MAX", 0)
    page.render_unit(unit_contents(full, "standard"), "scorm12", None, shared)
    page_renders.clear()
    again = page.render_unit(unit_contents(full, "certificate"), "scorm12", None, shared).launch
    assert again == alone
    assert page_renders and set(page_renders.values()) == {1} and len(page_renders) > len(_differing_pages(full))
