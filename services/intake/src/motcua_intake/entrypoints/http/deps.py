"""Dependencies of the routes, as named `Annotated` aliases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from starlette.responses import Response

from motcua.http import allowing, token_caller
from motcua_intake.entrypoints.answers import Result, answer
from motcua_intake.service.access import KeyService, Principal
from motcua_intake.service.agencies import AgencyService
from motcua_intake.service.catalogue import CatalogueService
from motcua_intake.service.dossiers import DossierService
from motcua_intake.service.imports import ImportService
from motcua_intake.service.items import Replayed
from motcua_intake.service.privacy import PrivacyService

__all__ = [
    "AdminDep",
    "AgenciesDep",
    "CallerDep",
    "CatalogueDep",
    "DossiersDep",
    "IdempotencyKeyDep",
    "ImportsDep",
    "KeysDep",
    "PrivacyDep",
    "Services",
    "json_response",
]


@dataclass(frozen=True, slots=True)
class Services:
    """The use cases the routes call, built by `create_app`."""

    dossiers: DossierService
    catalogue: CatalogueService
    keys: KeyService
    imports: ImportService
    agencies: AgencyService
    privacy: PrivacyService


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


# Each alias is one dependency reading the app state (a chain of them costs per request).
async def _dossiers(request: Request) -> DossierService:
    return _services(request).dossiers


async def _catalogue(request: Request) -> CatalogueService:
    return _services(request).catalogue


async def _keys(request: Request) -> KeyService:
    return _services(request).keys


async def _imports(request: Request) -> ImportService:
    return _services(request).imports


async def _agencies(request: Request) -> AgencyService:
    return _services(request).agencies


async def _privacy(request: Request) -> PrivacyService:
    return _services(request).privacy


DossiersDep = Annotated[DossierService, Depends(_dossiers)]
CatalogueDep = Annotated[CatalogueService, Depends(_catalogue)]
KeysDep = Annotated[KeyService, Depends(_keys)]
ImportsDep = Annotated[ImportService, Depends(_imports)]
AgenciesDep = Annotated[AgencyService, Depends(_agencies)]
PrivacyDep = Annotated[PrivacyService, Depends(_privacy)]


async def _principal(request: Request, token: str) -> Principal | None:
    return await _services(request).keys.principal(token)


# No key or an unknown one: 401; a known key without the admin scope: 403.
_caller = token_caller(_principal, api_key_header=True)
_admin = allowing(
    _caller,
    lambda caller: caller.is_admin,
    "this needs a key with admin scope",
    code="admin_scope_required",
)

CallerDep = Annotated[Principal, Depends(_caller)]
AdminDep = Annotated[Principal, Depends(_admin)]

IdempotencyKeyDep = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Retrying with the same key returns the first answer and changes nothing.",
    ),
]


def json_response(result: Result, location: str | None = None) -> Response:
    """The JSON answer to a use case's result (replays are marked)."""
    headers = {}
    if isinstance(result, Replayed):
        headers["Idempotent-Replayed"] = "true"
    if location is not None:
        headers["Location"] = location
    rendered = answer(result)
    return Response(
        rendered.body,
        status_code=rendered.status_code,
        media_type="application/json",
        headers=headers,
    )
