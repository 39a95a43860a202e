"""What routes depend on: the services (wired in app.py) and bearer-token checks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from pydantic import SecretStr

from motcua.http import allowing, one_of, role_of_token, token_caller
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


def _tokens(request: Request) -> Mapping[str, SecretStr | None]:
    found = services(request)
    return {"admin": found.admin_token, "reader": found.read_token, "receipts": found.receipt_token}


# No token or an unknown one: 401; a known token without the right: 403.
_caller = token_caller(role_of_token(_tokens))
_reader = allowing(_caller, one_of({"reader", "admin"}), "this token may not read the log")
_admin = allowing(_caller, one_of({"admin"}), "this token may not edit the directory")
_gateway = allowing(_caller, one_of({"receipts"}), "this token may not post receipts")

ReaderDep = Annotated[str, Depends(_reader)]
AdminDep = Annotated[str, Depends(_admin)]
ReceiptTokenDep = Annotated[str, Depends(_gateway)]


def _delivery_log(found: ServicesDep) -> DeliveryLog:
    return found.delivery_log


def _directory(found: ServicesDep) -> DirectoryService:
    return found.directory


def _receipts(found: ServicesDep) -> ReceiptService:
    return found.receipts


DeliveryLogDep = Annotated[DeliveryLog, Depends(_delivery_log)]
DirectoryDep = Annotated[DirectoryService, Depends(_directory)]
ReceiptsDep = Annotated[ReceiptService, Depends(_receipts)]
