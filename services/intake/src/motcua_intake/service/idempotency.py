"""Idempotency keys: what identifies a request, and the answer to a retry."""

from __future__ import annotations

import hashlib

import orjson
from pydantic import BaseModel

from motcua_intake.adapters.idempotency_store import StoredResponse
from motcua_intake.service.errors import Rejection
from motcua_intake.service.items import Answer, Claim, Replayed

__all__ = ["claim_for", "replay", "request_hash"]


def request_hash(command: str, target: str | None, body: BaseModel) -> bytes:
    """The fingerprint of a request: command, target and canonical body."""
    canonical = orjson.dumps(body.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(f"{command}\0{target or ''}\0".encode() + canonical).digest()


def claim_for(
    scope: str, key: str | None, command: str, target: str | None, body: BaseModel
) -> Claim | None:
    """The claim of a request made under `key` (None without a key)."""
    if key is None:
        return None
    return Claim(scope, key, request_hash(command, target, body))


def replay(stored: StoredResponse, claim: Claim) -> Replayed | Rejection:
    """The answer to a request whose key was used before: the first answer, or why not."""
    if stored.status_code is None or stored.response is None:
        return Rejection(
            "conflict", "idempotency_key_in_progress", "a request with this key is still running"
        )
    if stored.request_hash != claim.request_hash:
        return Rejection(
            "invalid",
            "idempotency_key_reused",
            "this Idempotency-Key was used for a different request",
        )
    return Replayed(Answer(stored.status_code, stored.response))
