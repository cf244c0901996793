"""The test LRS: ralph-malph 5.1.0 with tools/lrs/ralph_shim.py, in its own venv (lrs_venv.py), run by
uvicorn on 127.0.0.1. Lrs starts, stops and restarts one server and reads back what it stored (statements,
documents, the request log). See ../shared/notes/lrs-ralph.md for the why.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import httpx

from .lrs_venv import LRS_TOOLS, LRS_VENV, LrsUnavailable, ensure_lrs_venv

__all__ = ["Credential", "Lrs", "LrsError", "LrsUnavailable", "LRS_VENV", "ensure_lrs_venv"]


# ---------------------------------------------------------------- one server


XAPI_VERSION = "1.0.3"
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 15.0
EXTRA_USERS = 100  # one per cmi5 launch in a test session (Lrs.issue_credential)


class LrsError(RuntimeError):
    """The server did not start, stop or answer as expected."""


class Credential(NamedTuple):
    """A Basic-auth user of the LRS; usable as `auth=` in httpx as it is."""

    username: str
    password: str

    @property
    def token(self) -> str:
        """base64("user:password"): what a cmi5 fetch URL returns as auth-token (cmi5 §8.2.1)."""
        return base64.b64encode(f"{self.username}:{self.password}".encode()).decode("ascii")

    @property
    def authorization(self) -> str:
        """The Authorization header value, also the Tin Can launch `auth` parameter."""
        return f"Basic {self.token}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_is_free(port: int) -> bool:
    """True when nothing listens on 127.0.0.1:port. SO_REUSEADDR as uvicorn sets it, so connections still
    in TIME_WAIT from an earlier server do not count as taken."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


