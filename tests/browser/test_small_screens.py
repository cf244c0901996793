"""Small screens and paper (issue 10 §6, §7): figures and matching questions at 360 px, the
printed certificate on A4 and Letter in both orientations.

* Every image block offers "Open full size" (a new tab on the asset itself), so a phone user can
  zoom a diagram whose labels the page shrinks below reading size.
* Matching drop-downs take the full width on their own line: no option text cut off at 360 px.
* The printed certificate is one sheet that it fills (at least 80 % of the printable height),
  for A4 and Letter, portrait and landscape, with the signatory's signature image.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from coursepack.load.course_loader import load_course
from coursepack.targets.package import package_files

from . import harness

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SCAFFOLD = REPO / "builder" / "scaffold"
PHONE = {"width": 360, "height": 800}
SIGNATURE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 60">'
    '<path d="M10 40 C 40 10, 60 60, 90 30 S 150 20, 190 40" fill="none" stroke="#123" stroke-width="3"/></svg>\n'
)
GOAL = "I want to learn how to write a course in YAML and ship it to our LMS."


def _build(root: Path, edition: str, out: Path) -> Path:
    for name, content in package_files(load_course(root), "scorm12", edition).items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        # assets come as the file to copy (streamed by the zipper), the rest as bytes
        path.write_bytes(content.read_bytes() if isinstance(content, Path) else content)
    return out


@pytest.fixture(scope="module")
def example_pkg(tmp_path_factory) -> Path:
    if not (REPO / "course.yaml").exists():
        pytest.skip("no example course at the repo root")
    return _build(REPO, "standard", tmp_path_factory.mktemp("small-screens"))


def _open_first_page_with(frame, selector: str) -> int:
    """Go (through the contents) to the first page holding `selector`; its page index."""
    index = frame.evaluate(
        """(sel) => {
             // a page not shown yet holds its content as the text of a <noscript> (launch.html)
             const content = p => { const inert = p.querySelector(':scope > noscript[data-cp-inert]');
                                    return inert ? new DOMParser().parseFromString(inert.textContent, 'text/html') : p; };
             const s = [...document.querySelectorAll('section[data-cp-view=page]')].find(p => content(p).querySelector(sel));
             return s ? +s.dataset.cpPageIndex : null; }""",
        selector,
    )
    assert index is not None, f"no page with {selector}"
    frame.click(f'a[data-cp-goto="{index}"]')
    frame.wait_for_selector(f"#cp-page-{index}:not([hidden])")
    return index


def _assert_axe_clean(lms) -> None:
    axe = lms.run_axe(exclude=("section[data-cp-view][hidden]",))
    assert axe == [], harness.format_axe(axe)


def test_diagram_opens_full_size_at_360px(lms, example_pkg) -> None:
    lms.page.set_viewport_size(PHONE)
    frame = lms.play(example_pkg)
    index = _open_first_page_with(frame, ".cp-figure img[src$='.svg']")
    figures = frame.eval_on_selector_all(
        f"#cp-page-{index} .cp-figure",
        """fs => fs.map(f => { const a = f.querySelector('.cp-fullsize a');
                              return {src: f.querySelector('img').getAttribute('src'),
                                      href: a && a.getAttribute('href'), target: a && a.target, rel: a && a.rel,
                                      text: a && a.textContent, visible: !!a && a.getBoundingClientRect().width > 0}; })""",
    )
    assert figures
    for figure in figures:
        assert figure["href"] == figure["src"] and figure["href"].startswith("assets/"), figure
        assert figure["target"] == "_blank" and set(figure["rel"].split()) == {"noopener", "noreferrer"}, figure
        assert "Open full size" in figure["text"] and "opens in a new tab" in figure["text"], figure
        assert figure["visible"], figure
    _assert_axe_clean(lms)
    assert list(lms.console_errors) == []


def _longest_option_shown(frame, select_id: str) -> dict:
    """Choose the select's longest option; how its box and its open list fit."""
    frame.eval_on_selector(f"#{select_id}", "s => { s.selectedIndex = [...s.options].reduce((a, o, i) => o.text.length > s.options[a].text.length ? i : a, 0); }")
    box = frame.eval_on_selector(
        f"#{select_id}",
        """s => { const r = s.getBoundingClientRect(), css = getComputedStyle(s);
                  // The chosen text's width on one line, in the select's font, against the box's content
                  // width: the lines it needs, which the box must be tall enough to show.
                  const probe = document.createElement('span');
                  probe.style.cssText = 'position:absolute;white-space:nowrap;visibility:hidden;font:' + css.font;
                  probe.textContent = s.options[s.selectedIndex].text;
                  document.body.appendChild(probe);
                  const textWidth = probe.getBoundingClientRect().width;
                  probe.remove();
                  const pad = (a, b) => parseFloat(css[a]) + parseFloat(css[b]);
                  const width = s.clientWidth - pad('paddingLeft', 'paddingRight');
                  return {scroll: [s.scrollWidth, s.scrollHeight], client: [s.clientWidth, s.clientHeight],
                          lines_needed: Math.ceil(textWidth / width),
                          lines_shown: Math.floor((s.clientHeight - pad('paddingTop', 'paddingBottom')) / (parseFloat(css.lineHeight) || 1.2 * parseFloat(css.fontSize))),
                          left: r.left, right: r.right, inner: window.innerWidth}; }""",
    )
    frame.click(f"#{select_id}")  # opens the list
    box["options"] = frame.eval_on_selector_all(
        f"#{select_id} option",
        """os => os.map(o => { const r = o.getBoundingClientRect();
                              return {text: o.text, scroll: o.scrollWidth, client: o.clientWidth, left: r.left, right: r.right}; })""",
    )
    frame.press(f"#{select_id}", "Escape")
    return box


