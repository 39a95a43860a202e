"""API keys: who is calling, for which agency, with which scopes."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncEngine

from motcua_intake.adapters import idempotency_store, key_store
from motcua_intake.adapters.idempotency_store import StoredResponse
from motcua_intake.adapters.key_store import StoredKey
from motcua_intake.service.directory import Directory
from motcua_intake.service.errors import Rejection
from motcua_intake.service.idempotency import replay
from motcua_intake.service.items import Answer, Claim, Replayed

__all__ = ["ADMIN", "IssuedKey", "KeyService", "Principal", "digest_of"]

ADMIN = "admin"
_TOKEN_PREFIX = "mck_"  # noqa: S105 - a marker, not a secret
_SHOWN = 12


@dataclass(frozen=True, slots=True)
class Principal:
    """The holder of a valid key; `agency` None means a key not bound to an agency."""

    key_prefix: str
    agency: str | None
    scopes: frozenset[str]

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.scopes

    @property
    def idempotency_scope(self) -> str:
        """Idempotency keys are unique per agency ("*" for unbound admin keys)."""
        return self.agency or "*"

    def dossier_scope(self) -> str | None:
        """The agency whose dossiers this key may touch; None when it may touch any."""
        if self.agency is not None:
            return self.agency
        if self.is_admin:
            return None
        raise Rejection("forbidden", "forbidden", "this key is not bound to an agency")


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A new key: `key` is shown once and never stored (None in the answer kept for a
    retry)."""

    key: str | None
    prefix: str
    agency: str | None
    scopes: tuple[str, ...]
    label: str


def digest_of(token: str) -> bytes:
    """What is stored of a key: its SHA-256 (keys are long random tokens, so no salt)."""
    return hashlib.sha256(token.encode()).digest()


class KeyService:
    """Authenticates callers (with a short cache) and issues keys."""

    def __init__(
        self,
        engine: AsyncEngine,
        directory: Directory,
        cache_seconds: float,
        *,
        render: Callable[[IssuedKey], Answer],
    ) -> None:
        self._engine = engine
        self._directory = directory
        self._cache_seconds = cache_seconds
        # How an issued key is answered, kept under the request's idempotency key.
        self._render = render
        self._cache: dict[bytes, tuple[float, Principal]] = {}

    async def principal(self, token: str) -> Principal | None:
        """The holder of a key; None when no stored key is this one."""
        digest = digest_of(token)
        cached = self._cache.get(digest)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        async with self._engine.connect() as conn:
            stored = await key_store.find_key(conn, digest)
        if stored is None:
            return None
        principal = Principal(stored.prefix, stored.agency, frozenset(stored.scopes))
        if self._cache_seconds > 0:
            self._cache[digest] = (time.monotonic() + self._cache_seconds, principal)
        return principal

    def forget(self) -> None:
        """Drop the cached principals (after keys were rebound to another agency)."""
        self._cache.clear()

    async def install(self, keys: Sequence[tuple[str, str | None, Sequence[str], str]]) -> None:
        """Store keys given in clear (bootstrap settings); idempotent."""
        async with self._engine.begin() as conn:
            await key_store.insert_keys(
                conn,
                [
                    StoredKey(token[:_SHOWN], digest_of(token), agency, tuple(scopes), label)
                    for token, agency, scopes, label in keys
                ],
            )

    async def issue(
        self, agency: str, scopes: Sequence[str], label: str, claim: Claim | None
    ) -> IssuedKey | Replayed:
        """A new random key for `agency` (shown once).

        Under an idempotency key a retry creates no second key; its answer carries the
        prefix only, since the key itself is never stored.
        """
        if self._directory.agency(agency) is None:
            raise Rejection("not_found", "agency_not_found", f"agency {agency!r} is unknown")
        token = _TOKEN_PREFIX + secrets.token_urlsafe(32)
        issued = IssuedKey(token, token[:_SHOWN], agency, tuple(sorted(set(scopes))), label)
        stored = StoredKey(issued.prefix, digest_of(token), agency, issued.scopes, label)
        async with self._engine.begin() as conn:
            if claim is not None:
                key = (claim.scope, claim.key)
                found = (await idempotency_store.find(conn, [key])).get(key)
                if found is not None:
                    outcome = replay(found, claim)
                    if isinstance(outcome, Rejection):
                        raise outcome
                    return outcome
            await key_store.insert_keys(conn, [stored])
            if claim is not None:
                kept = self._render(replace(issued, key=None))
                record = StoredResponse(
                    claim.scope, claim.key, claim.request_hash, kept.status_code, kept.body
                )
                await idempotency_store.insert(conn, [record])
        return issued
