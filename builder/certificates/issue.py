"""Issue a course's certificates: one PDF per eligible learner, the issuer's public key and an index,
all in one folder. Nothing secret is written: the private key only signs."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from coursepack.certificates.badge import BadgeMaker, BadgeTemplate, badge_file_name
from coursepack.certificates.document import PAPER, CertificatePage, PdfRenderer, Signatory, statement_runs
from coursepack.certificates.eligible import Recipient, eligible_learners, record_issued
from coursepack.certificates.keys import KEY_FILE, fingerprint, public_key_path, public_pem
from coursepack.certificates.qr import qr_svg, verification_target
from coursepack.certificates.settings import CertificateSettings, font_dir
from coursepack.certificates.signed_code import Claims, certificate_id, sign, signature_of
from coursepack.certificates.wording import LABELS, date_range, hours_text, language_of, long_date, mastery_text
from coursepack.certificates.workers import ordered_map
from coursepack.load.course_loader import LoadedCourse, load_course
from coursepack.model.course import Certificate
from coursepack.render.unit_contents import reflection_min, required_module_ids, unit_contents
from coursepack.report.excel_csv import excel_csv, excel_safe
from coursepack.report.store import Store

INDEX_FILE = "certificates.csv"
PUBLIC_KEY_FILE = public_key_path(Path(KEY_FILE)).name


@dataclass(frozen=True)
class Issued:
    recipient: Recipient
    file: Path
    code: str
    verification: str  # what the QR code holds


@dataclass(frozen=True)
class MakerRecipe:
    """What a worker process needs to build the same CertificateMaker (see workers.py). The private
    key travels to our own child processes through a pipe; it is never written anywhere."""

    course_root: Path
    settings: CertificateSettings
    private_key: bytes  # raw Ed25519
    verify_url: str | None
    paper: str | None
    out_dir: Path


@dataclass(frozen=True)
class IssueResult:
    issued: list[Issued]
    not_eligible: int
    undated: list[str]
    public_key: Path
    index: Path


def file_name(recipient: Recipient) -> str:
    """'alice-anders-CP-7KQ2-M9XD-H4TA.pdf': readable in a file list, unique by the id."""
    ascii_name = unicodedata.normalize("NFKD", recipient.name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")
    return f"{slug or 'certificate'}-{recipient.certificate_id}.pdf"


def course_mastery(loaded: LoadedCourse) -> str:
    """The certificate rules as one printed sentence, from the same rule functions the player uses."""
    unit = unit_contents(loaded, "certificate")
    required = set(required_module_ids(unit))
    has_quiz = any(q.module.module.id in required for q in unit.quizzes)
    gates = [n for r in unit.reflections if r.module.module.id in required and (n := reflection_min(unit, r.block)) > 0]
    mark = loaded.course.pass_mark_for("certificate") if has_quiz else None
    return mastery_text(loaded.course.language, len(required), mark, min(gates) if gates else None)


class CertificateMaker:
    """Makes the page and PDF of each recipient of one course, with one key and one set of settings."""

    def __init__(self, loaded: LoadedCourse, settings: CertificateSettings, key: Ed25519PrivateKey,
                 verify_url: str | None, paper: str | None) -> None:
        certificate = loaded.course.certificate
        if certificate is None:
            raise ValueError("the course defines no certificate")
        self.loaded, self.settings, self.key, self.certificate = loaded, settings, key, certificate
        self.given_verify_url, self.given_paper = verify_url, paper
        self.verify_url = verify_url if verify_url is not None else settings.verify_url
        self.paper = PAPER[paper or settings.paper]
        self.hours = settings.hours if settings.hours is not None else certificate.credit_hours
        self.language = loaded.course.language
        self.labels = LABELS[language_of(self.language)]
        self.fingerprint = fingerprint(key.public_key())
        self.mastery = settings.mastery or course_mastery(loaded)
        self.statement = statement_runs(certificate.statement) if certificate.statement else []
        self.signatory = _signatory(certificate, self.labels["signature_of"])
        self.renderer = PdfRenderer(loaded.root, font_dir(loaded.root, settings))
        self.badges = BadgeMaker(key, self.badge_template())

    def badge_template(self) -> BadgeTemplate:
        """What the Open Badges credential beside each PDF says: what the PDF prints."""
        course = self.loaded.course
        description = " ".join("".join(run.text for run in paragraph) for paragraph in self.statement)
        return BadgeTemplate(
            course_id=course.id, course_title=course.title, description=description or self.certificate.title,
            criteria=self.mastery, issuer_name=self.settings.provider or self.certificate.issuer, hours=self.hours,
            zone=self.settings.zone(),
        )

    def new_id(self, learner_key: str) -> str:
        return certificate_id(self.key, self.loaded.course.id, learner_key)

    def claims(self, recipient: Recipient) -> Claims:
        course = self.loaded.course
        return Claims(recipient.certificate_id, course.id, recipient.name, recipient.completed_on, self.hours)

    def details(self, recipient: Recipient) -> list[tuple[str, str]]:
        labels, tag, settings = self.labels, self.language, self.settings
        rows = [(labels["course"], self.loaded.course.title), (labels["completed_on"], long_date(recipient.completed_on, tag))]
        if recipient.started_on is not None and recipient.started_on < recipient.completed_on:
            rows.append((labels["dates"], date_range(recipient.started_on, recipient.completed_on, tag)))
        if self.hours is not None:
            rows.append((labels["hours"], hours_text(self.hours)))
        rows.append((labels["provider"], settings.provider or self.certificate.issuer))
        if settings.provider_id:
            rows.append((labels["provider_id"], settings.provider_id))
        if settings.topic:
            rows.append((labels["topic"], settings.topic))
        rows.append((labels["mastery"], self.mastery))
        if settings.quiz_scores and recipient.quiz_best:
            scores = "  ".join(f"{i}: {'–' if v is None else f'{v:g} %'}" for i, v in enumerate(recipient.quiz_best.values(), 1))
            rows.append((labels["quiz_scores"], scores))
        return rows

    def page(self, recipient: Recipient, code: str) -> CertificatePage:
        return CertificatePage(
            language=self.language, paper=self.paper, labels=self.labels, title=self.certificate.title,
            issuer=self.certificate.issuer, course_title=self.loaded.course.title, learner=recipient.name,
            statement=self.statement, details=self.details(recipient), signatory=self.signatory,
            certificate_id=recipient.certificate_id, signature=signature_of(code), fingerprint=self.fingerprint,
            code=code, verify_url=self.verify_url, qr_alt=f"{self.labels['qr_alt']} {recipient.certificate_id}",
            completed_on=recipient.completed_on,
        )

    def make(self, recipient: Recipient) -> tuple[bytes, str, str]:
        """(PDF, signed code, what the QR holds) for one recipient."""
        code = sign(self.claims(recipient), self.key)
        target = verification_target(code, self.verify_url)
        return self.renderer.render(self.page(recipient, code), qr_svg(target)), code, target

    def issue_one(self, recipient: Recipient, out_dir: Path) -> Issued:
        """The recipient's PDF and, beside it, their Open Badges 3.0 credential, written into out_dir."""
        pdf, code, target = self.make(recipient)
        path = out_dir / file_name(recipient)
        write_file(path, pdf)
        write_file(out_dir / badge_file_name(path.name), self.badges.make(recipient))
        return Issued(recipient, path, code, target)

    def recipe(self, out_dir: Path) -> MakerRecipe:
        raw = self.key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
        return MakerRecipe(self.loaded.root, self.settings, raw, self.given_verify_url, self.given_paper, out_dir)


