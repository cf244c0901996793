"""The QR code on a certificate (segno, SVG): it carries the whole signed code, so checking needs
nothing but the issuer's public key, and no server has to keep a list of certificates.

The mask is pinned rather than chosen by segno's penalty evaluation: evaluating all eight masks
was most of a certificate's time (issue 13's benchmark). ISO/IEC 18004 §7.8.3 asks an encoder for
the lowest-penalty mask, to keep patterns that could confuse a reader out of the symbol; a reader
takes the mask from the symbol's format information, so any of the eight reads, and the data here
(base64url text) looks random under every one. tests/test_certificates.py decodes the drawn symbol
with zxing-cpp, a reader independent of segno."""

from __future__ import annotations

import segno

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


def qr_svg(content: str) -> str:
    """One SVG path of dark modules on no background (the page is white), quiet zone included: a
    1-unit-wide horizontal stroke through the middle of each run of dark modules in a row. Written
    here rather than by segno's general SVG writer, which took longer than making the symbol."""
    matrix = make_qr(content).matrix
    size = len(matrix) + 2 * QUIET_ZONE
    runs: list[str] = []
    for y, row in enumerate(matrix, QUIET_ZONE):
        start = None
        for x, dark in enumerate((*row, 0)):  # the extra light module ends a run at the row's end
            if dark and start is None:
                start = x
            elif not dark and start is not None:
                runs.append(f"M{start + QUIET_ZONE} {y}.5h{x - start}")
                start = None
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}">'
            f'<path stroke="#000" d="{"".join(runs)}"/></svg>')
