"""The Open Badges 3.0 credential beside each certificate PDF (issue 13 §5).

An OpenBadgeCredential (a W3C Verifiable Credential) for one learner, secured with an embedded Data
Integrity proof, cryptosuite eddsa-rdfc-2022, signed with the same Ed25519 issuer key as the PDF's
code. The issuer is the key's did:key, so a wallet or verifier resolves the public key from the
credential itself: nothing has to be hosted. openbadgeslib (the [ldp] extra, with pyld) builds and
signs it; its JSON-LD contexts ship pinned inside that package and are never fetched, so issuing
works offline. openbadgeslib signs the first credential of each shape (and checks that the proof
covers the whole JSON); the rest are signed by badge_proof's TemplateSigner, which gives the same
bytes about thirty times faster (the first one of each shape is compared to make sure).

What the badge says is what the PDF says: the course (the achievement, its id the course IRI), the
learner (their name in plain text, their e-mail address only as a salted SHA-256), the completion
date, the hours. The salt is derived from the issuer's key and the certificate id, as the id is, so
a rerun writes the same bytes, and nobody without the key can test a list of addresses against it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from openbadgeslib.ob3 import Achievement, IdentityObject, Issuer, OpenBadgeCredential
from openbadgeslib.ob3.ldp import OB3LdpSigner

from coursepack.certificates.badge_proof import ShapeMismatch, TemplateSigner
from coursepack.certificates.eligible import Recipient

BADGE_SUFFIX = ".badge.json"
SALT_DOMAIN = b"coursepack-badge-salt/1\x00"
ID_NAMESPACE = uuid.UUID("6f1c7a52-3b8e-5c1d-9a27-0d6b1e4f8c93")  # coursepack's own: credential ids never collide with others'


@dataclass(frozen=True)
class BadgeTemplate:
    """What every badge of one course says alike."""

    course_id: str  # the course's IRI: the achievement's id
    course_title: str
    description: str  # the certificate's statement as plain text
    criteria: str  # the mastery criterion met, as the PDF prints it
    issuer_name: str
    hours: float | None
    zone: ZoneInfo  # the certificates' time zone: the completion day starts at midnight there


class BadgeMaker:
    """Signs one course's badges with the issuer's key; one signer for the whole run."""

    def __init__(self, key: Ed25519PrivateKey, template: BadgeTemplate) -> None:
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        self.key, self.template = key, template
        self.signer = OB3LdpSigner(pem)  # no verification method given: the key's own did:key
        self.did = self.signer.verification_method.split("#", 1)[0]
        self.fast: TemplateSigner | None = TemplateSigner(key, self.signer.verification_method)

    def credential(self, recipient: Recipient) -> OpenBadgeCredential:
        t = self.template
        achievement = Achievement(
            id=t.course_id, name=t.course_title, description=t.description, criteria_narrative=t.criteria,
            achievement_type="Certificate", credits_available=t.hours,
        )
        return OpenBadgeCredential(
            id=credential_id(t.course_id, recipient.certificate_id),
            issuer=Issuer(id=self.did, name=t.issuer_name),
            recipient_id=None,  # no DID for the learner; who they are travels in `identifier`
            achievement=achievement,
            issuance_date=completion_moment(recipient.completed_on, t.zone),
            credits_earned=t.hours,
            identifiers=self.identifiers(recipient),
        )

    def identifiers(self, recipient: Recipient) -> list[IdentityObject]:
        found = [IdentityObject(identity_hash=recipient.name, identity_type="name", hashed=False)]
        if recipient.identifier:
            kind = "emailAddress" if "@" in recipient.identifier else "identifier"
            found.append(IdentityObject.create(recipient.identifier.strip().lower(), salt=self.salt(recipient), identity_type=kind))
        return found

    def salt(self, recipient: Recipient) -> str:
        seed = self.key.sign(SALT_DOMAIN + recipient.certificate_id.encode("ascii"))  # deterministic (Ed25519)
        return base64.urlsafe_b64encode(hashlib.sha256(seed).digest()[:16]).rstrip(b"=").decode("ascii")

    def make(self, recipient: Recipient) -> bytes:
        """The signed credential as UTF-8 JSON (sorted keys, so reruns are byte-identical)."""
        return _serialized(self.signed(recipient))

    def signed(self, recipient: Recipient) -> dict[str, Any]:
        credential = self.credential(recipient)
        moment = completion_moment(recipient.completed_on, self.template.zone)
        if self.fast is not None:
            document = credential.to_vc()
            try:  # the proof's time is the completion moment, as validFrom
                proof, first_of_shape = self.fast.proof(document, varying_places(document), document["validFrom"])
            except ShapeMismatch:
                return self.signer.sign(credential, created=moment)
            fast = {**document, "proof": proof}
            if not first_of_shape:
                return fast
            checked = self.signer.sign(credential, created=moment)
            if _serialized(checked) == _serialized(fast):
                return fast
            self.fast = None  # never seen: the shortcut disagrees with openbadgeslib, so it is not used again
            return checked
        return self.signer.sign(credential, created=moment)


def varying_places(document: dict[str, Any]) -> list[tuple[str | int, ...]]:
    """Where one learner's credential differs from another's of the same course: its id and date, and
    the learner's identity objects (their name, their hashed address and its salt)."""
    places: list[tuple[str | int, ...]] = [("id",), ("validFrom",)]
    for i, identity in enumerate(document["credentialSubject"].get("identifier", [])):
        places += [("credentialSubject", "identifier", i, field) for field in ("identityHash", "salt") if field in identity]
    return places


def _serialized(signed: dict[str, Any]) -> bytes:
    return (json.dumps(signed, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def credential_id(course_id: str, certificate_id: str) -> str:
    """A stable urn:uuid per certificate: the same learner's badge keeps its id on every rerun."""
    return f"urn:uuid:{uuid.uuid5(ID_NAMESPACE, course_id + chr(0) + certificate_id)}"


def completion_moment(day: date, zone: ZoneInfo) -> datetime:
    """validFrom and the proof's time: the start of the completion day where the certificates are dated
    (the store keeps the exact time, but the certificate states a day, and a rerun must not change it)."""
    return datetime.combine(day, time(0), tzinfo=zone)


def badge_file_name(pdf_name: str) -> str:
    """'alice-anders-CP-7KQ2-M9XD-H4TA.pdf' -> 'alice-anders-CP-7KQ2-M9XD-H4TA.badge.json'."""
    stem = pdf_name[: -len(".pdf")] if pdf_name.endswith(".pdf") else pdf_name
    return stem + BADGE_SUFFIX
