"""Checking an Open Badges 3.0 credential file (the .badge.json beside each PDF) offline.

Three things, each with a one-line reason when it fails: the credential names the given key's
did:key as its issuer; its eddsa-rdfc-2022 proof verifies with that key (openbadgeslib's verifier,
given the key, so nothing is resolved or fetched; its JSON-LD contexts ship inside it); and what it
says is a coursepack certificate's: a learner's name, the course as the achievement, the completion
date, the hours earned equal to the hours the achievement offers. When the certificate's PDF is
beside it (same name, .pdf), the two must say the same: the PDF's signed code is checked too, and
its learner, course, hours and date compared.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from openbadgeslib.ob3 import OB3LdpVerifier, OB3VerificationError, did_key_from_pem

from coursepack.certificates.badge import BADGE_SUFFIX
from coursepack.certificates.keys import fingerprint
from coursepack.certificates.signed_code import Claims, MalformedCode, NotGenuine
from coursepack.certificates.wording import hours_text

# validFrom is midnight where the certificates are dated: that day is within these offsets of UTC
EARLIEST_OFFSET, LATEST_OFFSET = timedelta(hours=-12), timedelta(hours=14)


@dataclass(frozen=True)
class VerifiedBadge:
    credential_id: str
    learner: str
    course_id: str
    course_title: str
    valid_from: str  # as the credential states it (UTC)
    hours: float | None
    fingerprint: str
    pdf: Path | None  # the certificate beside it, checked and found to agree

    def lines(self) -> list[str]:
        rows = [
            f"valid: Open Badges 3.0 credential {self.credential_id}, signed by the key {self.fingerprint}",
            f"  learner:   {self.learner}",
            f"  course:    {self.course_title} ({self.course_id})",
            f"  valid from: {self.valid_from}",
        ]
        if self.hours is not None:
            rows.append(f"  hours:     {hours_text(self.hours)}")
        if self.pdf is not None:
            rows.append(f"  agrees with {self.pdf.name} (its signed code checked too)")
        return rows


def is_json(data: bytes) -> bool:
    """A JSON document rather than a PDF or a code: what a badge file starts with."""
    return data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def check_badge(path: Path, data: bytes, public: Ed25519PublicKey, check_pdf: Any) -> VerifiedBadge:
    """VerifiedBadge, or MalformedCode (not a badge at all) / NotGenuine (changed, or another issuer's).
    check_pdf(path) -> Claims checks the PDF beside the badge, when there is one."""
    document = _parsed(path, data)
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    did = did_key_from_pem(pem)
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer_id != did:
        raise NotGenuine(f"{path.name}: issued by {str(issuer_id)[:80]!r}, not by the given key ({did})")
    try:
        OB3LdpVerifier(pubkey_pem=pem).verify(data)
    except OB3VerificationError as error:
        raise NotGenuine(f"{path.name}: the proof does not verify ({_one_line(error)}): the credential was changed, "
                         "or signed by another key") from None
    badge = _claims(path, document, fingerprint(public))
    pdf = path.with_name(path.name.removesuffix(BADGE_SUFFIX) + ".pdf") if path.name.endswith(BADGE_SUFFIX) else None
    if pdf is None or not pdf.is_file():
        return badge
    _agree(badge, check_pdf(pdf), pdf.name)
    return VerifiedBadge(**{**badge.__dict__, "pdf": pdf})


def _parsed(path: Path, data: bytes) -> dict[str, Any]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        raise MalformedCode(f"{path}: not a JSON document ({_one_line(error)})") from None
    types = document.get("type") if isinstance(document, dict) else None
    if not isinstance(types, list) or "OpenBadgeCredential" not in types:
        raise MalformedCode(f"{path}: a JSON file, but not an Open Badges 3.0 credential (expected 'type' with "
                            "'OpenBadgeCredential', as in the .badge.json beside each certificate)")
    if "proof" not in document:
        raise MalformedCode(f"{path}: an Open Badges credential without a proof: nothing to check")
    return document


def _claims(path: Path, document: dict[str, Any], key_fingerprint: str) -> VerifiedBadge:
    """What a genuine coursepack badge says; a signed credential of another shape is refused."""
    subject = _object(document.get("credentialSubject"))
    achievement = _object(subject.get("achievement"))
    identities = subject.get("identifier") if isinstance(subject.get("identifier"), list) else []
    names = [i.get("identityHash") for i in map(_object, identities) if i.get("identityType") == "name" and not i.get("hashed")]
    hours, offered = subject.get("creditsEarned"), achievement.get("creditsAvailable")
    problems = [
        "no learner's name" if len(names) != 1 or not isinstance(names[0], str) else "",
        "no course as its achievement" if not isinstance(achievement.get("id"), str) else "",
        "no date it is valid from" if not isinstance(document.get("validFrom"), str) else "",
        f"{hours} hours earned of {offered} offered" if hours != offered else "",
    ]
    problem = next((p for p in problems if p), None)
    if problem:
        raise NotGenuine(f"{path.name}: the proof verifies, but the credential is not a coursepack certificate's ({problem})")
    return VerifiedBadge(
        credential_id=str(document.get("id")), learner=names[0], course_id=achievement["id"],
        course_title=str(achievement.get("name", "")), valid_from=document["validFrom"],
        hours=None if hours is None else float(hours), fingerprint=key_fingerprint, pdf=None,
    )


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _agree(badge: VerifiedBadge, claims: Claims, pdf_name: str) -> None:
    """The badge and the PDF beside it state the same learner, course, hours and day."""
    different = [
        ("learner", badge.learner, claims.learner),
        ("course", badge.course_id, claims.course_id),
        ("hours", badge.hours, claims.hours),
    ]
    for what, in_badge, in_pdf in different:
        if in_badge != in_pdf:
            raise NotGenuine(f"the badge and {pdf_name} disagree on the {what} ({in_badge!r} and {in_pdf!r})")
    if not _same_day(badge.valid_from, claims.completed):
        raise NotGenuine(f"the badge and {pdf_name} disagree on the date ({badge.valid_from} and {claims.completed.isoformat()})")


def _same_day(valid_from: str, completed: date) -> bool:
    """validFrom is the completion day's midnight in the certificates' time zone, given in UTC: the
    PDF's day must start at that moment in some zone."""
    try:
        moment = datetime.fromisoformat(valid_from.replace("Z", "+00:00"))
    except ValueError:
        return False
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    offset = datetime.combine(completed, time(0)) - moment  # the zone's offset from UTC, if it is one
    return EARLIEST_OFFSET <= offset <= LATEST_OFFSET


def _one_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:200]
