"""A throwaway PostgreSQL server from Debian's packages (`postgresql`, installed by .ci/run), for the
report tests (conftest.py's `postgres` fixture) and the benchmarks (bench/report_scale_pg.py).

It listens on 127.0.0.1 only, on a free port, with its data and unix socket in a temporary folder
(not under pytest's 0700 folders: the server must enter it); as root it runs as the `postgres` user
(initdb refuses root). No pytest here: the benchmarks import it as `tests.pg_server`.
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Any

INSTALL = "apt-get install -y postgresql (as root), and pip install 'psycopg[binary]'"
INITDB_GLOB = "/usr/lib/postgresql/*/bin/initdb"
START_TIMEOUT_S = 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unavailable() -> str | None:
    """Why no server can be started here (None: one can)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return f"psycopg is not installed ({INSTALL})"
    if not glob.glob(INITDB_GLOB):
        return f"PostgreSQL's server programs are not in /usr/lib/postgresql/*/bin ({INSTALL})"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no `postgres` user to run the server as (initdb refuses root)"
    return None


def newest_bin_dir() -> Path:
    """The bin folder of the newest PostgreSQL major version installed."""
    newest = max(glob.glob(INITDB_GLOB), key=lambda p: int(Path(p).parts[-3].split(".")[0]))
    return Path(newest).parent


class Postgres:
    """One PostgreSQL server in a temporary folder."""

    def __init__(self, bin_dir: Path, root: Path | None = None, port: int | None = None, password: str | None = None) -> None:
        self.bin_dir = bin_dir
        self.root = root or Path(tempfile.mkdtemp(prefix="coursepack-pg-"))
        self.data = self.root / "data"
        self.port = port or _free_port()
        self.user = "coursepack"
        self.password = password or secrets.token_urlsafe(16)
        self._as: dict[str, Any] = {}
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self._as = {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []}

    # another process's server (pytest-xdist's workers share one): what it takes to reach and stop it
    def to_json(self) -> str:
        return json.dumps({"bin_dir": str(self.bin_dir), "root": str(self.root), "port": self.port,
                           "password": self.password})

    @classmethod
    def from_json(cls, text: str) -> Postgres:
        record = json.loads(text)
        return cls(Path(record["bin_dir"]), Path(record["root"]), record["port"], record["password"])

    def _run(self, *command: str) -> None:
        proc = subprocess.run([str(self.bin_dir / command[0]), *command[1:]], capture_output=True, text=True,
                              timeout=START_TIMEOUT_S, cwd=self.root, **self._as)
        if proc.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{command[0]} failed ({proc.returncode}): {proc.stderr.strip()} {tail}")

    def start(self, settings: str = "") -> None:
        """initdb and start; `settings` are more `-c name=value` options for the server."""
        password_file = self.root / "password"
        password_file.write_text(self.password + "\n")
        if self._as:
            os.chown(password_file, self._as["user"], self._as["group"])
        try:
            self._run("initdb", "-D", str(self.data), "-U", self.user, f"--pwfile={password_file}",
                      "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")
        finally:
            password_file.unlink()
        # 127.0.0.1 only, the socket in our folder (not /var/run/postgresql), no fsync: a throwaway server
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-t", str(START_TIMEOUT_S),
                  "-o", f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -F {settings}".strip(), "start")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def postmaster_pid(self) -> int:
        """The server's main process (its first line of postmaster.pid)."""
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def url(self, database: str = "postgres", password: str | None = None) -> str:
        return f"postgresql://{self.user}:{password or self.password}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A database that sorts text as a district's would (ICU's en-US: 'ada' before 'Bob'), not by
        code point as DuckDB does; the server's own collation when it has no ICU."""
        import psycopg

        name = f"report_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as connection:
            try:
                connection.execute(f"CREATE DATABASE {name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'")
            except psycopg.Error:
                connection.execute(f"CREATE DATABASE {name}")
        return self.url(name)
