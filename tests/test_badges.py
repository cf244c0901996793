"""The Open Badges 3.0 credential beside each certificate PDF (issue 13 §5), checked by an independent
verifier: Digital Bazaar's @digitalbazaar/vc with the eddsa-rdfc-2022 cryptosuite, run by Node
(tests/badge_verify.mjs, offline through a static document loader). The genuine credentials verify;
a changed name, date or number of hours is refused.

The store, course and key are test_certificates' `world` (the real Moodle 4.3 downloads)."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import openbadgeslib.ob3.contexts
import pytest
from cryptography.hazmat.primitives import serialization

from browser.harness import in_ci
from conftest import REPO, ensure_npm_packages
from coursepack.certificates.badge import completion_moment, credential_id
from coursepack.certificates.eligible import Recipient
from coursepack.certificates.issue import CertificateMaker
from coursepack.certificates.keys import generate_key, load_private_key
from coursepack.certificates.settings import load_settings
from coursepack.certificates.signed_code import certificate_id
from test_certificates import FIXTURES, index, run, world  # noqa: F401 (world: the fixture, shared)

VERIFIER = REPO / "tests" / "badge_verify.mjs"
OB_CONTEXTS = Path(openbadgeslib.ob3.contexts.__file__).parent  # the two OB 3.0 contexts: on no npm package
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"Moodle fixtures not found at {FIXTURES}")


@pytest.fixture(scope="module")
def node_verifier() -> None:
    """Node and the npm packages of package-lock.json (npm ci when they are missing or stale)."""
    note = None if shutil.which("node") else "node is not installed: run `sudo apt-get install nodejs npm`"
    note = note or ensure_npm_packages(REPO)
    if note:
        if in_ci():
            pytest.fail(note)
        pytest.skip(note)


def verify_with_node(*files: Path) -> dict[str, dict]:
    proc = subprocess.run(["node", str(VERIFIER), str(OB_CONTEXTS), *map(str, files)], capture_output=True, text=True, timeout=60)
    assert proc.returncode in (0, 1), proc.stderr
    results = {Path(line["file"]).name: line for line in map(json.loads, proc.stdout.splitlines())}
    assert set(results) == {f.name for f in files}, proc.stdout
    return results


def badge_of(world: dict, name: str) -> tuple[dict[str, str], dict]:  # noqa: F811 (world: the fixture)
    row = next(r for r in index(world["out"]) if r["name"] == name)
    return row, json.loads((world["out"] / row["file"].replace(".pdf", ".badge.json")).read_text(encoding="utf-8"))


def did_key(world: dict) -> str:  # noqa: F811
    """The issuer's did:key, worked out here from the raw public key (multicodec ed25519-pub, base58btc)."""
    public = load_private_key(world["key"]).public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    data = b"\xed\x01" + public
    number, text = int.from_bytes(data, "big"), ""
    while number:
        number, digit = divmod(number, 58)
        text = BASE58[digit] + text
    return "did:key:z" + "1" * (len(data) - len(data.lstrip(b"\0"))) + text


def test_a_badge_beside_every_pdf(world) -> None:  # noqa: F811
    rows = index(world["out"])
    badges = sorted(p.name for p in world["out"].glob("*.badge.json"))
    assert badges == sorted(r["file"].removesuffix(".pdf") + ".badge.json" for r in rows) and len(badges) == 5


def test_the_badge_says_what_the_certificate_says(world) -> None:  # noqa: F811
    row, badge = badge_of(world, "Alice Anders")
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["id"] == credential_id(world["loaded"].course.id, row["certificate id"])
    assert badge["issuer"] == {"id": did_key(world), "type": ["Profile"], "name": "Example School District"}
    assert badge["validFrom"] == "2026-12-02T00:00:00Z"  # the completion day (UTC, the default zone)
    subject = badge["credentialSubject"]
    assert subject["achievement"]["id"] == world["loaded"].course.id
    assert subject["achievement"]["name"] == "AI Literacy for Educators"
    assert subject["achievement"]["criteria"]["narrative"].startswith("Completed all 7 modules, passed every quiz at 80 %")
    assert subject["creditsEarned"] == 3.5
    name, email = subject["identifier"]
    assert name == {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": "Alice Anders"}
    assert email["identityType"] == "emailAddress" and email["hashed"] is True and email["identityHash"].startswith("sha256$")
    assert row["identifier"].lower() not in json.dumps(badge).lower()  # the address only as a salted hash
    proof = badge["proof"]
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["verificationMethod"] == f"{did_key(world)}#{did_key(world).removeprefix('did:key:')}"


def test_digital_bazaar_verifies_genuine_badges_and_refuses_changed_ones(world, node_verifier, tmp_path) -> None:  # noqa: F811
    genuine = sorted(world["out"].glob("*.badge.json"))
    _, badge = badge_of(world, "Bob Berg")
    changes = {
        "name": lambda b: b["credentialSubject"]["identifier"][0].update(identityHash="Mallory Berg"),
        "date": lambda b: b.update(validFrom="2026-11-02T00:00:00Z"),
        "hours": lambda b: b["credentialSubject"].update(creditsEarned=35),
    }
    tampered = []
    for what, change in changes.items():
        copy = json.loads(json.dumps(badge))
        change(copy)
        assert copy != badge
        path = tmp_path / f"tampered-{what}.badge.json"
        path.write_text(json.dumps(copy), encoding="utf-8")
        tampered.append(path)
    results = verify_with_node(*genuine, *tampered)
    for path in genuine:
        assert results[path.name]["verified"] is True, results[path.name]
    for path in tampered:
        assert results[path.name]["verified"] is False and "signature" in results[path.name]["error"].lower(), results[path.name]


# ---- `certificates verify FILE.badge.json` -------------------------------------------------------------------


def verify_badge(path: Path, public: Path):  # noqa: ANN201 (click's Result)
    return run("certificates", "verify", path, "--public-key", public)


def test_verify_accepts_a_genuine_badge_and_checks_the_pdf_beside_it(world, tmp_path) -> None:  # noqa: F811
    public = world["out"] / "issuer-ed25519.pub.pem"
    row, badge = badge_of(world, "Bob Berg")
    result = verify_badge(world["out"] / row["file"].replace(".pdf", ".badge.json"), public)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"valid: Open Badges 3.0 credential {badge['id']}, signed by the key ")
    assert "learner:   Bob Berg" in result.output and "hours:     3.5" in result.output
    assert f"agrees with {row['file']}" in result.output
    alone = tmp_path / "alone.badge.json"  # without its PDF: the badge alone is checked
    alone.write_bytes((world["out"] / row["file"].replace(".pdf", ".badge.json")).read_bytes())
    result = verify_badge(alone, public)
    assert result.exit_code == 0 and "agrees with" not in result.output, result.output


