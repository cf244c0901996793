"""Write ralph's Basic-auth file: one admin user plus N extra users, and print every credential as JSON.

Run with the LRS venv's python (bcrypt lives there):

    ~/.cache/coursepack/ralph-venv-5.1.0-py311/bin/python tools/lrs/make_auth.py AUTH_FILE [--extra N] [--admin NAME]

stdout: {"admin": ["admin", "<password>"], "users": [["user-1", "<password>"], ...]}

The extra users stand in for the short-lived credentials an LMS mints per launch (cmi5 §8.2: the fetch URL
hands the AU one auth-token). Ralph reads this file once at start-up (lru_cache), so every user has to be
in it before the server starts; that is why they are made in bulk here rather than on demand.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from pathlib import Path

import bcrypt

# 4 rounds, not bcrypt's default 12: a round-12 hash costs about 0.25 s, so 100 users would take 25 s.
# These are throw-away test passwords on 127.0.0.1; the hash only has to be one ralph accepts.
BCRYPT_ROUNDS = 4


def auth_entry(username: str, password: str) -> dict:
    """One user as ralph's ServerUsersCredentials expects it; the agent becomes the statements' authority."""
    return {
        "username": username,
        "hash": bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=BCRYPT_ROUNDS)).decode(),
        "scopes": ["all"],
        "agent": {"mbox": f"mailto:{username}@example.com", "objectType": "Agent"},
    }


def make_credentials(admin: str, extra: int) -> dict[str, list]:
    return {
        "admin": [admin, secrets.token_urlsafe(16)],
        "users": [[f"user-{n}", secrets.token_urlsafe(16)] for n in range(1, extra + 1)],
    }


def write_auth_file(path: Path, credentials: dict[str, list]) -> None:
    users = [credentials["admin"], *credentials["users"]]
    entries = [auth_entry(name, password) for name, password in users]
    path.write_text(json.dumps(entries, indent=1), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("auth_file", type=Path)
    parser.add_argument("--extra", type=int, default=0, help="how many extra users (default 0)")
    parser.add_argument("--admin", default="admin", help="the admin user's name (default admin)")
    args = parser.parse_args(argv)
    if args.extra < 0:
        parser.error("--extra must be 0 or more")
    credentials = make_credentials(args.admin, args.extra)
    write_auth_file(args.auth_file, credentials)
    json.dump(credentials, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
