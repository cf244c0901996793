"""The issuer's Ed25519 key: made once, kept outside every course folder, readable by its owner only.

The private key signs certificate codes; anyone holding the public key checks them offline. A course
folder is usually a git repository that others clone and build into packages, so a key inside one
(or inside any folder holding a course.yaml) is refused, and so is a key file other users can read
(as ssh refuses one). The public key is safe to share and is written beside the certificates.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KEY_FILE = "issuer-ed25519.pem"
COURSE_FILE = "course.yaml"


class KeyProblem(Exception):
    """A one-line message about a key file (missing, unsafe, not an Ed25519 key)."""


def default_key_path() -> Path:
    """~/.config/coursepack/issuer-ed25519.pem ($XDG_CONFIG_HOME instead of ~/.config when set)."""
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "coursepack" / KEY_FILE


def public_key_path(private: Path) -> Path:
    """Where keygen puts the public half: issuer-ed25519.pem -> issuer-ed25519.pub.pem."""
    stem = private.name[: -len(".pem")] if private.name.endswith(".pem") else private.name
    return private.with_name(f"{stem}.pub.pem")


def _course_folder_holding(path: Path) -> Path | None:
    for folder in path.parents:
        if (folder / COURSE_FILE).is_file():
            return folder
    return None


def refuse_in_course_folder(path: Path, course_dir: Path | None = None) -> None:
    """A private key may live in no course folder: the named one, or any folder above the key
    that holds a course.yaml (it could be committed, shared or packaged from there)."""
    resolved = path.expanduser().resolve()
    holder = None
    if course_dir is not None and resolved.is_relative_to(course_dir.resolve()):
        holder = course_dir
    holder = holder or _course_folder_holding(resolved)
    if holder is not None:
        raise KeyProblem(
            f"{path}: the issuer's private key must not be inside a course folder ({holder}); "
            f"keep it outside, e.g. at the default {default_key_path()}"
        )


def generate_key(path: Path, course_dir: Path | None = None) -> Ed25519PrivateKey:
    """Make a new key at path (mode 0600, its folder 0700 when new) and its public half beside it.
    An existing file is never overwritten: certificates signed with it would stop verifying."""
    path = path.expanduser()
    refuse_in_course_folder(path, course_dir)
    if path.exists() or path.is_symlink():
        raise KeyProblem(f"{path}: already exists (not overwritten: certificates signed with it would no longer verify)")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        # O_EXCL: never through a file or link that appeared meanwhile; 0600 from the first byte.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            os.fchmod(fd, 0o600)  # whatever the umask
            os.write(fd, pem)
        finally:
            os.close(fd)
        public_key_path(path).write_bytes(public_pem(key.public_key()))
    except OSError as error:
        raise KeyProblem(f"{path}: cannot write the key ({error.strerror or error})") from None
    return key


def load_private_key(path: Path, course_dir: Path | None = None) -> Ed25519PrivateKey:
    path = path.expanduser()
    refuse_in_course_folder(path, course_dir)
    if not path.exists():
        raise KeyProblem(f"{path}: no issuer key there (make one with `coursepack certificates keygen`, or give --key PATH)")
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise KeyProblem(f"{path}: other users can read the private key (mode {mode:04o}); run `chmod 600 {path}`")
        data = path.read_bytes()
    except OSError as error:
        raise KeyProblem(f"{path}: cannot read the key ({error.strerror or error})") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise KeyProblem(f"{path}: the key is encrypted with a passphrase (expected an unencrypted key, protected by mode 0600)") from None
    except ValueError:
        raise KeyProblem(f"{path}: not a PEM private key (expected the file `coursepack certificates keygen` made)") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyProblem(f"{path}: not an Ed25519 key (expected the file `coursepack certificates keygen` made)")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        data = path.expanduser().read_bytes()
    except OSError as error:
        raise KeyProblem(f"{path}: cannot read the public key ({error.strerror or error})") from None
    if b"PRIVATE KEY" in data:
        raise KeyProblem(f"{path}: this is a private key; give the issuer's public key (the .pub.pem file, safe to share)")
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        raise KeyProblem(f"{path}: not a PEM public key (expected the issuer's .pub.pem file)") from None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyProblem(f"{path}: not an Ed25519 public key")
    return key


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def fingerprint(key: Ed25519PublicKey) -> str:
    """'SHA256:' and the base64url SHA-256 of the raw 32-byte key (OpenSSH's style): printed on each
    certificate so a reader can tell which key to check it with."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "SHA256:" + base64.urlsafe_b64encode(hashlib.sha256(raw).digest()).rstrip(b"=").decode("ascii")
