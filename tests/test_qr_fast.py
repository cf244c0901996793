"""qr_fast's symbols are segno's, module for module, and qr.py falls back to segno when they are not."""

from __future__ import annotations

import string

import pytest
import segno
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coursepack.certificates import qr, qr_fast

URL_TEXT = string.ascii_letters + string.digits + "-_.~:/?#[]@!$&'()*+,;=% "


def segno_rows(content: str, level: str, mask: int) -> list[str]:
    symbol = segno.make(content, error=level, micro=False, boost_error=False, mask=mask)
    return ["".join("1" if dark else "0" for dark in row) for row in symbol.matrix]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=st.text(URL_TEXT, min_size=1, max_size=1200), level=st.sampled_from("lmqh"), mask=st.integers(0, 7))
def test_the_fast_symbol_is_segnos(content: str, level: str, mask: int) -> None:
    fast = qr_fast.symbol_rows(content, level, mask)
    if qr_fast.byte_mode_data(content) is None:  # numeric or alphanumeric: segno's modes, not ours
        assert fast is None
        return
    if fast is None:  # too long for any version
        assert qr_fast.version_for(len(content), level) is None
        return
    shape, rows = fast
    assert (shape.version, shape.level, shape.mask) == (qr_fast.version_for(len(content), level), level, mask)
    assert rows == segno_rows(content, level, mask)


@pytest.mark.parametrize("length", [1, 13, 15, 16, 17, 150, 151, 160, 212, 214, 1273, 1800, 2330])
def test_every_version_boundary_and_the_largest(length: int) -> None:
    """Lengths at and around the step from an 8-bit to a 16-bit character count (version 10),
    the versions of a certificate's URL, and the largest symbols."""
    content = ("https://certificates.example.org/verify?code=CP1." * 50)[:length].lower()
    fast = qr_fast.symbol_rows(content, "m", 0)
    assert fast is not None and fast[1] == segno_rows(content, "m", 0)


@pytest.mark.parametrize("length", [14, 213, 331, 2331])  # 1-M, 10-M, 13-M, 40-M
def test_a_stream_that_fills_the_symbol_exactly(length: int) -> None:
    """The terminator ends exactly at the last data bit, where segno's extra zero byte does not
    fit (see qr_fast._codewords)."""
    content = "x" * length
    fast = qr_fast.symbol_rows(content, "m", 0)
    assert fast is not None
    shape = fast[0]
    assert 4 + shape.count_bits + 8 * length + 4 == 8 * shape.data_capacity  # mode, count, data, terminator
    assert fast[1] == segno_rows(content, "m", 0)


def test_segnos_mode_and_encoding_choices_stay_with_segno() -> None:
    for content in ("12345", "HTTPS://EXAMPLE.ORG/VERIFY", "Zoë", "李", ""):
        assert qr_fast.symbol_rows(content, "m", 0) is None
    assert qr_fast.symbol_rows("https://example.org", "m", 0) is not None


def test_a_shape_that_differs_from_segno_is_left_to_segno(monkeypatch) -> None:
    content = "https://certificates.example.org/verify?code=CP1.differs"
    good = qr_fast.symbol_rows(content, qr.ERROR_CORRECTION, qr.MASK)
    assert good is not None
    shape, rows = good
    broken = [("0" if rows[0][0] == "1" else "1") + rows[0][1:], *rows[1:]]
    monkeypatch.setattr(qr, "_shape_agrees", {})
    monkeypatch.setattr(qr_fast, "symbol_rows", lambda *_: (shape, broken))
    assert qr.symbol_rows(content) == rows  # segno's, not the broken one
    assert qr._shape_agrees == {shape: False}
    assert qr.symbol_rows(content + "x") == segno_rows(content + "x", qr.ERROR_CORRECTION, qr.MASK)


def test_the_fast_symbol_reads_back() -> None:
    """zxing-cpp, a reader independent of both encoders, reads what qr_fast draws."""
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp (a QR reader) is not installed")
    for content in ("coursepack certificates verify CP1.e30.AAAA", "https://example.org/verify?code=CP1." + "x" * 300):
        _, rows = qr_fast.symbol_rows(content, "m", 0) or pytest.fail("no fast symbol")
        scale, border = 4, 4
        size = (len(rows) + 2 * border) * scale
        pixels = bytes(
            0 if border <= y // scale < len(rows) + border and border <= x // scale < len(rows) + border
            and rows[y // scale - border][x // scale - border] == "1" else 255
            for y in range(size) for x in range(size)
        )
        found = zxingcpp.read_barcodes(zxingcpp.ImageView(memoryview(pixels), size, size, zxingcpp.ImageFormat.Lum))
        assert [barcode.text for barcode in found] == [content]
