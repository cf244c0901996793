"""Fixtures every test folder shares: paths, the reference schemas, built packages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("COURSEPACK_SHARED", REPO.parent / "shared"))
SCHEMAS = SHARED / "reference-schemas"
SCAFFOLD = REPO / "builder" / "scaffold"


@pytest.fixture(scope="session")
def reference_validator() -> Path:
    """validate.py beside the official XSDs; skipped (with the reason) where ../shared is absent."""
    script = SCHEMAS / "validate.py"
    if not script.is_file():
        pytest.skip(f"official XSDs not found at {SCHEMAS} (set COURSEPACK_SHARED to the folder holding reference-schemas/)")
    return script


def validate_manifest(validator: Path, manifest: Path, kind: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(validator), str(manifest), kind], capture_output=True, text=True)
