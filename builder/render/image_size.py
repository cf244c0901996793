"""An image's intrinsic width and height, read from its header, so a figure's `<img>` can carry both
`width` and `height`: the browser then reserves the figure's box before the file arrives, and nothing
below it (the quiz, the Next button) moves when it does.

SVG (the root's absolute width and height, else its viewBox), PNG, GIF, JPEG and WebP. Anything else, or a
header that cannot be read, gives None: the `<img>` then carries the width alone, as before."""

from __future__ import annotations

import re
import struct
from pathlib import Path

HEAD_BYTES = 64 * 1024       # PNG, GIF and WebP say their size in the first bytes
JPEG_SCAN_BYTES = 1024 * 1024  # a JPEG's frame header comes after its metadata segments
_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(px)?\s*$")
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def intrinsic_size(path: Path) -> tuple[float, float] | None:
    """(width, height) of the image file at path, both > 0, or None."""
    try:
        if path.suffix.lower() == ".svg":
            size = _svg(path)
        else:
            with path.open("rb") as handle:
                head = handle.read(HEAD_BYTES)
                size = _raster(head) if not head.startswith(b"\xff\xd8") else _jpeg(head + handle.read(JPEG_SCAN_BYTES - HEAD_BYTES))
    except (OSError, ValueError, struct.error):
        return None
    if size is None or size[0] <= 0 or size[1] <= 0:
        return None
    return size


def height_for(path: Path, width: int) -> int | None:
    """The height that keeps the image's proportions at `width` CSS pixels, or None."""
    size = intrinsic_size(path)
    return None if size is None else max(1, round(width * size[1] / size[0]))


def _raster(head: bytes) -> tuple[float, float] | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
        return struct.unpack(">II", head[16:24])
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return struct.unpack("<HH", head[6:10])
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        chunk = head[12:16]
        if chunk == b"VP8X":
            return (int.from_bytes(head[24:27], "little") + 1, int.from_bytes(head[27:30], "little") + 1)
        if chunk == b"VP8L":
            bits = int.from_bytes(head[21:25], "little")
            return ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
        if chunk == b"VP8 ":
            width, height = struct.unpack("<HH", head[26:30])
            return (width & 0x3FFF, height & 0x3FFF)
    return None


def _jpeg(data: bytes) -> tuple[float, float] | None:
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # no length
            at += 2
            continue
        length = struct.unpack(">H", data[at + 2:at + 4])[0]
        if marker in _SOF:
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return (width, height)
        at += 2 + length
    return None


def _svg(path: Path) -> tuple[float, float] | None:
    from lxml import etree  # only for a course with SVG figures

    with path.open("rb") as handle:
        try:
            for _, root in etree.iterparse(handle, events=("start",), resolve_entities=False, no_network=True, load_dtd=False):
                width, height = _length(root.get("width")), _length(root.get("height"))
                if width and height:
                    return (width, height)
                box = (root.get("viewBox") or "").replace(",", " ").split()
                return (float(box[2]), float(box[3])) if len(box) == 4 else None
        except etree.XMLSyntaxError:  # lxml 6.2 raises for a file cut short before its root's start tag ends; 6.1 gave no event
            return None
    return None


def _length(value: str | None) -> float | None:
    """A width or height in user units or px (a percentage or another unit says nothing here)."""
    match = _LENGTH.match(value or "")
    return float(match.group(1)) if match else None
