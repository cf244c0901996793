"""Fixtures every test folder shares: paths, the reference schemas, built packages; and the
npm packages the browser tests need, installed when missing (the README's test command must
work on a fresh clone)."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from browser.harness import in_ci
from lrs.server import LRS_VENV, Lrs, LrsUnavailable, ensure_lrs_venv
from pg_server import Postgres, newest_bin_dir, unavailable

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("COURSEPACK_SHARED", REPO.parent / "shared"))
SCHEMAS = SHARED / "reference-schemas"
SCAFFOLD = REPO / "builder" / "scaffold"
BROWSER_TESTS = REPO / "tests" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
NPM_CI = ["npm", "ci", "--no-audit", "--no-fund"]
# Exact commands, because Debian's chromium and npm can only be installed as root.
INSTALL_CHROMIUM = "sudo apt-get install chromium"
INSTALL_NPM = "sudo apt-get install npm"

_browser_notes: list[str] = []  # printed at the end of the run, after the skip reasons


@pytest.fixture(scope="session", autouse=True)
def own_record_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """validate's and build's records of courses (load/cache_files.py) in this run's own folder, for the
    processes the tests start too: the user's cache is neither read nor filled with test courses."""
    os.environ["COURSEPACK_CACHE"] = str(tmp_path_factory.mktemp("record-cache"))


@pytest.fixture
def jinja_compiled(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates Jinja compiles from source while the test runs."""
    from jinja2 import Environment

    names: list[str] = []
    compile_source = Environment.compile

    def counting(self: Environment, source: str, name: str | None = None, *args: object, **kwargs: object) -> object:
        names.append(str(name))
        return compile_source(self, source, name, *args, **kwargs)

    monkeypatch.setattr(Environment, "compile", counting)
    return names


@pytest.fixture(scope="session")
def reference_validator() -> Path:
    """validate.py beside the official XSDs; skipped (with the reason) where ../shared is absent."""
    script = SCHEMAS / "validate.py"
    if not script.is_file():
        pytest.skip(f"official XSDs not found at {SCHEMAS} (set COURSEPACK_SHARED to the folder holding reference-schemas/)")
    return script


def validate_manifest(validator: Path, manifest: Path, kind: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(validator), str(manifest), kind], capture_output=True, text=True)


# ---------------------------------------------------------------- what the browser tests need


def npm_packages_out_of_date(repo: Path) -> list[str]:
    """Packages package-lock.json pins that node_modules/ lacks or holds at another version."""
    lock = json.loads((repo / "package-lock.json").read_text(encoding="utf-8"))
    stale = []
    for key, entry in lock.get("packages", {}).items():
        if not key.startswith("node_modules/"):
            continue  # "" is the project itself
        try:
            installed = json.loads((repo / key / "package.json").read_text(encoding="utf-8")).get("version")
        except (OSError, ValueError):
            installed = None
        if installed != entry.get("version"):
            stale.append(key.removeprefix("node_modules/"))
    return stale


def ensure_npm_packages(repo: Path, say: Callable[[str], None] = print) -> str | None:
    """Run `npm ci` in repo when node_modules/ is missing or out of date; a note on what failed, else None.
    The test workers (pytest-xdist) may all ask at once: a lock lets one install while the others wait,
    then find the packages in place."""
    with open(repo / ".npm-ci.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return _npm_ci_if_needed(repo, say)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _npm_ci_if_needed(repo: Path, say: Callable[[str], None]) -> str | None:
    stale = npm_packages_out_of_date(repo)
    if not stale:
        return None
    command = " ".join(NPM_CI)
    if shutil.which("npm") is None:
        return f"npm packages missing ({', '.join(stale)}) and npm is not installed: run `{INSTALL_NPM}`, then the tests again"
    say(f"browser tests: npm packages missing or out of date ({', '.join(stale)}); running `{command}`")
    try:
        proc = subprocess.run(NPM_CI, cwd=repo, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"`{command}` could not run: {exc}"
    if proc.returncode != 0:
        tail = " | ".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
        return f"`{command}` failed (exit {proc.returncode}): {tail}"
    return None


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """When browser tests are selected, install their npm packages if needed and note what else is missing."""
    if not any(BROWSER_TESTS in Path(item.path).parents for item in items):
        return
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    note = ensure_npm_packages(REPO, say=reporter.write_line if reporter is not None else print)
    if note:
        _browser_notes.append(note)
    if not CHROMIUM.exists():
        _browser_notes.append(f"{CHROMIUM} is missing: Debian's chromium needs root, run `{INSTALL_CHROMIUM}`")


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if _browser_notes:
        terminalreporter.section("browser tests: what is missing")
        for note in _browser_notes:
            terminalreporter.write_line(note)


# ---------------------------------------------------------------- a real LRS (tests/lrs)



@pytest.fixture(scope="session")
def lrs(tmp_path_factory: pytest.TempPathFactory):
    """One ralph LRS per test process (so one per xdist worker), on its own port and data dir. Without the
    LRS venv (no network to make it): skip with the reason, or fail when CI is set."""
    try:
        ensure_lrs_venv()
    except LrsUnavailable as exc:
        reason = f"the LRS venv ({LRS_VENV.name}) could not be made: {exc}"
        if in_ci():
            pytest.fail(reason + " -- CI is set, so this fails instead of skipping", pytrace=False)
        pytest.skip(reason)
    server = Lrs(tmp_path_factory.mktemp("lrs"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


# ---------------------------------------------------------------- a real PostgreSQL (tests/pg_server.py)

# One server for the whole run, pytest-xdist's workers included: the run's main process makes a folder
# its workers inherit (through this variable), the first worker to need the server starts it and leaves
# its address there, the others use it, and the main process stops it when the run ends.
PG_SHARE = "COURSEPACK_TEST_PG_SHARE"


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the main process (workers start after this, with its environment)
        os.environ[PG_SHARE] = tempfile.mkdtemp(prefix="coursepack-test-pg-")


def pytest_unconfigure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput") or PG_SHARE not in os.environ:
        return
    share = Path(os.environ.pop(PG_SHARE))
    try:
        record = share / "server.json"
        if record.exists():
            Postgres.from_json(record.read_text()).stop()
    finally:
        shutil.rmtree(share, ignore_errors=True)


def _start_postgres(share: Path) -> str | None:
    """Start the run's server and leave its address in `share`; why it cannot start, else None."""
    reason = unavailable()
    if reason is None:
        server = Postgres(newest_bin_dir())
        try:
            server.start()
            (share / "server.json").write_text(server.to_json())
        except (OSError, RuntimeError, subprocess.TimeoutExpired) as error:
            shutil.rmtree(server.root, ignore_errors=True)
            reason = f"PostgreSQL did not start: {error}"
    return reason


@pytest.fixture(scope="session")
def postgres() -> Postgres:
    """The run's PostgreSQL server (started by whichever test process needs it first). Without Debian's
    `postgresql` or psycopg: skip with the reason, or fail when CI is set."""
    share = Path(os.environ[PG_SHARE])
    with open(share / "lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        record, failed = share / "server.json", share / "unavailable.txt"
        if not record.exists() and not failed.exists():
            reason = _start_postgres(share)
            if reason is not None:
                failed.write_text(reason)  # the other workers skip at once, without trying again
        if record.exists():
            return Postgres.from_json(record.read_text())
        reason = failed.read_text()
    if in_ci():
        pytest.fail(reason + " -- CI is set, so this fails instead of skipping", pytrace=False)
    pytest.skip(reason)
