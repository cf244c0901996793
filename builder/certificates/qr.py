"""The QR code on a certificate (segno, SVG): it carries the whole signed code, so checking needs
nothing but the issuer's public key, and no server has to keep a list of certificates."""

from __future__ import annotations

import io

import segno

ERROR_CORRECTION = "m"  # 15 % of the symbol may be smudged or folded and it still reads
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
    return segno.make(content, error=ERROR_CORRECTION, micro=False, boost_error=False)


def qr_svg(content: str) -> str:
    """One SVG path of dark modules on no background (the page is white), quiet zone included."""
    buffer = io.BytesIO()
    make_qr(content).save(buffer, kind="svg", xmldecl=False, svgns=True, svgclass=None, lineclass=None,
                          border=QUIET_ZONE, scale=1, dark="#000")
    return buffer.getvalue().decode("ascii")
