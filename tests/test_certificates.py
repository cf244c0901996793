"""`coursepack certificates`: PDFs for exactly the eligible learners, signed codes that verify offline,
the QR code, the issuer's key kept safe, byte-identical reruns.

The store is filled from the real Moodle 4.3.0 downloads in ../shared/fixtures/moodle-4.3 (as
tests/test_report_moodle.py does); its README says who is eligible. The course is a copy of the
example course with a signature image and a certificates.yaml added.
"""

from __future__ import annotations

import base64
import csv
import json
import re
import shutil
import stat
from datetime import date
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization

from conftest import REPO, SHARED
from coursepack.certificates.document import statement_runs
from coursepack.certificates.issue import CertificateMaker, issue_certificates
from coursepack.certificates.keys import KeyProblem, generate_key, load_private_key, load_public_key
from coursepack.certificates.qr import make_qr
from coursepack.certificates.settings import load_settings
from coursepack.certificates.signed_code import Claims, MalformedCode, NotGenuine, certificate_id, sign, verify
from coursepack.certificates.verify import check
from coursepack.certificates.wording import long_date, mastery_text
from coursepack.cli import main
from coursepack.load.course_loader import load_course
from coursepack.report.course_map import course_map
from coursepack.report.moodle_files import read_files
from coursepack.report.rules import read_report, refresh_course
from coursepack.report.store import open_store

FIXTURES = SHARED / "fixtures" / "moodle-4.3"
CMIDS = (2, 3, 4, 5, 6, 7)
# The fixtures' README: who earned the certificate across the six activities.
ELIGIBLE = {"Alice Anders", "Bob Berg", "Dan Dietz", "Studente3 Tester", "Studenta2 Tester"}
SIGNATURE_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 60" width="200" height="60">'
                 '<path d="M5 45 C 30 5, 50 5, 60 40 S 90 60, 110 20 S 150 10, 195 35" fill="none" stroke="#123" stroke-width="3"/></svg>')
