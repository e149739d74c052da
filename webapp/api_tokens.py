"""Bearer tokens of the runs API: `NAME.SECRET`, configured as NAME:hash pairs (PA_API_TOKENS with admin scope,
PA_API_READ_TOKENS read-only), the secret hashed like a password (scrypt). `python -m webapp new-api-token NAME`
makes one. A token that verified once is remembered by its SHA-256 in this process (so polling a run does not
cost a scrypt hash per request); failures are throttled per token name and client like logins.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from dataclasses import dataclass

from werkzeug.security import check_password_hash, generate_password_hash

from webapp import login_throttle
from webapp.users import name_hash_pairs

ADMIN, READ = "admin", "read"
NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_DUMMY = generate_password_hash("not a token")  # checked for unknown names, so they take as long as known ones


@dataclass(frozen=True)
class Token:
    name: str
    scope: str  # admin or read
    secret_hash: str


class Invalid(Exception):
    """No valid token: the message says why (401), `retry_after` seconds when throttled (429)."""

    def __init__(self, message: str, retry_after: float = 0.0):
        super().__init__(message)
        self.retry_after = retry_after


def parse(admin_tokens: str, read_tokens: str) -> dict[str, Token]:
    """name:hash pairs separated by commas; ValueError naming the entry that is not one."""
    tokens: dict[str, Token] = {}
    for scope, env, text in ((ADMIN, "PA_API_TOKENS", admin_tokens), (READ, "PA_API_READ_TOKENS", read_tokens)):
        for name, digest in name_hash_pairs(text, env, "names: letters, digits, - and _; make one with "
                                            "`python -m webapp new-api-token NAME`", lambda n: bool(NAME.match(n))):
            if name in tokens:
                raise ValueError(f"API token {name!r} is listed twice")
            tokens[name] = Token(name, scope, digest)
    return tokens


def new(name: str) -> tuple[str, str]:
    """A new token for `name`: (the token to give the client, the NAME:hash entry for PA_API_TOKENS)."""
    if not NAME.match(name):
        raise ValueError(f"{name!r}: a token name is 1-64 letters, digits, - or _")
    secret = secrets.token_urlsafe(32)
    return f"{name}.{secret}", f"{name}:{generate_password_hash(secret)}"


class Verifier:
    """Checks bearer tokens against the configured ones."""

    def __init__(self, tokens: dict[str, Token]):
        self.tokens = tokens
        self._verified: dict[str, Token] = {}  # sha256 of a token that verified -> its token
        self._lock = threading.Lock()

    def verify(self, header: str | None, client: str) -> Token:
        """The token of an `Authorization: Bearer NAME.SECRET` header; Invalid otherwise."""
        scheme, _, value = (header or "").partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Invalid("send a token: Authorization: Bearer NAME.SECRET")
        value = value.strip()
        digest = hashlib.sha256(value.encode()).hexdigest()
        with self._lock:
            known = self._verified.get(digest)
        if known is not None and self.tokens.get(known.name) == known:
            return known
        name, _, secret = value.partition(".")
        key = f"api:{name[:64]}"
        wait = login_throttle.locked_for(key, client)
        if wait > 0:
            raise Invalid(f"too many failed tokens for {name[:64]!r}: try again in {wait:.0f} s", retry_after=wait)
        token = self.tokens.get(name)
        ok = check_password_hash(token.secret_hash if token else _DUMMY, secret) and token is not None
        if not ok:
            login_throttle.failed(key, client)
            raise Invalid("the token is not valid")
        login_throttle.succeeded(key)
        with self._lock:
            if len(self._verified) > 1000:
                self._verified.clear()
            self._verified[digest] = token
        return token
