"""The Open Badges 3.0 credential beside each certificate PDF (issue 13 §5), checked by an independent
verifier: Digital Bazaar's @digitalbazaar/vc with the eddsa-rdfc-2022 cryptosuite, run by Node
(tests/badge_verify.mjs, offline through a static document loader). The genuine credentials verify;
a changed name, date or number of hours is refused.

The store, course and key are test_certificates' `world` (the real Moodle 4.3 downloads)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import openbadgeslib.ob3.contexts
import pytest
from cryptography.hazmat.primitives import serialization

from browser.harness import in_ci
from conftest import REPO, ensure_npm_packages
from coursepack.certificates.badge import credential_id
from coursepack.certificates.keys import load_private_key
from test_certificates import FIXTURES, index, world  # noqa: F401 (world: the fixture, shared)

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
