"""Who may log in, with which role: the users of PA_ADMIN_USERS / PA_ANALYST_USERS, or, with none configured, the
first-run admin that the first start creates in the data folder (a random password, stored hashed in
`<data>/web/first-admin.json`, printed once in the log; as Jenkins and Grafana do).

A user's `stamp` digests their role and password hash: a session records the stamp it was opened with, so a
password change, a role change or the user's removal ends their sessions on the next request.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from werkzeug.security import generate_password_hash

log = logging.getLogger(__name__)

ADMIN, ANALYST = "admin", "analyst"
FIRST_ADMIN_NAME = "admin"


@dataclass(frozen=True)
class User:
    name: str
    role: str
    password_hash: str

    @property
    def stamp(self) -> str:
        return hashlib.sha256(f"{self.role}\0{self.password_hash}".encode()).hexdigest()[:32]


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def name_hash_pairs(text: str, setting: str, hint: str, valid_name=bool) -> list[tuple[str, str]]:
    """The entries of a NAME:hash,NAME:hash setting as (name, hash); ValueError naming the setting and an entry
    that is not one (no colon, a name `valid_name` refuses, no werkzeug hash) or a name listed twice."""
    pairs: dict[str, str] = {}
    for entry in filter(None, (e.strip() for e in (text or "").split(","))):
        name, sep, digest = entry.partition(":")
        if not (sep and valid_name(name) and "$" in digest):
            raise ValueError(f"{setting}: {(name or entry)[:20]!r} is not name:hash ({hint})")
        if name in pairs:
            raise ValueError(f"{setting}: {name!r} is listed twice")
        pairs[name] = digest
    return list(pairs.items())


def parse_users(admins: str, analysts: str) -> dict[str, User]:
    """name:hash pairs separated by commas; ValueError naming the entry that is not one."""
    users: dict[str, User] = {}
    for role, text in ((ADMIN, admins), (ANALYST, analysts)):
        for name, digest in name_hash_pairs(text, f"PA_{role.upper()}_USERS",
                                            "make a hash with `python -m webapp hash-password`"):
            if name in users:
                raise ValueError(f"user {name!r} is listed twice")
            users[name] = User(name, role, digest)
    return users


def first_admin_path(data_dir: Path) -> Path:
    return Path(data_dir) / "web" / "first-admin.json"


def write_first_admin(path: Path, *, replace: bool = False) -> str:
    """Store a new first-run admin with a random password (hashed, file readable by its owner only); returns the
    password. FileExistsError when one exists and `replace` is not set (two processes starting at once)."""
    password = secrets.token_urlsafe(18)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"name": FIRST_ADMIN_NAME, "password_hash": hash_password(password)})
    temp = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)
    if replace:
        os.replace(temp, path)
    else:
        try:
            os.link(temp, path)  # atomic: fails when another process created it first
        finally:
            temp.unlink()
    return password


def _read_first_admin(path: Path) -> User:
    try:
        data = json.loads(path.read_text())
        return User(str(data["name"]), ADMIN, str(data["password_hash"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path} is not a first-run admin file ({exc}); delete it to create a new admin") from None


class Directory:
    """The users, read from the settings once, or from the first-run admin file (read again when it changes)."""

    def __init__(self, configured: dict[str, User], first_admin: Path | None = None):
        self._configured = configured
        self._path = first_admin
        self._lock = threading.Lock()
        self._seen: tuple[float, dict[str, User]] | None = None

    @property
    def first_admin_file(self) -> Path | None:
        return self._path

    def users(self) -> dict[str, User]:
        if self._path is None:
            return self._configured
        try:
            mtime = self._path.stat().st_mtime
        except OSError:
            return {}
        with self._lock:
            if self._seen is None or self._seen[0] != mtime:
                try:
                    user = _read_first_admin(self._path)
                except ValueError as exc:  # nobody logs in until it is mended; the log says why
                    log.error("access: %s", exc)
                    return {}
                self._seen = (mtime, {user.name: user})
            return self._seen[1]

    def get(self, name: str) -> User | None:
        return self.users().get(name)


def directory(admins: str, analysts: str, data_dir: Path) -> Directory:
    """The configured users; with none, the first-run admin of `data_dir` (created now, its password logged once)."""
    configured = parse_users(admins, analysts)
    if configured:
        roles = {r: sum(1 for u in configured.values() if u.role == r) for r in (ADMIN, ANALYST)}
        log.info("access: %d admin(s), %d analyst(s) from the settings", roles[ADMIN], roles[ANALYST])
        return Directory(configured)
    path = first_admin_path(data_dir)
    try:
        password = write_first_admin(path)
    except FileExistsError:
        log.info("access: no users configured, the first-run admin %r of %s logs in (its password was printed at "
                 "the first start; `python -m webapp reset-admin-password` prints a new one)", FIRST_ADMIN_NAME, path)
    else:
        log.warning("\n%s\nNo users are configured: created the admin %r with the password\n\n    %s\n\n"
                    "It is stored hashed in %s and shown only this once. Log in at /login; to get a new one, "
                    "run `python -m webapp reset-admin-password`. Set PA_ADMIN_USERS to manage users yourself.\n%s",
                    "=" * 78, FIRST_ADMIN_NAME, password, path, "=" * 78)
    _read_first_admin(path)  # a file that is not one stops the start, naming it
    return Directory({}, path)
