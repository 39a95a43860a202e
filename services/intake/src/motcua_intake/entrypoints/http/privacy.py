"""Erasure of applicants' personal data (admin): one dossier, one person, and the audit."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from motcua_intake.entrypoints.http.deps import AdminDep, PrivacyDep
from motcua_intake.entrypoints.http.dossiers import DossierCode
from motcua_intake.entrypoints.http.responses import problems
from motcua_intake.entrypoints.http.schemas import ErasedView, ErasureView, PersonErasedView
from motcua_intake.service.privacy import ErasureBody, PersonErasureBody

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["privacy"])


@router.post(
    "/dossiers/{code}/erasure",
    summary="Erase a dossier's applicant data (admin), on the citizen's request",
    response_model=ErasedView,
    responses=problems(400, 403, 404, 422),
)
async def erase_dossier(
    code: DossierCode, body: ErasureBody, caller: AdminDep, privacy: PrivacyDep
) -> dict[str, Any]:
    """Publishes `ApplicantErased`: every service deletes its copy. The dossier itself,
    its events and its indicators stay. Asking again answers the first erasure."""
    return await privacy.erase(code, body, caller)


@router.post(
    "/erasures",
    summary="Erase every dossier's applicant data of one person (admin)",
    response_model=PersonErasedView,
    responses=problems(400, 403, 422),
)
async def erase_person(
    body: PersonErasureBody, caller: AdminDep, privacy: PrivacyDep
) -> dict[str, Any]:
    """Matched by the keyed digest of the citizen ID or tax code; the number itself is
    neither stored nor logged."""
    return await privacy.erase_person(body, caller)


@router.get(
    "/erasures",
    summary="The audit of erasures, newest first (admin)",
    response_model=list[ErasureView],
    responses=problems(403, 422),
)
async def list_erasures(
    caller: AdminDep,
    privacy: PrivacyDep,
    since: Annotated[
        AwareDatetime | None,
        Query(description="Only erasures since", examples=["2026-06-01T00:00:00+07:00"]),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    return await privacy.erasures(since, limit)
