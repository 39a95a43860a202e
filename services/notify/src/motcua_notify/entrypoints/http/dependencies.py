"""What routes depend on: the services (wired in app.py) and bearer-token checks."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import SecretStr

from motcua_notify.entrypoints.http.problems import Problem
from motcua_notify.service.directory import DirectoryService
from motcua_notify.service.queries import DeliveryLog
from motcua_notify.service.receipts import ReceiptService

__all__ = [
    "AdminDep",
    "DeliveryLogDep",
    "DirectoryDep",
    "ReaderDep",
    "ReceiptTokenDep",
    "ReceiptsDep",
    "Services",
]


@dataclass(frozen=True)
class Services:
    """The use cases the routes call, and the tokens guarding them."""

    delivery_log: DeliveryLog
    directory: DirectoryService
    receipts: ReceiptService
    read_token: SecretStr | None
    admin_token: SecretStr | None
    receipt_token: SecretStr | None
    page_size_max: int


def services(request: Request) -> Services:
    """The services of the app handling this request."""
    found: Services = request.app.state.services
    return found


ServicesDep = Annotated[Services, Depends(services)]
_bearer = HTTPBearer(auto_error=False, description="Bearer token from the notify settings")
CredentialsDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _require(
    pick: Callable[[Services], tuple[SecretStr | None, ...]],
) -> Callable[[Services, HTTPAuthorizationCredentials | None], Awaitable[None]]:
    async def check(found: ServicesDep, credentials: CredentialsDep) -> None:
        given = credentials.credentials.encode() if credentials else b""
        allowed = [t.get_secret_value().encode() for t in pick(found) if t is not None]
        if not given or not any(hmac.compare_digest(given, t) for t in allowed if t):
            raise Problem(
                401,
                "unauthorized",
                "a valid bearer token is required",
                headers={"WWW-Authenticate": "Bearer"},
            )

    return check


ReaderDep = Annotated[None, Depends(_require(lambda s: (s.read_token, s.admin_token)))]
AdminDep = Annotated[None, Depends(_require(lambda s: (s.admin_token,)))]
ReceiptTokenDep = Annotated[None, Depends(_require(lambda s: (s.receipt_token,)))]


def _delivery_log(found: ServicesDep) -> DeliveryLog:
    return found.delivery_log


def _directory(found: ServicesDep) -> DirectoryService:
    return found.directory


def _receipts(found: ServicesDep) -> ReceiptService:
    return found.receipts


DeliveryLogDep = Annotated[DeliveryLog, Depends(_delivery_log)]
DirectoryDep = Annotated[DirectoryService, Depends(_directory)]
ReceiptsDep = Annotated[ReceiptService, Depends(_receipts)]
