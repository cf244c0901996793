"""`coursepack certificates`: PDFs for the learners who earned the certificate, signed so anyone can check them.

  coursepack certificates [--out DIR] [--db PATH] [--key PATH] [--verify-url URL] [--paper a4|letter] [COURSE_DIR]
  coursepack certificates keygen [--key PATH]
  coursepack certificates verify CODE|URL|FILE.pdf|FILE.badge.json --public-key PEM

Issuing is the group's default (also `certificates issue`). Problems print as one line and exit 2;
`verify` exits 1 when a well-formed certificate is not genuine, so scripts can tell the two apart.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from coursepack.certificates.document import RenderProblem
from coursepack.certificates.issue import CertificateMaker, issue_certificates
from coursepack.certificates.keys import (
    KeyProblem, default_key_path, fingerprint, generate_key, load_private_key, load_public_key, public_key_path,
)
from coursepack.certificates.settings import CertificateSettings, load_settings
from coursepack.certificates.signed_code import MalformedCode, NotGenuine
from coursepack.certificates.verify import check
from coursepack.certificates.workers import WorkersFailed
from coursepack.commands.common import EXIT_USER_ERROR, course_dir_argument, load_or_exit, report_and_exit
from coursepack.load.errors import CourseError, display_path
from coursepack.report.store import StoreError, default_db, open_store

EXIT_NOT_GENUINE = 1
DEFAULT_OUT = Path(".coursepack") / "certificates"  # beside the store: ignored by git, as learners' data must be


def fail(message: str, code: int = EXIT_USER_ERROR) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


class _IssueByDefault(click.Group):
    """`coursepack certificates [options] [COURSE_DIR]` runs `issue`; `keygen` and `verify` are named."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["issue", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_IssueByDefault)
def certificates() -> None:
    """Certificates anyone can verify: one PDF per eligible learner.

    `coursepack certificates [COURSE_DIR]` issues them (the same as `certificates issue`), from the
    report store that `coursepack report import` filled. Each carries a code signed with the
    issuer's Ed25519 key (make one once with `certificates keygen`) and a QR code that holds it;
    `certificates verify` checks one with the issuer's public key, offline.
    """


key_option = click.option(
    "--key", "key_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="The issuer's private key, outside any course folder  [default: ~/.config/coursepack/issuer-ed25519.pem, or under $XDG_CONFIG_HOME]",
)


@certificates.command("issue")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=f"Folder for the PDFs  [default: COURSE_DIR/{DEFAULT_OUT}]")
@click.option("--db", default=None, metavar="PATH",
              help="The report store (a DuckDB file)  [default: COURSE_DIR/.coursepack/report.duckdb]")
@key_option
@click.option("--verify-url", default=None, metavar="URL",
              help="Your verification page: the QR code opens URL?code=...  [default: certificates.yaml's "
                   "verify_url, else the QR holds the `certificates verify` command]")
@click.option("--paper", type=click.Choice(["a4", "letter"]), default=None,
              help="Paper size  [default: certificates.yaml's paper, else a4]")
