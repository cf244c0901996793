"""SVG assets are XML that can carry script or fetch from the network: only a static picture passes.

An SVG in a package can be opened on its own, in the LMS's origin, where script would
run with the learner's session. So the check is an allow-list: SVG shapes, text,
gradients, filters and styles, with presentation attributes; links only to '#ids' in
the same file. The file is parsed without a DTD, entities or network access, and a
DOCTYPE with an internal subset is refused outright: a browser would expand its
entities and apply its default attributes, which a parser that ignores them cannot see.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
XML_NS = "http://www.w3.org/XML/1998/namespace"

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
    attribute_defaults=False, huge_tree=False, remove_comments=True,
)

_ELEMENTS = frozenset("""
    svg g defs symbol use switch title desc metadata style
    path rect circle ellipse line polyline polygon text tspan textPath
    linearGradient radialGradient stop pattern clipPath mask marker
    filter feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix
    feDiffuseLighting feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB
    feFuncG feFuncR feGaussianBlur feMerge feMergeNode feMorphology feOffset fePointLight
    feSpecularLighting feSpotLight feTile feTurbulence
""".split())

# Core, geometry, text, paint-server, filter and presentation attributes (SVG 1.1 / 2).
_ATTRIBUTES = frozenset("""
    id class style lang tabindex role focusable version baseProfile
    x y width height viewBox preserveAspectRatio transform
    cx cy r rx ry x1 y1 x2 y2 d points pathLength fx fy fr
    dx dy rotate textLength lengthAdjust startOffset method spacing side
    offset gradientUnits gradientTransform spreadMethod
    patternUnits patternContentUnits patternTransform clipPathUnits maskUnits maskContentUnits
    markerWidth markerHeight markerUnits refX refY orient
    filterUnits primitiveUnits in in2 result stdDeviation mode operator k1 k2 k3 k4 values type
    tableValues slope intercept amplitude exponent order kernelMatrix divisor bias targetX
    targetY edgeMode preserveAlpha kernelUnitLength scale xChannelSelector yChannelSelector
    radius surfaceScale diffuseConstant specularConstant specularExponent azimuth elevation
    pointsAtX pointsAtY pointsAtZ limitingConeAngle numOctaves baseFrequency seed stitchTiles
    media requiredFeatures requiredExtensions systemLanguage
    fill fill-opacity fill-rule stroke stroke-width stroke-dasharray stroke-dashoffset
    stroke-linecap stroke-linejoin stroke-miterlimit stroke-opacity opacity color display
    visibility font font-family font-size font-weight font-style font-variant font-stretch
    font-size-adjust text-anchor dominant-baseline alignment-baseline baseline-shift
    letter-spacing word-spacing text-decoration writing-mode direction unicode-bidi
    clip-path clip-rule mask filter marker marker-start marker-mid marker-end stop-color
    stop-opacity flood-color flood-opacity lighting-color color-interpolation
    color-interpolation-filters color-rendering shape-rendering text-rendering
    image-rendering overflow paint-order vector-effect pointer-events isolation
    mix-blend-mode transform-origin transform-box white-space
