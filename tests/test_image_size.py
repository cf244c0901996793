"""A figure with a width carries its height too (render/image_size.py), so the browser keeps its place
before the file arrives: nothing below it moves when it loads (a learner's click, or a test's, landed
on what had moved)."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

import pytest

from coursepack.load.course_loader import load_course
from coursepack.render.image_size import height_for, intrinsic_size
from coursepack.targets.package import package_files

REPO = Path(__file__).resolve().parents[1]


def png(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00" + b"\x00" * 9
    exif = b"\xff\xe1" + struct.pack(">H", 2 + 300) + b"\x00" * 300  # metadata before the frame header
    sof = b"\xff\xc2" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + exif + sof + b"\xff\xd9"


def webp_vp8x(width: int, height: int) -> bytes:
    body = b"VP8X" + struct.pack("<I", 10) + b"\x00" * 4 + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


def webp_vp8l(width: int, height: int) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)
    body = b"VP8L" + struct.pack("<I", 5) + b"\x2f" + bits.to_bytes(4, "little")
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


SVG = '<svg xmlns="http://www.w3.org/2000/svg" {}><rect width="1" height="1"/></svg>'


@pytest.mark.parametrize("name, content, size", [
    ("a.png", png(640, 480), (640, 480)),
    ("a.gif", b"GIF89a" + struct.pack("<HH", 33, 17) + b"\x00" * 10, (33, 17)),
    ("a.jpg", jpeg(1200, 801), (1200, 801)),
    ("a.webp", webp_vp8x(3000, 2000), (3000, 2000)),
    ("b.webp", webp_vp8l(90, 45), (90, 45)),
    ("a.svg", SVG.format('viewBox="0 0 720 520"'), (720.0, 520.0)),
    ("b.svg", SVG.format('width="300px" height="150" viewBox="0 0 10 10"'), (300.0, 150.0)),
    ("c.svg", SVG.format('width="100%" viewBox="0,0,640,360"'), (640.0, 360.0)),
])
def test_the_size_is_read_from_the_header(tmp_path: Path, name: str, content: bytes | str, size: tuple[float, float]) -> None:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    assert intrinsic_size(path) == size


@pytest.mark.parametrize("name, content", [
    ("a.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 4),          # cut short
    ("a.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF"),              # no frame header
    ("a.svg", SVG.format('width="10em" height="5em"')),      # units that say nothing of pixels, no viewBox
    ("b.svg", "<svg"),                                       # not XML
    ("a.png", png(0, 10)),                                   # no area
    ("a.bmp", b"BM" + b"\x00" * 40),                         # not a format read here
])
def test_an_unreadable_header_gives_no_size(tmp_path: Path, name: str, content: bytes | str) -> None:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    assert intrinsic_size(path) is None
    assert height_for(path, 320) is None


def test_every_figure_of_the_example_with_a_width_has_its_height_in_proportion() -> None:
    loaded = load_course(REPO)
    html = package_files(loaded, "scorm12", "standard")["index.html"].decode("utf-8")
    images = re.findall(r'<img src="assets/([^"]+)"[^>]*?(?: width="(\d+)")?(?: height="(\d+)")?>', html)
    sized = [(src, int(w), int(h)) for src, w, h in images if w]
    assert sized and all(h for _, _, h in sized), images
    for src, width, height in sized:
        box = re.search(r'viewBox="0 0 ([0-9.]+) ([0-9.]+)"', (loaded.assets_dir / src).read_text(encoding="utf-8"))
        assert box, src
        assert height == round(width * float(box.group(2)) / float(box.group(1))), src