def test_matching_dropdowns_fit_at_360px(lms, example_pkg) -> None:
    lms.page.set_viewport_size(PHONE)
    frame = lms.play(example_pkg)
    index = _open_first_page_with(frame, "select.cp-select")
    ids = frame.eval_on_selector_all(f"#cp-page-{index} select.cp-select", "ss => ss.map(s => s.id)")
    assert ids
    for select_id in ids:
        box = _longest_option_shown(frame, select_id)
        (sw, sh), (cw, ch) = box["scroll"], box["client"]
        assert sw <= cw and sh <= ch, box  # the chosen option is shown whole, not clipped
        assert box["lines_shown"] >= box["lines_needed"], box  # ...and not cut off at the edge
        assert box["left"] >= 0 and box["right"] <= box["inner"], box
        for option in box["options"]:  # the open list: every option whole and on screen
            assert option["scroll"] <= option["client"], option
            assert option["left"] >= 0 and option["right"] <= box["inner"], option
    _assert_axe_clean(lms)
    assert list(lms.console_errors) == []


# --------------------------------------------------------------------------- the printed certificate

MM = 96 / 25.4  # CSS px per millimetre
PAPERS = {"A4": (210.0, 297.0), "Letter": (215.9, 279.4)}  # portrait width, height in mm
PAGE_MARGIN_MM = 12  # player.css: @page { margin: 12mm }


@pytest.fixture(scope="module")
def signed_scaffold(tmp_path_factory) -> Path:
    """The scaffold course with a signature image for its signatory, built as the certificate edition."""
    root = tmp_path_factory.mktemp("signed") / "course"
    shutil.copytree(SCAFFOLD, root)
    (root / "assets" / "signature.svg").write_text(SIGNATURE_SVG, encoding="utf-8")
    course = (root / "course.yaml").read_text(encoding="utf-8")
    signed = course.replace("    role: Course Facilitator\n", "    role: Course Facilitator\n    signature: signature.svg\n")
    assert signed != course
    (root / "course.yaml").write_text(signed, encoding="utf-8")
    return _build(root, "certificate", tmp_path_factory.mktemp("signed-pkg"))


def _earn_certificate(page) -> None:
    """Standalone (no LMS): play the scaffold through and name the certificate."""
    page.click("#cp-start")
    page.click("#cp-next")
    page.fill("[data-cp-reflection-input=welcome-goal]", GOAL)
    page.click("#cp-next")
    page.check("[data-cp-question=blocks] input[data-cp-choice=reflection]")
    page.check("[data-cp-question=yaml-tabs] input[value=false]")
    page.click("[data-cp-action=submit]")
    page.click("#cp-menu-button")  # the contents page links to the certificate, whatever follows the last page
    page.click("a[data-cp-goto=certificate]")
    page.wait_for_selector("[data-cp-cert-form]:not([hidden])")
    page.fill("[data-cp-cert-name-input]", "Ada Lovelace")
    page.click("[data-cp-action=cert-name]")
    page.wait_for_selector("[data-cp-cert-ready]:not([hidden])")


def _printed_fraction(page, paper: str, landscape: bool) -> dict:
    """The certificate laid out for print in the paper's printable area: its share of it."""
    width, height = PAPERS[paper]
    if landscape:
        width, height = height, width
    page.set_viewport_size({"width": round((width - 2 * PAGE_MARGIN_MM) * MM), "height": round((height - 2 * PAGE_MARGIN_MM) * MM)})
    return page.evaluate(
        """() => { const r = document.getElementById('cp-cert').getBoundingClientRect();
                   return {height: r.height / window.innerHeight, width: r.width / window.innerWidth,
                           top: r.top, bottom: r.bottom, inner: window.innerHeight}; }"""
    )


def test_certificate_fills_one_sheet(page, lms_server, console_errors, signed_scaffold) -> None:
    """Earned once, then laid out for print on each paper, portrait and landscape, in turn."""
    lms_server.install_package(signed_scaffold)
    page.goto(lms_server.url("/pkg/index.html"))
    _earn_certificate(page)
    signature = page.eval_on_selector(".cp-cert-signature", "i => ({alt: i.alt, src: i.getAttribute('src'), loaded: i.naturalWidth > 0})")
    assert signature == {"alt": "Signature of Your Name", "src": "assets/signature.svg", "loaded": True}
    cert_text = page.inner_text("#cp-cert")
    assert "Credit hours" not in cert_text
    page.emulate_media(media="print")
    for paper in PAPERS:
        for landscape in (False, True):
            sheet = f"{paper} {'landscape' if landscape else 'portrait'}"
            share = _printed_fraction(page, paper, landscape)
            assert share["height"] >= 0.8 and share["width"] >= 0.8, (sheet, share)
            assert share["top"] >= 0 and share["bottom"] <= share["inner"] + 1, (sheet, share)
            pdf = page.pdf(format=paper, landscape=landscape, print_background=True)
            assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1, sheet
    assert list(console_errors) == []