class Lrs:
    """One ralph LRS (tools/lrs/ralph_shim.py) on 127.0.0.1, its data under `root`.

    The port is chosen once, so restart() brings the same endpoint back (an outage test stops it mid-run).
    The harness talks to it as the `admin` user; `credentials` are the extra users an LMS hands to
    packages, one per launch (issue_credential()), so the request log tells the package's calls apart."""

    def __init__(self, root: Path, venv: Path = LRS_VENV, extra_users: int = EXTRA_USERS) -> None:
        self.root = root
        self.venv = venv
        self.data_dir = root / "data"
        self.log_file = root / "lrs.log"
        self.port = free_port()
        self.root.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(exist_ok=True)
        self._process: subprocess.Popen | None = None
        made = self._make_auth_file(extra_users)
        self.admin = Credential(*made["admin"])
        self.credentials = [Credential(*pair) for pair in made["users"]]
        self._unissued: Iterator[Credential] = iter(self.credentials)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI/"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def issue_credential(self) -> Credential:
        """An extra user not handed out before in this session."""
        try:
            return next(self._unissued)
        except StopIteration:
            raise LrsError(f"all {len(self.credentials)} extra LRS users are issued; make Lrs with more") from None

    # ------------------------------------------------------------ process

    def _make_auth_file(self, extra_users: int) -> dict:
        # The LRS venv's python: bcrypt is there, not in the project's environment.
        command = [str(self.venv / "bin" / "python"), str(LRS_TOOLS / "make_auth.py"),
                   str(self.root / "auth.json"), "--extra", str(extra_users)]
        proc = subprocess.run(command, capture_output=True, text=True, timeout=60)
        if proc.returncode != 0:
            raise LrsError(f"make_auth.py failed (exit {proc.returncode}): {proc.stderr.strip()}")
        return json.loads(proc.stdout)

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if k not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"} and not k.startswith("RALPH_")}
        env.update({
            "RALPH_RUNSERVER_BACKEND": "fs",  # the default "es" fails at import (notes §1.2)
            "RALPH_AUTH_FILE": str(self.root / "auth.json"),
            "RALPH_APP_DIR": str(self.root),  # keeps ralph's history.json out of ~/.config
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.data_dir),
            "RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT": "500",
        })
        return env

    def start(self) -> None:
        """Start uvicorn and wait for /__heartbeat__; on failure raise LrsError with the server's log."""
        if self.running:
            return
        # A busy port would make uvicorn exit while the *other* server answers the heartbeat (notes §1.4).
        if not port_is_free(self.port):
            raise LrsError(f"127.0.0.1:{self.port} is taken by another process")
        command = [str(self.venv / "bin" / "uvicorn"), "--app-dir", str(LRS_TOOLS), "ralph_shim:app",
                   "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"]
        with open(self.log_file, "ab") as log:
            self._process = subprocess.Popen(command, cwd=self.root, env=self._environment(),
                                             stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        url = f"http://127.0.0.1:{self.port}/__heartbeat__"
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise LrsError(f"the LRS exited with {self._process.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(url, timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise LrsError(f"the LRS was not ready within {START_TIMEOUT_S:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Terminate the server and wait until the port is free again (an immediate start needs it)."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(STOP_TIMEOUT_S)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while not port_is_free(self.port):
            if time.monotonic() > deadline:
                raise LrsError(f"127.0.0.1:{self.port} still taken {STOP_TIMEOUT_S:.0f} s after the LRS stopped")
            time.sleep(0.05)

    def restart(self) -> None:
        self.stop()
        self.start()

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    # ------------------------------------------------------------ reading back

    def client(self, credential: Credential | None = None) -> httpx.Client:
        """An httpx client on the endpoint with the version header; the admin's credentials by default."""
        return httpx.Client(base_url=self.endpoint, auth=tuple(credential or self.admin),
                            headers={"X-Experience-API-Version": XAPI_VERSION}, timeout=10.0)

    def statements(self, **filters: Any) -> list[dict]:
        """Every stored statement matching the xAPI filters (agent=dict, verb=IRI, registration=...), in
        the order ralph stores them (oldest first; ralph ignores the spec's newest-first). Follows `more`."""
        params = {name: _query_value(value) for name, value in filters.items()}
        with self.client() as client:
            if "statementId" in params:  # answered with the Statement itself (shim fix 6)
                response = client.get("statements", params=params)
                if response.status_code == 404:
                    return []
                response.raise_for_status()
                return [response.json()]
            found: list[dict] = []
            url: str = "statements"
            while True:
                response = client.get(url, params=params)
                response.raise_for_status()
                page = response.json()
                found.extend(page["statements"])
                if not page.get("more"):
                    return found
                # `more` is server-absolute (/xAPI/statements?...): join it to the endpoint, never to
                # base_url, or httpx asks for /xAPI/xAPI/statements (notes §2).
                url, params = str(httpx.URL(self.endpoint).join(page["more"])), None

    def state(self, activity_id: str, agent: dict, state_id: str, registration: str | None = None) -> Any:
        """One State document over HTTP (as the admin): parsed JSON for application/json, else bytes;
        None when there is none."""
        params = {"activityId": activity_id, "agent": json.dumps(agent), "stateId": state_id}
        if registration is not None:
            params["registration"] = registration
        with self.client() as client:
            response = client.get("activities/state", params=params)
        if response.status_code == 404:
            return None
        response.raise_for_status()
        if response.headers.get("content-type", "").split(";")[0].strip() == "application/json":
            return response.json()
        return response.content

    def documents(self) -> list[dict]:
        """Every stored document, read from the data dir (no request, so nothing in the log): resource
        ("state", "agent-profile", "activity-profile"), context, id, contentType, updated, etag, body
        (bytes) and json (parsed, or None). Oldest change first."""
        found = []
        for meta_file in (self.data_dir / "documents").glob("*/*.json"):
            try:
                meta = json.loads(meta_file.read_text(encoding="utf-8"))
                body = meta_file.with_suffix(".body").read_bytes()
            except FileNotFoundError:  # deleted while we looked
                continue
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
            found.append({**meta, "body": body, "json": parsed})
        return sorted(found, key=lambda document: document["updated"])

    def requests(self, *, include_admin: bool = True) -> list[dict]:
        """The request log (ralph_shim.py addition 10), in the order the responses finished. Without
        include_admin, only the calls made with other credentials (the package's, not the harness's)."""
        try:
            lines = (self.data_dir / "requests.jsonl").read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        entries = [json.loads(line) for line in lines if line.strip()]
        if not include_admin:
            entries = [entry for entry in entries if entry["user"] != self.admin.username]
        return entries

    def reset(self) -> None:
        """Empty the store while the server runs: statements, documents and the request log.
        Files are truncated, not deleted: the server appends to them by path."""
        for name in ("fs_lrs.jsonl", "requests.jsonl"):
            path = self.data_dir / name
            if path.exists():
                path.write_bytes(b"")
        shutil.rmtree(self.data_dir / "documents", ignore_errors=True)


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)
