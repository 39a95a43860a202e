"""`/v1/directory/units/{code}`: who receives a unit's alerts (admin token)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from motcua.http import Line, ProblemError, Violation
from motcua_notify.domain.directory import UnitContact
from motcua_notify.domain.messages import Channel
from motcua_notify.entrypoints.http.dependencies import AdminDep, DirectoryDep
from motcua_notify.service.directory import InvalidUnit

__all__ = ["router"]

router = APIRouter(prefix="/v1/directory/units", tags=["directory"])
CodePath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]


class UnitIn(BaseModel):
    """A unit's alert contacts; `channels` lists where alerts go (email, sms, webhook)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "agency_code": "SXD",
                    "name": "Phòng Quản lý xây dựng",
                    "role": "specialist",
                    "head_name": "Trần Văn Bình",
                    "email": "qlxd@sxd.example.vn",
                    "phone": "0912345678",
                    "channels": ["email", "sms"],
                }
            ]
        }
    )

    agency_code: Line = Field(min_length=1, max_length=64)
    name: Line = Field(min_length=1, max_length=300)
    role: Line = Field(min_length=1, max_length=40)
    head_name: Line | None = Field(default=None, max_length=200)
    email: Line | None = Field(default=None, max_length=254)
    phone: Line | None = Field(default=None, max_length=32)
    webhook_url: Line | None = Field(default=None, max_length=2000)
    channels: list[Channel] = Field(default_factory=lambda: [Channel.EMAIL])


class UnitOut(UnitIn):
    """The unit as the directory holds it; `agency_name` and `unit_name` are intake's
    latest (null until intake publishes the agency)."""

    code: str
    agency_name: str | None = None
    unit_name: str | None = None


@router.get("/{code}", summary="A unit and its alert contacts")
async def get_unit(_: AdminDep, directory: DirectoryDep, code: CodePath) -> UnitOut:
    unit = await directory.get(code)
    if unit is None:
        raise ProblemError(404, "unit_not_found", f"no unit {code} in the directory")
    return _out(unit, *await directory.published_names(unit))


@router.put(
    "/{code}",
    summary="Create or replace a unit's alert contacts",
    responses={201: {"description": "Created"}, 200: {"description": "Replaced"}},
)
async def put_unit(
    _: AdminDep, directory: DirectoryDep, code: CodePath, body: UnitIn, response: Response
) -> UnitOut:
    unit = UnitContact(
        code=code,
        agency_code=body.agency_code,
        name=body.name,
        role=body.role,
        head_name=body.head_name,
        email=body.email,
        phone=body.phone,
        webhook_url=body.webhook_url,
        channels=frozenset(body.channels),
    )
    try:
        stored, created = await directory.put(unit)
    except InvalidUnit as exc:
        raise _invalid(exc) from None
    response.status_code = 201 if created else 200
    return _out(stored, *await directory.published_names(stored))


def _invalid(error: InvalidUnit) -> ProblemError:
    field, _, why = str(error).partition(": ")
    code = why if why.isidentifier() else "invalid_unit"
    return ProblemError(422, "invalid_unit", str(error), [Violation(f"/{field}", code, why)])


def _out(unit: UnitContact, agency_name: str | None, unit_name: str | None) -> UnitOut:
    return UnitOut(
        code=unit.code,
        agency_code=unit.agency_code,
        agency_name=agency_name,
        unit_name=unit_name,
        name=unit.name,
        role=unit.role,
        head_name=unit.head_name,
        email=unit.email,
        phone=unit.phone,
        webhook_url=unit.webhook_url,
        channels=sorted(unit.channels),
    )
