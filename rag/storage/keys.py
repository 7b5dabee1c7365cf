"""API keys: created by `footnote keys create`, stored hashed, scoped to collections and a role."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from rag.errors import FootnoteError
from rag.storage.schema import api_keys

ROLES = ("ask", "admin")


class AuthError(FootnoteError):
    """A missing, malformed, unknown or revoked API key."""


@dataclass(frozen=True)
class Key:
    id: str
    name: str
    role: str
    collections: tuple[str, ...]
    rate_per_minute: int
    everything: bool = False  # every collection: the machine's own command line (ui.api.local)

    @property
    def admin(self) -> bool:
        return self.role == "admin"

    def may_use(self, collection: str | None) -> bool:
        return self.everything or collection in self.collections


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class KeyStore:
    def __init__(self, engine: sa.Engine):
        self.engine = engine

    def create(
        self, name: str, role: str, scope: list[str], rate_per_minute: int = 60
    ) -> tuple[Key, str]:
        """A new key and its secret token (shown once; only its hash is stored)."""
        if role not in ROLES:
            raise FootnoteError(f"role {role!r} must be one of {', '.join(ROLES)}")
        if not scope:
            raise FootnoteError("a key needs at least one collection (--collection NAME)")
        if rate_per_minute <= 0:
            raise FootnoteError("rate_per_minute must be positive")
        key_id = uuid.uuid4().hex[:16]
        secret = secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            conn.execute(
                api_keys.insert().values(
                    id=key_id,
                    name=name,
                    secret_hash=_hash(secret),
                    role=role,
                    collections=sorted(set(scope)),
                    rate_per_minute=rate_per_minute,
                    revoked=False,
                    created_at=time.time(),
                )
            )
        key = Key(key_id, name, role, tuple(sorted(set(scope))), rate_per_minute)
        return key, f"fn_{key_id}_{secret}"

    def authenticate(self, token: str) -> Key:
        parts = (token or "").split("_", 2)
        if len(parts) != 3 or parts[0] != "fn":
            raise AuthError("missing or malformed API key; send 'Authorization: Bearer fn_...'")
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(api_keys).where(api_keys.c.id == parts[1])).one_or_none()
        if row is None or not hmac.compare_digest(row.secret_hash, _hash(parts[2])):
            raise AuthError("unknown API key")
        if row.revoked:
            raise AuthError("this API key was revoked")
        return Key(row.id, row.name, row.role, tuple(row.collections), row.rate_per_minute)

    def list(self) -> list[dict]:
        query = sa.select(
            api_keys.c.id,
            api_keys.c.name,
            api_keys.c.role,
            api_keys.c.collections,
            api_keys.c.rate_per_minute,
            api_keys.c.revoked,
            api_keys.c.created_at,
        ).order_by(api_keys.c.created_at)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def revoke(self, key_id: str) -> None:
        with self.engine.begin() as conn:
            done = conn.execute(
                api_keys.update().where(api_keys.c.id == key_id).values(revoked=True)
            )
        if not done.rowcount:
            raise FootnoteError(f"no API key with id {key_id!r}; see `footnote keys list`")
