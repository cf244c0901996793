"""SVG assets are XML that can carry script: refuse anything but a static picture."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_LINK_ATTRS = {"href", "{http://www.w3.org/1999/xlink}href", "src"}


def svg_problem(path: Path) -> str | None:
    """Why the SVG at path may not go into a package, or None when it is a static image."""
    try:
        root = etree.parse(str(path), _PARSER).getroot()
    except etree.XMLSyntaxError as exc:
        return f"SVG is not well-formed XML: {exc.msg} (expected a valid SVG file)"
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        name = etree.QName(element).localname
        if name in ("script", "foreignObject", "iframe", "embed", "object"):
            return f"SVG contains a <{name}> element (expected a static image without script or embedded content)"
        for attr, value in element.attrib.items():
            local = etree.QName(attr).localname
            if local.lower().startswith("on"):
                return f"SVG has an event handler '{local}' on <{name}> (expected a static image without script)"
            if attr in _LINK_ATTRS and not value.startswith("#"):
                return f"SVG <{name}> links to '{value}' (expected no external references: packages must work offline)"
        if name == "style" and element.text and ("url(" in element.text and "url(#" not in element.text or "@import" in element.text):
            return "SVG <style> loads an external resource (expected no external references: packages must work offline)"
    return None