def worker_issuer(recipe: MakerRecipe) -> Callable[[Recipient], Issued]:
    """In a worker process: the same maker, built again from the recipe (the course is read again)."""
    key = Ed25519PrivateKey.from_private_bytes(recipe.private_key)
    maker = CertificateMaker(load_course(recipe.course_root), recipe.settings, key, recipe.verify_url, recipe.paper)
    return partial(maker.issue_one, out_dir=recipe.out_dir)


def _signatory(certificate: Certificate, signature_of: str) -> Signatory:
    person = certificate.signatory
    image = f"/assets/{person.signature}" if person.signature else None
    return Signatory(person.name, person.role, image, f"{signature_of} {person.name}")


def issue_certificates(maker: CertificateMaker, store: Store, out_dir: Path, workers: int | None = None) -> IssueResult:
    """Every eligible learner's certificate into out_dir (made if missing), with the public key and
    certificates.csv; the ids and dates of first issues are then kept in the store. workers: processes
    to make them in (None: every core when there are many, see workers.py)."""
    eligibility = eligible_learners(store, maker.loaded, maker.settings.zone(), maker.new_id)
    out_dir.mkdir(parents=True, exist_ok=True)
    local = partial(maker.issue_one, out_dir=out_dir)
    issued = ordered_map(worker_issuer, maker.recipe(out_dir), eligibility.recipients, workers, local)
    public_key = out_dir / PUBLIC_KEY_FILE
    write_file(public_key, public_pem(maker.key.public_key()))
    index = out_dir / INDEX_FILE
    write_file(index, index_csv(issued))
    record_issued(store, eligibility)
    return IssueResult(issued, eligibility.not_eligible, eligibility.undated, public_key, index)


def write_file(path: Path, data: bytes) -> None:
    """Whole or not at all (a reader never sees half a PDF); unchanged files are left alone."""
    if path.is_file() and path.read_bytes() == data:
        return
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    partial.replace(path)


def index_csv(issued: list[Issued]) -> bytes:
    """Who got which certificate, for a mail merge: UTF-8 with a BOM (Excel), CRLF, ISO dates."""
    return excel_csv(["certificate id", "name", "identifier", "completed on", "file", "verification"], (
        [item.recipient.certificate_id, excel_safe(item.recipient.name), excel_safe(item.recipient.identifier),
         item.recipient.completed_on.isoformat(), item.file.name, item.verification]
        for item in issued
    ))