VERIFY_URL = "https://certificates.example.org/verify"

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"Moodle fixtures not found at {FIXTURES}")


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def copy_course(target: Path, settings: str | None = None) -> Path:
    for name in ("course.yaml", "modules", "assets"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target / name)
    (target / "assets" / "signatures").mkdir()
    (target / "assets" / "signatures" / "signature.svg").write_text(SIGNATURE_SVG, encoding="utf-8")
    course = (target / "course.yaml").read_text(encoding="utf-8")
    marker = "    role: Professional Learning Lead (example value)\n"
    assert marker in course
    (target / "course.yaml").write_text(course.replace(marker, marker + "    signature: signatures/signature.svg\n"), encoding="utf-8")
    if settings is not None:
        (target / "certificates.yaml").write_text(settings, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A course folder, a store filled from the six activities' downloads, and a key outside both."""
    root = tmp_path_factory.mktemp("certificates")
    (root / "course").mkdir()
    course_dir = copy_course(root / "course", "provider: Example School District\nprovider_id: PD-00042\ntopic: Digital literacy\n")
    loaded = load_course(course_dir)
    db = root / "store" / "report.duckdb"
    with open_store(db) as store:
        for cmid in CMIDS:
            files = [FIXTURES / f"scorm-reports/cm{cmid}_interactions_full_CSV.txt", FIXTURES / "gradebook/grade_export_txt_default.csv"]
            store.write_import(read_files(files, course_map(loaded), source=f"moodle-files#cmid={cmid}"))
    key = root / "home" / "issuer-ed25519.pem"
    generate_key(key)
    out = root / "out"
    result = run("certificates", "--db", db, "--key", key, "--out", out, course_dir)
    assert result.exit_code == 0, result.output
    return {"root": root, "course": course_dir, "loaded": loaded, "db": db, "key": key, "out": out, "output": result.output}


def index(out: Path) -> list[dict[str, str]]:
    return list(csv.DictReader((out / "certificates.csv").read_text(encoding="utf-8-sig").splitlines()))


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


# ---- who gets one, and what it says ------------------------------------------------------------------


def test_a_certificate_for_exactly_the_eligible_learners(world) -> None:
    with open_store(world["db"]) as store:
        refresh_course(store, world["loaded"])
        eligible = {row.name for row in read_report(store, world["loaded"].course.id).rows if row.status == "eligible"}
    assert eligible == ELIGIBLE
    rows = index(world["out"])
    assert {row["name"] for row in rows} == ELIGIBLE
    pdfs = sorted(world["out"].glob("*.pdf"))
    assert sorted(p.name for p in pdfs) == sorted(row["file"] for row in rows) and len(pdfs) == 5
    assert "5 certificates" in world["output"] and "6 learners not eligible" in world["output"]


def test_the_pdf_shows_name_course_date_hours_and_id(world) -> None:
    row = next(r for r in index(world["out"]) if r["name"] == "Alice Anders")
    path = world["out"] / row["file"]
    text = pdf_text(path)
    for shown in ("Alice Anders", "AI Literacy for Educators", "December 2, 2026", "Hours 3.5", row["certificate id"],
                  "Example Facilitator (example value)", "Provider Example School District", "PD-00042", "Digital literacy",
                  "Mastery criterion met Completed all 7 modules, passed every quiz at 80 % or more"):
        assert shown in text, (shown, text)
    assert re.fullmatch(r"CP-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", row["certificate id"])
    assert row["completed on"] == "2026-12-02"  # her attempt ended 2026-12-02 01:2x UTC; the default zone is UTC
    data = path.read_bytes()
    reader = pypdf.PdfReader(path)
    assert reader.metadata.title == "Certificate of Completion: Alice Anders, AI Literacy for Educators"
    assert reader.metadata["/CreationDate"] == "D:20261202000000Z"  # from the completion date, not the clock
    assert b"/StructTreeRoot" in data and b"pdfaid:part>2<" in data and b"pdfuaid:part>1<" in data  # tagged, PDF/A-2, PDF/UA-1
    assert b"/Alt(Signature of Example Facilitator (example value))" in data  # the signature image, with its alt text


def test_no_private_key_in_any_output(world) -> None:
    private = load_private_key(world["key"])
    raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    secrets = [world["key"].read_bytes(), raw, base64.b64encode(raw), base64.urlsafe_b64encode(raw).rstrip(b"="), raw.hex().encode()]
    files = list(world["out"].iterdir())
    assert {p.suffix for p in files} == {".pdf", ".csv", ".pem", ".json"}  # .json: the Open Badges credentials
    for path in files:
        data = path.read_bytes()
        assert not any(secret in data for secret in secrets), path
    assert (world["out"] / "issuer-ed25519.pub.pem").read_bytes() == world["key"].with_name("issuer-ed25519.pub.pem").read_bytes()


# ---- the QR code ---------------------------------------------------------------------------------------------


def qr_modules_drawn(pdf: Path, alt_start: str) -> set[tuple[int, int]]:
    """The dark modules the PDF draws for the QR code: typst writes qr.py's SVG path as one line
    segment per run of dark modules, 'x y+0.5 m x2 y+0.5 l', in the symbol's own units (quiet zone
    included), inside the marked content that carries the code's alt text."""
    content = pypdf.PdfReader(pdf).pages[0].get_contents().get_data().decode("latin-1")
    start = content.index(f"/Alt({alt_start}")
    drawing = content[start:content.index("EMC", start)]
    modules = set()
    for x1, y, x2 in re.findall(r"(\d+) (\d+)\.5 m (\d+) \2\.5 l", drawing):
        modules.update((int(y), x) for x in range(int(x1), int(x2)))
    assert modules, "no QR drawing found"
    return modules


def decoded(modules: set[tuple[int, int]], scale: int = 4) -> str | None:
    """What a QR reader (zxing-cpp, independent of segno) reads from the drawn modules, rasterised
    black on white with the quiet zone; None when zxing-cpp is not installed."""
    try:
        import zxingcpp
    except ImportError:
        return None
    size = max(max(row, column) for row, column in modules) + 1 + 4  # the quiet zone after the symbol
    pixels = bytes(0 if (y // scale, x // scale) in modules else 255 for y in range(size * scale) for x in range(size * scale))
    # QR codes only: read for every format, a row of modules sometimes also read as a Codabar (2 of 1,500
    # random codes here: a fresh-clone CI run failed on one)
    found = zxingcpp.read_barcodes(zxingcpp.ImageView(memoryview(pixels), size * scale, size * scale, zxingcpp.ImageFormat.Lum),
                                   formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1, f"{len(found)} QR codes read"
    return found[0].text


def test_the_pinned_mask_reads_back() -> None:
    """The mask is pinned (qr.py), not chosen by penalty: the symbol still reads, whatever the data.
    Without zxing-cpp, the matrix must at least be segno's own for that mask."""
    pytest.importorskip("zxingcpp", reason="zxing-cpp (a QR reader) is not installed")
    for content in ("coursepack certificates verify CP1.e30.AAAA", VERIFY_URL + "?code=CP1." + "x" * 300, "Zoë Ñandú 李"):
        symbol = make_qr(content)
        assert symbol.mask == 0 and symbol.designator.endswith("-M")
        modules = {(r + 4, c + 4) for r, line in enumerate(symbol.matrix) for c, dark in enumerate(line) if dark}
        assert decoded(modules) == content


def test_the_qr_code_holds_the_verification(world, tmp_path) -> None:
    out = tmp_path / "with-url"
    result = run("certificates", "--db", world["db"], "--key", world["key"], "--out", out, "--verify-url", VERIFY_URL, world["course"])
    assert result.exit_code == 0, result.output
    for row in index(out):
        target = row["verification"]
        assert target.startswith(f"{VERIFY_URL}?code=CP1.")
        border = 4
        expected = {(r + border, c + border) for r, line in enumerate(make_qr(target).matrix)
                    for c, dark in enumerate(line) if dark}
        drawn = qr_modules_drawn(out / row["file"], "QR code that checks certificate")
        assert drawn == expected, row["name"]
        assert decoded(drawn) in (target, None), row["name"]  # None: no decoder installed (see decoded)
        claims = check(target, load_public_key(out / "issuer-ed25519.pub.pem")).claims  # what a scan gives verifies
        assert (claims.learner, claims.certificate_id) == (row["name"], row["certificate id"])
    # without --verify-url the QR holds the command that checks it
    plain = index(world["out"])[0]["verification"]
    assert plain.startswith("coursepack certificates verify CP1.") and make_qr(plain).designator.endswith("-M")


# ---- verify ---------------------------------------------------------------------------------------------------


def tampered(code: str, **changes: object) -> str:
    version, body, signature = code.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload.update(changes)
    new_body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).rstrip(b"=").decode()
    return f"{version}.{new_body}.{signature}"


def test_verify_accepts_the_genuine_and_refuses_the_changed(world, tmp_path) -> None:
    public = world["out"] / "issuer-ed25519.pub.pem"
    row = next(r for r in index(world["out"]) if r["name"] == "Bob Berg")
    code = row["verification"].split()[-1]
    for given in (code, row["verification"], f"{VERIFY_URL}?code={code}", world["out"] / row["file"]):
        result = run("certificates", "verify", given, "--public-key", public)
        assert result.exit_code == 0, result.output
        assert "valid: certificate " + row["certificate id"] in result.output and "learner:   Bob Berg" in result.output
        assert "completed: 2026-12-02" in result.output and "hours:     3.5" in result.output

    for changed in (tampered(code, name="Mallory Berg"), tampered(code, date="2026-11-02"),
                    tampered(code, id="CP-0000-0000-0000"), tampered(code, hours=35)):
        result = run("certificates", "verify", changed, "--public-key", public)
        assert result.exit_code == 1 and "not genuine" in result.output, result.output
    last = code[-1]
    flipped = code[:-1] + ("A" if last != "A" else "B")
    assert run("certificates", "verify", flipped, "--public-key", public).exit_code == 1

    other_key = tmp_path / "other" / "issuer-ed25519.pem"
    generate_key(other_key)
    result = run("certificates", "verify", code, "--public-key", other_key.with_name("issuer-ed25519.pub.pem"))
    assert result.exit_code == 1 and "not genuine" in result.output

    # a PDF whose embedded code was edited to another name
    pdf = (world["out"] / row["file"]).read_bytes()
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(pdf.replace(code.encode(), tampered(code, name="Mallory Berg").encode()))
    assert run("certificates", "verify", forged, "--public-key", public).exit_code == 1

    for nothing in ("hello", "CP1.abc", code[:60]):
        result = run("certificates", "verify", nothing, "--public-key", public)
        assert result.exit_code == 2 and result.output.startswith("error: "), result.output
    result = run("certificates", "verify", code, "--public-key", world["key"])  # the private key is refused here
    assert result.exit_code == 2 and "private key" in result.output


def test_ids_are_stable_per_learner_and_key_and_codes_check_offline(tmp_path) -> None:
    key = generate_key(tmp_path / "k.pem")
    other = generate_key(tmp_path / "other.pem")
    course = "https://courses.example.org/ai-literacy-educators"
    first = certificate_id(key, course, "mailto:a@example.com")
    assert first == certificate_id(key, course, "mailto:a@example.com")
    assert first != certificate_id(key, course, "mailto:b@example.com")
    assert first != certificate_id(other, course, "mailto:a@example.com")  # not computable without the key
    claims = Claims(first, course, "Zoë Ñandú 李", date(2026, 12, 2), None)
    assert verify(sign(claims, key), key.public_key()) == claims
    with pytest.raises(NotGenuine):
        verify(sign(claims, key), other.public_key())
    with pytest.raises(MalformedCode):
        verify("CP2.abc.def", key.public_key())


# ---- the key ---------------------------------------------------------------------------------------------------


def test_keygen_makes_a_0600_key_outside_course_folders(tmp_path, world) -> None:
    config = tmp_path / "config"
    result = CliRunner().invoke(main, ["certificates", "keygen"], env={"XDG_CONFIG_HOME": str(config)})
    assert result.exit_code == 0, result.output
    key = config / "coursepack" / "issuer-ed25519.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(world["key"].stat().st_mode) == 0o600
    assert not world["key"].resolve().is_relative_to(world["course"].resolve())
    before = key.read_bytes()
    again = CliRunner().invoke(main, ["certificates", "keygen"], env={"XDG_CONFIG_HOME": str(config)})
    assert again.exit_code == 2 and "already exists" in again.output and key.read_bytes() == before

    inside = world["course"] / "keys" / "issuer.pem"
    result = run("certificates", "keygen", "--key", inside)
    assert result.exit_code == 2 and "must not be inside a course folder" in result.output
    assert not inside.exists()
    with pytest.raises(KeyProblem, match="inside a course folder"):
        load_private_key(tmp_path / "k.pem", course_dir=tmp_path)

    # issuing refuses a key in the course folder, and one other users can read
    planted = world["course"] / "issuer.pem"
    shutil.copy(world["key"], planted)
    result = run("certificates", "--db", world["db"], "--key", planted, "--out", tmp_path / "o", world["course"])
    planted.unlink()
    assert result.exit_code == 2 and "must not be inside a course folder" in result.output
    loose = tmp_path / "loose.pem"
    shutil.copy(world["key"], loose)
    loose.chmod(0o644)
    result = run("certificates", "--db", world["db"], "--key", loose, "--out", tmp_path / "o", world["course"])
    assert result.exit_code == 2 and "chmod 600" in result.output
    assert not (tmp_path / "o").exists()


# ---- reruns -----------------------------------------------------------------------------------------------------


def test_a_rerun_is_byte_identical_and_keeps_ids_and_dates(world, tmp_path) -> None:
    again = tmp_path / "again"
    assert run("certificates", "--db", world["db"], "--key", world["key"], "--out", again, world["course"]).exit_code == 0
    first = {p.name: p.read_bytes() for p in world["out"].iterdir()}
    assert first == {p.name: p.read_bytes() for p in again.iterdir()}

    # Alice comes back weeks later to review: her certificate keeps its id and date
    store_copy = tmp_path / "later.duckdb"
    shutil.copy(world["db"], store_copy)
    with open_store(store_copy) as store:
        store.execute("UPDATE session SET last_at = TIMESTAMP '2027-01-15 10:00:00' WHERE learner_key = 'mailto:studenta@example.com'")
    later = tmp_path / "later"
    assert run("certificates", "--db", store_copy, "--key", world["key"], "--out", later, world["course"]).exit_code == 0
    assert {p.name: p.read_bytes() for p in later.iterdir()} == first


def test_worker_processes_write_the_same_bytes(world, tmp_path) -> None:
    """Many certificates are made in worker processes (workers.py); forced here for five, the folder
    must be byte for byte the one made in this process, index order included."""
    store_copy = tmp_path / "pool.duckdb"
    shutil.copy(world["db"], store_copy)
    maker = CertificateMaker(world["loaded"], load_settings(world["course"]), load_private_key(world["key"]), None, None)
    out = tmp_path / "pool"
    with open_store(store_copy) as store:
        result = issue_certificates(maker, store, out, workers=2)
    assert len(result.issued) == 5
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {p.name: p.read_bytes() for p in world["out"].iterdir()}


def test_names_print_as_written_never_as_markup(world, tmp_path) -> None:
    store_copy = tmp_path / "odd.duckdb"
    shutil.copy(world["db"], store_copy)
    odd = '#panic("no") *Dan* $x$ <b> Dietz'
    with open_store(store_copy) as store:
        store.execute("UPDATE learner SET name = ? WHERE learner_key = 'mailto:studentd@example.com'", [odd])
    out = tmp_path / "odd"
    result = run("certificates", "--db", store_copy, "--key", world["key"], "--out", out, world["course"])
    assert result.exit_code == 0, result.output
    row = next(r for r in index(out) if r["identifier"] == "studentd@example.com")
    assert odd in pdf_text(out / row["file"])
    assert check(str(out / row["file"]), load_public_key(out / "issuer-ed25519.pub.pem")).claims.learner == odd


# ---- settings and refusals -----------------------------------------------------------------------------------------


def test_certificates_yaml_mistakes_are_located(world, tmp_path) -> None:
    settings = world["course"] / "certificates.yaml"
    good = settings.read_text(encoding="utf-8")
    try:
        settings.write_text(good + "papr: letter\ntimezone: Mars/Olympus\n", encoding="utf-8")
        result = run("certificates", "--db", world["db"], "--key", world["key"], "--out", tmp_path / "o", world["course"])
    finally:
        settings.write_text(good, encoding="utf-8")
    assert result.exit_code == 2
    assert re.search(r"certificates\.yaml:4:1: unknown key 'papr' \(did you mean 'paper'\?\)", result.output), result.output
    assert re.search(r"certificates\.yaml:5:11: .*unknown time zone 'Mars/Olympus'", result.output), result.output


def test_letter_paper_and_a_time_zone(world, tmp_path) -> None:
    out = tmp_path / "ny"
    settings = world["course"] / "certificates.yaml"
    good = settings.read_text(encoding="utf-8")
    store_copy = tmp_path / "ny.duckdb"  # a store that never issued, so dates come from the activity
    shutil.copy(world["db"], store_copy)
    with open_store(store_copy) as store:
        store.execute("DELETE FROM certificate_issued")
    try:
        settings.write_text(good + "timezone: America/New_York\npaper: letter\n", encoding="utf-8")
        result = run("certificates", "--db", store_copy, "--key", world["key"], "--out", out, world["course"])
    finally:
        settings.write_text(good, encoding="utf-8")
    assert result.exit_code == 0, result.output
    row = next(r for r in index(out) if r["name"] == "Alice Anders")
    assert row["completed on"] == "2026-12-01"  # 01:2x UTC on 2 December is the evening of 1 December in New York
    box = pypdf.PdfReader(out / row["file"]).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (792, 612)  # US Letter, landscape


def test_refusals_are_one_line(world, tmp_path) -> None:
    result = run("certificates", "--db", tmp_path / "none.duckdb", "--key", world["key"], world["course"])
    assert result.exit_code == 2 and "no report store yet" in result.output
    result = run("certificates", "--db", world["db"], "--key", tmp_path / "missing.pem", "--out", tmp_path / "o", world["course"])
    assert result.exit_code == 2 and "certificates keygen" in result.output
    bare = tmp_path / "bare"
    bare.mkdir()
    copy_course(bare)
    course = (bare / "course.yaml").read_text(encoding="utf-8")
    (bare / "course.yaml").write_text(course[: course.index("certificate:")] + "reviewed: 2026-12-02\n", encoding="utf-8")
    result = run("certificates", "--db", world["db"], "--key", world["key"], bare)
    assert result.exit_code == 2 and "no 'certificate' section" in result.output


def test_the_default_folder_is_kept_out_of_git(world) -> None:
    """The store is elsewhere here, so nothing else has made .coursepack/ ignore itself."""
    result = run("certificates", "--db", world["db"], "--key", world["key"], world["course"])
    assert result.exit_code == 0, result.output
    folder = world["course"] / ".coursepack"
    assert len(list((folder / "certificates").glob("*.pdf"))) == 5
    assert (folder / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"


def test_wording_and_statement_runs() -> None:
    day = date(2026, 12, 2)
    assert (long_date(day, "en-US"), long_date(day, "en-GB"), long_date(day, "es-MX")) == (
        "December 2, 2026", "2 December 2026", "2 de diciembre de 2026")
    assert mastery_text("es", 7, 80, None) == "Completó los 7 módulos y aprobó cada cuestionario con al menos un 80 % (mejor intento)."
    assert mastery_text("en", 1, None, 50) == "Completed the module and answered every guided reflection in at least 50 characters."
    runs = statement_runs("has *completed* **every** `module` of [the course](https://x.example)<b>!</b>\nwell")
    assert [(r.text, r.em, r.strong, r.code) for r in runs[0]] == [
        ("has ", False, False, False), ("completed", True, False, False), (" ", False, False, False),
        ("every", False, True, False), (" ", False, False, False), ("module", False, False, True),
        (" of ", False, False, False), ("the course", False, False, False), ("!", False, False, False),
        (" ", False, False, False), ("well", False, False, False)]
