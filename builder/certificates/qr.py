"""The QR code on a certificate (segno, SVG): it carries the whole signed code, so checking needs
nothing but the issuer's public key, and no server has to keep a list of certificates.

The mask is pinned rather than chosen by segno's penalty evaluation: evaluating all eight masks
was most of a certificate's time (issue 13's benchmark). ISO/IEC 18004 §7.8.3 asks an encoder for
the lowest-penalty mask, to keep patterns that could confuse a reader out of the symbol; a reader
takes the mask from the symbol's format information, so any of the eight reads, and the data here
(base64url text) looks random under every one. tests/test_certificates.py decodes the drawn symbol
with zxing-cpp, a reader independent of segno.

The symbols themselves come from qr_fast (the same modules, about twenty times faster); segno makes
the first symbol of each shape again in each process, and makes every symbol of a shape where the
two ever differ, or of content qr_fast does not take."""

from __future__ import annotations

import segno

from coursepack.certificates import qr_fast

ERROR_CORRECTION = "m"  # 15 % of the symbol may be smudged or folded and it still reads
MASK = 0  # pinned: see the module's docstring
QUIET_ZONE = 4  # modules of white around the symbol, as the QR standard asks
VERIFY_COMMAND = "coursepack certificates verify"


def verification_target(code: str, verify_url: str | None) -> str:
    """What the QR holds: the verification page with the code (a code is URL-safe as it is), or,
    without a page, the command that checks it."""
    if verify_url is None:
        return f"{VERIFY_COMMAND} {code}"
    separator = "&" if "?" in verify_url else "?"
    return f"{verify_url}{separator}code={code}"


def make_qr(content: str) -> segno.QRCode:
    return segno.make(content, error=ERROR_CORRECTION, micro=False, boost_error=False, mask=MASK)


def symbol_rows(content: str) -> list[str]:
    """The symbol's rows as '0'/'1' strings (1 dark), quiet zone not included: segno's matrix."""
    fast = qr_fast.symbol_rows(content, ERROR_CORRECTION, MASK)
    if fast is not None:
        shape, rows = fast
        agrees = _shape_agrees.get(shape)
        if agrees is None:  # first of its shape here: checked against segno, the reference
            agrees = _shape_agrees[shape] = rows == segno_rows(content)
        if agrees:
            return rows
    return segno_rows(content)


_shape_agrees: dict[qr_fast.Shape, bool] = {}  # per shape, whether qr_fast's first symbol was segno's


def segno_rows(content: str) -> list[str]:
    """The rows of segno's own symbol (the reference; bench/certificates.py's --qr-by segno)."""
    return ["".join("1" if dark else "0" for dark in row) for row in make_qr(content).matrix]


# the path's pieces for every position and length up to version 40's 177 modules, written once:
# formatting three numbers for each of a symbol's ~800 runs was most of the SVG's time
_MOVE = tuple(f"M{x + QUIET_ZONE} " for x in range(178))
_ROW = tuple(f"{y}.5" for y in range(178 + 2 * QUIET_ZONE))
_RUN = tuple(f"h{length}" for length in range(178))


def qr_svg(content: str) -> str:
    """One SVG path of dark modules on no background (the page is white), quiet zone included: a
    1-unit-wide horizontal stroke through the middle of each run of dark modules in a row. Written
    here rather than by segno's general SVG writer, which took longer than making the symbol."""
    rows = symbol_rows(content)
    size = len(rows) + 2 * QUIET_ZONE
    runs: list[str] = []
    for y, row in enumerate(rows, QUIET_ZONE):
        x, middle = 0, _ROW[y]
        for dark in row.split("0"):  # the runs of dark modules, and the light module after each
            if dark:
                runs.append(_MOVE[x] + middle + _RUN[len(dark)])
            x += len(dark) + 1
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}">'
            f'<path stroke="#000" d="{"".join(runs)}"/></svg>')