@course_dir_argument
def issue(out: Path | None, db: str | None, key_path: Path | None, verify_url: str | None, paper: str | None,
          course_dir: Path) -> None:
    """One PDF per learner the course's certificate rules find eligible.

    Reads the report store, judges every learner by COURSE_DIR's course.yaml as it is now (the same
    rules as `report show`), and writes NAME-ID.pdf for each eligible learner, the issuer's public
    key and certificates.csv (who got which) into the folder. A certificate issued before keeps its
    id and dates; rerunning with the same inputs writes the same bytes. Optional settings (provider,
    topic, hours, paper, time zone) come from certificates.yaml beside course.yaml.
    """
    loaded = load_or_exit(course_dir)
    if loaded.course.certificate is None:
        fail(f"{display_path(course_dir / 'course.yaml')}: the course has no 'certificate' section, so nobody can earn one")
    if verify_url is not None and not verify_url.startswith(("https://", "http://")):
        fail(f"--verify-url must be a web address starting with https:// (got '{verify_url}')")
    settings = _settings_or_exit(course_dir)
    location = db if db is not None else str(default_db(course_dir))
    if "://" not in location and not Path(location).exists():  # rather than create an empty store and issue nothing
        fail(f"{location}: no report store yet (import data first: coursepack report import moodle ...)")
    target = out if out is not None else course_dir / DEFAULT_OUT
    try:
        if out is None:
            _keep_out_of_git(course_dir / DEFAULT_OUT.parent)
        key = load_private_key(key_path or default_key_path(), course_dir)
        maker = CertificateMaker(loaded, settings, key, verify_url, paper)
        with open_store(location) as store:
            result = issue_certificates(maker, store, target)
    except (KeyProblem, StoreError, RenderProblem, WorkersFailed) as error:
        fail(str(error))
    except OSError as error:
        fail(f"{target}: cannot write ({error.strerror or error})")
    for name in result.undated:
        click.echo(f"warning: {name} is eligible but the store holds no activity time to date a certificate; skipped", err=True)
    count = len(result.issued)
    click.echo(
        f"{count} certificate{'s' if count != 1 else ''} in {display_path(target)} "
        f"({result.not_eligible} learner{'s' if result.not_eligible != 1 else ''} not eligible); "
        f"check one with: coursepack certificates verify FILE.pdf --public-key {display_path(result.public_key)}"
    )


def _keep_out_of_git(folder: Path) -> None:
    """The default folder is inside the course folder, usually a git repository, and the PDFs name
    learners: like the report store's, the folder ignores itself (the store may live elsewhere)."""
    ignore = folder / ".gitignore"
    if not ignore.exists():
        folder.mkdir(parents=True, exist_ok=True)
        ignore.write_text("# coursepack's learners' data (report store, certificates): never committed\n*\n", encoding="utf-8")


def _settings_or_exit(course_dir: Path) -> CertificateSettings:
    try:
        return load_settings(course_dir)
    except CourseError as error:
        report_and_exit(error)
        raise  # unreachable: report_and_exit exits


@certificates.command()
@key_option
def keygen(key_path: Path | None) -> None:
    """Make the issuer's Ed25519 key (once).

    Writes the private key readable by you only (mode 0600) and the public key beside it
    (.pub.pem), which verifiers need. Keep the private key outside every course folder and
    back it up: certificates signed with a lost key can still be checked, but no new ones
    can be signed with it. An existing key is never overwritten.
    """
    path = key_path or default_key_path()
    try:
        key = generate_key(path)
    except KeyProblem as error:
        fail(str(error))
    click.echo(f"made {path} (private: mode 0600, never share it) and {public_key_path(path)} (public: give it to verifiers)")
    click.echo(f"fingerprint {fingerprint(key.public_key())}")


@certificates.command()
@click.argument("certificate", metavar="CODE|URL|FILE.pdf|FILE.badge.json")
@click.option("--public-key", "public_key_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The issuer's public key (the .pub.pem file beside the certificates).")
def verify(certificate: str, public_key_file: Path) -> None:
    """Check a certificate offline with the issuer's public key.

    Give the PDF, the address or text its QR code holds, or the code itself. Prints what the
    issuer signed (learner, course, completion date, hours) for you to compare with the paper.
    Or give the Open Badges 3.0 credential (.badge.json) beside a PDF: its eddsa-rdfc-2022 proof
    is checked with the same key, which must be its issuer's, and the PDF beside it, if there, must
    say the same. Exit code 0: genuine; 1: not genuine (changed, or signed by another key); 2: no
    code found, or not a badge.
    """
    try:
        public = load_public_key(public_key_file)
        verified = check(certificate, public)
    except (KeyProblem, MalformedCode) as error:
        fail(str(error))
    except NotGenuine as error:
        fail(f"not genuine: {error} (checked with the key {fingerprint(public)})", EXIT_NOT_GENUINE)
    for line in verified.lines():
        click.echo(line)