def test_verify_refuses_a_changed_badge_in_one_line(world, tmp_path) -> None:  # noqa: F811
    public = world["out"] / "issuer-ed25519.pub.pem"
    _, badge = badge_of(world, "Bob Berg")
    changes = {
        "name": lambda b: b["credentialSubject"]["identifier"][0].update(identityHash="Mallory Berg"),
        "date": lambda b: b.update(validFrom="2026-11-02T00:00:00Z"),
        "hours": lambda b: b["credentialSubject"].update(creditsEarned=35.0),
        "course": lambda b: b["credentialSubject"]["achievement"].update(name="Another Course"),
    }
    for what, change in changes.items():
        copy = json.loads(json.dumps(badge))
        change(copy)
        path = tmp_path / f"{what}.badge.json"
        path.write_text(json.dumps(copy, indent=2), encoding="utf-8")
        result = verify_badge(path, public)
        assert result.exit_code == 1, (what, result.output)
        assert result.output.startswith("error: not genuine: ") and result.output.count("\n") == 1, (what, result.output)
        assert "proof does not verify" in result.output, (what, result.output)


def test_verify_refuses_another_issuers_badge_and_a_disagreeing_pdf(world, tmp_path) -> None:  # noqa: F811
    row, _ = badge_of(world, "Bob Berg")
    badge_file = world["out"] / row["file"].replace(".pdf", ".badge.json")
    other = tmp_path / "other" / "issuer-ed25519.pem"
    generate_key(other)
    result = verify_badge(badge_file, other.with_name("issuer-ed25519.pub.pem"))
    assert result.exit_code == 1 and "not by the given key (did:key:" in result.output, result.output

    # Bob's genuine badge beside Alice's genuine PDF: each verifies, together they disagree
    alice = next(r for r in index(world["out"]) if r["name"] == "Alice Anders")
    swapped = tmp_path / "swapped"
    swapped.mkdir()
    shutil.copy(world["out"] / alice["file"], swapped / "cert.pdf")
    shutil.copy(badge_file, swapped / "cert.badge.json")
    result = verify_badge(swapped / "cert.badge.json", world["out"] / "issuer-ed25519.pub.pem")
    assert result.exit_code == 1 and "disagree on the learner ('Bob Berg' and 'Alice Anders')" in result.output, result.output


def test_verify_says_in_one_line_that_other_json_is_no_badge(world, tmp_path) -> None:  # noqa: F811
    public = world["out"] / "issuer-ed25519.pub.pem"
    for name, text, expected in (
        ("package.json", '{"name": "x", "version": "1.0.0"}', "not an Open Badges 3.0 credential"),
        ("broken.json", '{"type": ["OpenBadgeCredential"', "not a JSON document"),
        ("unsigned.json", '{"type": ["VerifiableCredential", "OpenBadgeCredential"]}', "without a proof"),
    ):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        result = verify_badge(path, public)
        assert result.exit_code == 2 and result.output.startswith("error: ") and result.output.count("\n") == 1, result.output
        assert expected in result.output, result.output


# ---- the fast signer gives openbadgeslib's bytes ----------------------------------------------------------------


def test_the_template_signer_gives_openbadgeslibs_bytes(world) -> None:  # noqa: F811
    """Most badges are signed by badge_proof.TemplateSigner (the JSON-LD work once per shape); each
    must be byte for byte what openbadgeslib's own signer makes, whatever the name and identifier."""
    loaded = world["loaded"]
    key = load_private_key(world["key"])
    maker = CertificateMaker(loaded, load_settings(world["course"]), key, None, None)
    names = ["Zoë Ñandú 李", 'Quote " and \\ backslash', "Line\nbreak\ttab", "Certificate", "urn:coursepack:placeholder:0", "  "]
    identifiers = ["a@example.org", "moodle-user-17", ""]
    recipients = [
        Recipient(f"k{i}", name, identifiers[i % 3], certificate_id(key, loaded.course.id, f"k{i}"), None,
                  date(2026, 1 + i % 12, 1 + i % 28), {})
        for i, name in enumerate(names * 3)
    ]
    for recipient in recipients:
        fast = maker.badges.make(recipient)
        moment = completion_moment(recipient.completed_on, maker.badges.template.zone)
        slow = maker.badges.signer.sign(maker.badges.credential(recipient), created=moment)
        assert fast == (json.dumps(slow, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8"), recipient.name
    assert maker.badges.fast is not None  # it never disagreed, so it stayed in use
    assert maker.badges.fast.shapes == 4  # proof options; a credential with an e-mail address, another identifier, none
