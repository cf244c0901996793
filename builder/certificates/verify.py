"""Checking a certificate: find its code (in a PDF, the QR's URL or instruction, or as typed), check
the signature with the issuer's public key, and say what the certificate states. A JSON file is
taken for the Open Badges 3.0 credential beside a PDF and checked by badge_check.

A PDF's code is read from its metadata (the keywords), where the template put it as plain text,
so no PDF library is needed. What is printed on the page is not compared: the check says what
the issuer signed, and a reader compares that with the paper, as with any signed QR code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from coursepack.certificates.badge_check import VerifiedBadge, check_badge, is_json
from coursepack.certificates.document import KEYWORD_PREFIX
from coursepack.certificates.keys import fingerprint
from coursepack.certificates.signed_code import CODE_PATTERN, Claims, MalformedCode, verify
from coursepack.certificates.wording import hours_text

MAX_PDF_BYTES = 50 * 1024 * 1024
PDF_KEYWORD = re.compile(re.escape(KEYWORD_PREFIX) + f"({CODE_PATTERN.pattern})")


@dataclass(frozen=True)
class Verified:
    claims: Claims
    fingerprint: str

    def lines(self) -> list[str]:
        c = self.claims
        rows = [
            f"valid: certificate {c.certificate_id}, signed by the key {self.fingerprint}",
            f"  learner:   {c.learner}",
            f"  course:    {c.course_id}",
            f"  completed: {c.completed.isoformat()}",
        ]
        if c.hours is not None:
            rows.append(f"  hours:     {hours_text(c.hours)}")
        return rows


def find_code(given: str) -> str:
    """The code in what the user gave: a PDF file, a text file, a URL, the QR's instruction or a code."""
    path = _existing_file(given)
    if path is not None:
        data = _read(path, given)
        text = data.decode("latin-1")  # a PDF is bytes; the code is ASCII wherever it sits
        if data.startswith(b"%PDF"):  # only the code the template put in the metadata, not one quoted in the text
            codes = {m.group(1) for m in PDF_KEYWORD.finditer(text)}
            where = f"{given}: no coursepack certificate code in this PDF's metadata"
        else:
            codes = {m.group(0) for m in CODE_PATTERN.finditer(text)}
            where = f"{given}: no certificate code in this file"
    else:
        codes = {m.group(0) for m in CODE_PATTERN.finditer(given)}
        where = "no certificate code found (expected the code 'CP1.…', the address the QR code opens, or a PDF file)"
    if not codes:
        raise MalformedCode(where)
    if len(codes) > 1:
        raise MalformedCode(f"{given}: holds {len(codes)} different certificate codes (expected one)")
    return codes.pop()


def _existing_file(given: str) -> Path | None:
    """given as a file when it names one; a code or URL is no file name (and may be too long for one)."""
    try:
        path = Path(given)
        return path if path.is_file() else None
    except (OSError, ValueError):
        return None


def check(given: str, public: Ed25519PublicKey) -> Verified | VerifiedBadge:
    """Verified (or VerifiedBadge for a badge file), or MalformedCode / NotGenuine (from signed_code)
    with a one-line reason."""
    path = _existing_file(given)
    if path is not None:
        data = _read(path, given)
        if is_json(data):
            return check_badge(path, data, public, lambda pdf: verify(find_code(str(pdf)), public))
    return Verified(verify(find_code(given), public), fingerprint(public))


def _read(path: Path, given: str) -> bytes:
    try:
        if path.stat().st_size > MAX_PDF_BYTES:
            raise MalformedCode(f"{given}: larger than a certificate ({MAX_PDF_BYTES // 1048576} MB)")
        return path.read_bytes()
    except OSError as error:
        raise MalformedCode(f"{given}: cannot read ({error.strerror or error})") from None
