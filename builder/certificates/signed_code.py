"""The certificate id and the signed verification code, and checking a code with a public key.

Id: 'CP-' and 12 Crockford base32 characters (60 bits) in groups of four, derived from the course id
and the learner by signing them with the issuer's key (Ed25519 signatures are deterministic): a
learner gets the same id on every re-issue without any stored state, and nobody without the key can
work out a learner's id from an e-mail address.

Code: 'CP1.' + base64url(payload) + '.' + base64url(signature), where the payload is compact JSON of
what the certificate claims (id, course IRI, learner's name, completion date, hours) and the
Ed25519 signature covers the ASCII text before the last dot (as JWS does). The signed bytes travel in
the code, so checking needs no canonical form, and any changed character fails the check. Encodings
must be canonical (no padding, no stray bits), so no two codes carry the same signature: a code
written another way was changed, and is not genuine.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

VERSION = "CP1"
ID_DOMAIN = b"coursepack-certificate-id/1\x00"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ID_PATTERN = re.compile(r"CP-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")
# What a code looks like inside other text (a URL, a PDF's metadata, the QR's instruction).
CODE_PATTERN = re.compile(rf"{VERSION}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
SIGNATURE_BYTES = 64


class MalformedCode(Exception):
    """Not a certificate code at all (cut short, mistyped, not base64url): a one-line message."""


class NotGenuine(Exception):
    """A well-formed code whose signature does not match: changed, or signed by another key."""


@dataclass(frozen=True)
class Claims:
    """What a certificate states, all of it signed."""

    certificate_id: str
    course_id: str
    learner: str
    completed: date
    hours: float | None

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.certificate_id, "course": self.course_id, "name": self.learner, "date": self.completed.isoformat(),
        }
        if self.hours is not None:
            data["hours"] = self.hours
        return data


def certificate_id(key: Ed25519PrivateKey, course_id: str, learner_key: str) -> str:
    seed = key.sign(ID_DOMAIN + course_id.encode("utf-8") + b"\x00" + learner_key.encode("utf-8"))
    number = int.from_bytes(hashlib.sha256(seed).digest()[:8], "big") >> 4  # 60 bits: 12 characters
    chars = "".join(CROCKFORD[(number >> shift) & 31] for shift in range(55, -1, -5))
    return f"CP-{chars[0:4]}-{chars[4:8]}-{chars[8:12]}"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    try:
        data = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise MalformedCode(f"the {what} is not base64url text (was the code cut short or mistyped?)") from None
    if _b64(data) != text:  # stray bits in the last character: the same bytes, written another way
        raise NotGenuine(f"the code was changed: its {what} is not written the way coursepack writes it")
    return data


def sign(claims: Claims, key: Ed25519PrivateKey) -> str:
    body = json.dumps(claims.payload(), ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
    signing_input = f"{VERSION}.{_b64(body)}"
    return f"{signing_input}.{_b64(key.sign(signing_input.encode('ascii')))}"


def signature_of(code: str) -> str:
    """The signature part of a code, as printed on the certificate."""
    return code.rsplit(".", 1)[-1]


def verify(code: str, public: Ed25519PublicKey) -> Claims:
    """The claims of a genuine code; MalformedCode or NotGenuine otherwise."""
    code = code.strip()
    parts = code.split(".")
    if len(parts) != 3 or parts[0] != VERSION or not CODE_PATTERN.fullmatch(code):
        raise MalformedCode(f"not a coursepack certificate code (expected '{VERSION}.' and two base64url parts separated by '.')")
    body, signature = _unb64(parts[1], "payload"), _unb64(parts[2], "signature")
    if len(signature) != SIGNATURE_BYTES:
        raise MalformedCode(f"the signature has {len(signature)} bytes (expected {SIGNATURE_BYTES}; was the code cut short?)")
    try:
        public.verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii"))
    except InvalidSignature:
        raise NotGenuine("the signature does not match: the certificate's details were changed, or it was signed by another key") from None
    return _claims(body)


def _claims(body: bytes) -> Claims:
    """The payload of a correctly signed code; a wrong shape here means another program signed it."""
    try:
        data = json.loads(body.decode("utf-8"))
        hours = data.get("hours")
        claims = Claims(data["id"], data["course"], data["name"], date.fromisoformat(data["date"]),
                        None if hours is None else float(hours))
        if not all(isinstance(v, str) for v in (claims.certificate_id, claims.course_id, claims.learner)):
            raise TypeError
        if not ID_PATTERN.fullmatch(claims.certificate_id):
            raise ValueError
    except (ValueError, KeyError, TypeError, AttributeError):
        raise MalformedCode("the signature matches, but the payload is not a coursepack certificate's") from None
    return claims