""".split())
_XML_ATTRIBUTES = frozenset({f"{{{XML_NS}}}space", f"{{{XML_NS}}}lang"})
# The allowed attributes that _attribute_problem checks for a url() alone (no event handler, link or style):
# asked first, so that a picture's hundreds of ordinary attributes each cost one set lookup (issue 16).
_PLAIN_ATTRIBUTES = frozenset(a for a in _ATTRIBUTES if not a.lower().startswith("on") and a not in ("href", "style"))
_HREF_ELEMENTS = frozenset({"use", "linearGradient", "radialGradient", "pattern", "textPath", "filter"})

_FRAGMENT = re.compile(r"#[^\s'\"()]+")
_URL_NOT_FRAGMENT = re.compile(r"""url\((?!\s*['"]?\s*#)""", re.IGNORECASE)
# Ways CSS fetches or hides a fetch: imports, web fonts, image functions, escapes.
_CSS_FETCH = re.compile(r"@import|@font-face|image-set\(|image\(|src\(|\\", re.IGNORECASE)

_DECLARED_ENCODING = re.compile(rb"""(?:\xef\xbb\xbf)?<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']""")

_STATIC = "expected a static picture: SVG shapes, text and styles only"
_OFFLINE = "expected only '#id' references inside the file: packages must work offline"


def svg_problem(path: Path, name: str | None = None) -> str | None:
    """Why the SVG at path may not go into a package, or None when it is a static picture.

    The message starts with the file (name, default path.name) and the line in it.
    """
    return svg_bytes_problem(path.read_bytes(), name or path.name)


def svg_bytes_problem(data: bytes, name: str) -> str | None:
    """svg_problem for a file's bytes: the verdict depends on them and the name alone (the preview's
    LoadCache keeps it by their digest)."""
    declared = _DECLARED_ENCODING.match(data)
    if declared and declared.group(1).lower() not in (b"utf-8", b"us-ascii", b"ascii"):
        return f"SVG '{name}' line 1: declares encoding '{declared.group(1).decode()}' (expected UTF-8)"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return f"SVG '{name}' is not saved as UTF-8 (expected a UTF-8 file)"
    if _has_internal_subset(data):
        return f"SVG '{name}' line {_line_of(data, b'<!DOCTYPE')}: DOCTYPE declares an internal subset (expected no DTD: its entities and default attributes can hide script)"
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        return f"SVG '{name}' is not well-formed XML: {exc.msg} (expected a valid SVG file)"
    for node in [*root.itersiblings(preceding=True), root, *root.itersiblings()]:
        for item in node.iter() if node is root else [node]:
            message = _node_problem(item)
            if message:
                return f"SVG '{name}' line {item.sourceline}: {message}"
    return None


def _node_problem(node: etree._Element) -> str | None:
    if isinstance(node, etree._ProcessingInstruction):
        return f"processing instruction <?{node.target}?> (expected none: it can load style sheets from other hosts)"
    if isinstance(node, etree._Entity):
        return f"entity reference &{node.name}; (expected no entities)"
    if not isinstance(node.tag, str):
        return None  # comments
    namespace, localname = _split(node.tag)
    if namespace != SVG_NS:
        return f"element <{_label(node)}> is not SVG (expected SVG elements only: no HTML; editors' own elements go when the file is saved as plain SVG)"
    if localname not in _ELEMENTS:
        return f"element <{_label(node)}> is not allowed ({_STATIC}: no script, embedded content, links or animation)"
    for attr, value in node.attrib.items():
        if attr in _PLAIN_ATTRIBUTES:  # nearly all: only the url() check of _attribute_problem applies
            if "(" in value and _URL_NOT_FRAGMENT.search(value):
                return _attribute_problem(node, _label(node), localname, attr, value)
            continue
        message = _attribute_problem(node, _label(node), localname, attr, value)
        if message:
            return message
    if localname == "style":
        return _css_problem(node.text or "", "<style>")
    return None


def _attribute_problem(node: etree._Element, label: str, element: str, attr: str, value: str) -> str | None:
    local = _split(attr)[1]
    if local.lower().startswith("on"):
        return f"event handler '{local}' on <{label}> ({_STATIC}, without script)"
    if attr in ("href", XLINK_HREF):
        if element not in _HREF_ELEMENTS or not _FRAGMENT.fullmatch(value.strip()):
            return f"<{label}> links to '{value}' ({_OFFLINE})"
        return None
    allowed = attr in _ATTRIBUTES or attr in _XML_ATTRIBUTES or attr.startswith(("aria-", "data-"))
    if not allowed:
        return f"attribute '{_attr_label(node, attr)}' on <{label}> is not allowed ({_STATIC})"
    if attr == "style":
        return _css_problem(value, f"the style of <{label}>")
    if _URL_NOT_FRAGMENT.search(value):
        return f"'{local}' of <{label}> refers to {value.strip()!r} ({_OFFLINE})"
    return None


def _css_problem(css: str, where: str) -> str | None:
    fetch = _CSS_FETCH.search(css)
    if fetch:
        return f"{where} uses '{fetch.group(0)}' (expected plain CSS without imports, web fonts, image functions or escapes)"
    url = _URL_NOT_FRAGMENT.search(css)
    if url:
        return f"{where} refers to {css[url.start():url.start() + 60].strip()!r} ({_OFFLINE})"
    return None


def _split(name: str) -> tuple[str | None, str]:
    """(namespace or None, local name) of an lxml name '{namespace}local' or 'local', as etree.QName gives
    them, without making a QName for each of a picture's elements and attributes."""
    if name[:1] == "{":
        namespace, _, local = name[1:].partition("}")
        return namespace, local
    return None, name


def _label(node: etree._Element) -> str:
    namespace, localname = _split(node.tag)
    prefix = node.prefix if namespace != SVG_NS else None
    return f"{prefix}:{localname}" if prefix else localname


def _attr_label(node: etree._Element, attr: str) -> str:
    """'inkscape:label' rather than '{http://www.inkscape.org/...}label': as the author sees it."""
    qname = etree.QName(attr)
    if not qname.namespace:
        return qname.localname
    if qname.namespace == XML_NS:
        return f"xml:{qname.localname}"
    prefix = next((p for p, uri in node.nsmap.items() if uri == qname.namespace and p), None)
    return f"{prefix}:{qname.localname}" if prefix else attr


def _has_internal_subset(data: bytes) -> bool:
    """Whether a DOCTYPE declaration opens '[' (quoted system/public ids skipped)."""
    start = data.find(b"<!DOCTYPE")
    if start < 0:
        return False  # without a DOCTYPE nothing can declare entities or defaults
    i = start + len(b"<!DOCTYPE")
    while i < len(data):
        char = data[i:i + 1]
        if char in (b'"', b"'"):
            end = data.find(char, i + 1)
            i = len(data) if end < 0 else end + 1
            continue
        if char == b"[":
            return True
        if char == b">":
            return False
        i += 1
    return False


def _line_of(data: bytes, needle: bytes) -> int:
    return data[: max(data.find(needle), 0)].count(b"\n") + 1
