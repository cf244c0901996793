"""The LRS venv: ralph-malph in its own venv (~/.cache/coursepack/ralph-venv-…), made once per machine.

Standard library only, so CI can run it with the system python3 before the project's venv exists:
    python3 tests/lrs/lrs_venv.py
(.ci/run does, so the install is paid once there rather than inside the first test that needs it.)
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LRS_TOOLS = REPO / "tools" / "lrs"
# In the user's cache, not the clone: CI starts from a fresh clone every time, and making this venv costs
# about 30 s of the suite's 6-minute budget. COURSEPACK_LRS_VENV puts it elsewhere.
LRS_VENV = Path(os.environ.get("COURSEPACK_LRS_VENV")
                or Path.home() / ".cache" / "coursepack" / f"ralph-venv-5.1.0-py{sys.version_info[0]}{sys.version_info[1]}")
LRS_VENV_LOCK = LRS_VENV.with_name(LRS_VENV.name + ".lock")
# Pinned: the shim patches private methods of this exact release. requests: ralph imports it even with
# Basic auth only, and [lrs] does not pull it in (notes §1.1).
LRS_REQUIREMENTS = ("ralph-malph[lrs]==5.1.0", "requests")
_COMPLETE_MARKER = "coursepack-complete"  # written last: its presence means the install finished
INSTALL_TIMEOUT_S = 900


class LrsUnavailable(RuntimeError):
    """The LRS venv could not be made (typically: no network to reach PyPI)."""


def ensure_lrs_venv(venv: Path = LRS_VENV, say: Callable[[str], None] = print) -> Path:
    """Create `venv` with ralph-malph unless a complete one is there; return it.

    pytest-xdist workers may all ask at once: the file lock lets one install while the others wait and
    then find the marker. A venv without the marker (an install that was interrupted) is made anew."""
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.with_name(venv.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return _install_if_needed(venv, say)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _install_if_needed(venv: Path, say: Callable[[str], None]) -> Path:
    marker = venv / _COMPLETE_MARKER
    wanted = "\n".join(LRS_REQUIREMENTS)
    if marker.is_file() and marker.read_text(encoding="utf-8") == wanted:
        return venv
    say(f"LRS: creating {venv} with {' '.join(LRS_REQUIREMENTS)}")
    shutil.rmtree(venv, ignore_errors=True)
    _run([sys.executable, "-m", "venv", str(venv)], "python -m venv")
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
          *LRS_REQUIREMENTS], "pip install")
    marker.write_text(wanted, encoding="utf-8")
    return venv


def _run(command: list[str], what: str) -> None:
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LrsUnavailable(f"{what} could not run: {exc}") from exc
    if proc.returncode != 0:
        tail = " | ".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
        raise LrsUnavailable(f"{what} failed (exit {proc.returncode}): {tail}")


if __name__ == "__main__":
    try:
        print(f"LRS venv ready: {ensure_lrs_venv()}")
    except LrsUnavailable as exc:
        sys.exit(f"LRS venv not made: {exc}")
