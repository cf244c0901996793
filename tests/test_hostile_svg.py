"""Hostile SVGs: no script, no network, no DTD tricks; ordinary drawings still pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from coursepack.load.svg_check import svg_problem
from conftest import REPO, SCAFFOLD

HEAD = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">\n'

HOSTILE = {
    "entity expanding to script": (
        '<?xml version="1.0"?>\n<!DOCTYPE svg [\n<!ENTITY x "&#60;script&#62;alert(1)&#60;/script&#62;">\n]>\n' + HEAD + "&x;</svg>",
        "line 2: DOCTYPE declares an internal subset",
    ),
    "external entity": (
        '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n' + HEAD + "<text>&x;</text></svg>",
        "line 1: DOCTYPE declares an internal subset",
    ),
    "default attribute from ATTLIST": (
        '<!DOCTYPE svg SYSTEM "a>b" [<!ATTLIST svg onload CDATA "alert(1)">]>\n' + HEAD + "</svg>",
        "DOCTYPE declares an internal subset",
    ),
    "script": (HEAD + "<script>alert(1)</script></svg>", "line 2: element <script> is not allowed"),
    "script in a foreign namespace": (
        HEAD + '<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script></svg>',
        "line 2: element <h:script> is not SVG",
    ),
    "meta refresh": (
        HEAD + '<meta xmlns="http://www.w3.org/1999/xhtml" http-equiv="refresh" content="0;url=https://evil.example"/></svg>',
        "line 2: element <meta> is not SVG",
    ),
    "foreignObject": (HEAD + "<foreignObject><p>hi</p></foreignObject></svg>", "element <foreignObject> is not allowed"),
    "animation setting an href": (HEAD + '<set attributeName="href" to="javascript:alert(1)"/></svg>', "element <set> is not allowed"),
    "anchor": (HEAD + '<a href="https://evil.example"><rect width="1" height="1"/></a></svg>', "element <a> is not allowed"),
    "image": (HEAD + '<image href="https://evil.example/x.png"/></svg>', "element <image> is not allowed"),
    "event handler": (HEAD.replace("<svg ", '<svg onload="alert(1)" ') + "</svg>", "line 1: event handler 'onload' on <svg>"),
    "event handler in caps": (HEAD + '<rect ONCLICK="alert(1)"/></svg>', "event handler 'ONCLICK' on <rect>"),
    "use of an external file": (HEAD + '<use href="https://evil.example/a.svg#x"/></svg>', "<use> links to 'https://evil.example/a.svg#x'"),
    "xlink to javascript": (HEAD + '<use xlink:href="javascript:alert(1)"/></svg>', "<use> links to 'javascript:alert(1)'"),
    "url() in fill": (HEAD + '<rect fill="url(https://evil.example/p.svg#g)"/></svg>', "'fill' of <rect> refers to 'url(https://evil.example/p.svg#g)'"),
    "url() in style attribute": (HEAD + '<rect style="fill: url( \'//evil.example/x\' )"/></svg>', "the style of <rect> refers to"),
    "url() in style element": (HEAD + "<style>rect { fill: url(http://evil.example/x) }</style></svg>", "<style> refers to 'url(http://evil.example/x) }'"),
    "import in style": (HEAD + '<style>@import "https://evil.example/a.css";</style></svg>', "<style> uses '@import'"),
    "font face": (HEAD + "<style>@font-face { font-family: x; src: local(x) }</style></svg>", "<style> uses '@font-face'"),
    "css escape hiding url": (HEAD + "<style>rect { fill: u\\72l(http://evil.example) }</style></svg>", "<style> uses '\\'"),
    "xml-stylesheet": ('<?xml-stylesheet href="https://evil.example/a.css"?>\n' + HEAD + "</svg>", "line 1: processing instruction <?xml-stylesheet?>"),
    "processing instruction inside": (HEAD + "<?php echo 1; ?></svg>", "line 2: processing instruction <?php?>"),
    "xml:base": (HEAD.replace("<svg ", '<svg xml:base="https://evil.example/" ') + "</svg>", "attribute 'xml:base' on <svg>"),
    "editor attribute": (
        HEAD.replace("<svg ", '<svg xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" inkscape:version="1.3" ') + "</svg>",
        "attribute 'inkscape:version' on <svg> is not allowed",
    ),
    "unknown attribute": (HEAD + '<rect srcdoc="x"/></svg>', "attribute 'srcdoc' on <rect> is not allowed"),
    "utf-7 declaration": ('<?xml version="1.0" encoding="UTF-7"?>\n' + HEAD + "</svg>", "declares encoding 'UTF-7' (expected UTF-8)"),
    "not well-formed": (HEAD + "<rect></svg>", "is not well-formed XML"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_svg_is_refused_naming_the_line(case: str, tmp_path: Path) -> None:
    text, expected = HOSTILE[case]
    path = tmp_path / "x.svg"
    path.write_text(text, encoding="utf-8")
    problem = svg_problem(path, "pics/x.svg")
    assert problem is not None and problem.startswith("SVG 'pics/x.svg'"), problem
    assert expected in problem, problem


BENIGN = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    + HEAD.replace("<svg ", '<svg role="img" aria-labelledby="t" ')
    + '<title id="t">A gradient box</title><desc>An example.</desc><!-- made by hand -->\n'
    '<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/><stop offset="1" stop-color="#000"/></linearGradient>\n'
    '<marker id="m" markerWidth="4" markerHeight="4" refX="2" refY="2" orient="auto"><path d="M0 0L4 2L0 4z"/></marker>\n'
    '<filter id="f"><feGaussianBlur stdDeviation="1"/></filter><symbol id="s"><circle r="1"/></symbol></defs>\n'
    '<style>.a { fill: url(#g); stroke: url( "#g" ) }</style>\n'
    '<g class="a" data-name="layer 1" filter="url(#f)"><rect width="5" height="5" fill="url(\'#g\')" style="stroke-width: 2"/>'
    '<line x2="9" marker-end="url(#m)" stroke="black"/><use href="#s"/><use xlink:href="#s" x="3"/>'
    '<text x="1" y="9" xml:space="preserve" font-family="sans-serif">Hi <tspan font-weight="bold">there</tspan></text></g>\n'
    "</svg>\n"
)


def test_ordinary_drawing_passes(tmp_path: Path) -> None:
    path = tmp_path / "ok.svg"
    path.write_text(BENIGN, encoding="utf-8")
    assert svg_problem(path) is None


def test_shipped_svgs_pass() -> None:
    svgs = sorted((REPO / "assets").rglob("*.svg")) + sorted(SCAFFOLD.rglob("*.svg"))
    assert svgs
    assert {svg.name: svg_problem(svg) for svg in svgs} == {svg.name: None for svg in svgs}
