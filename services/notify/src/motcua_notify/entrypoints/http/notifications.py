"""`GET /v1/notifications`: the delivery log, by dossier or by recipient, and its figures."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from motcua.http import Line, ProblemError, ResponseModel, Violation
from motcua_notify.entrypoints.http.dependencies import DeliveryLogDep, ReaderDep, ServicesDep

__all__ = ["router"]

router = APIRouter(prefix="/v1/notifications", tags=["delivery log"])


class NotificationOut(ResponseModel):
    """One message to one recipient on one channel; the address is masked. The agency's
    and the unit's names are intake's latest (null until intake publishes the agency)."""

    id: UUID
    dossier_code: str | None
    agency_code: str | None
    agency_name: str | None
    unit_code: str | None
    unit_name: str | None
    audience: str
    message_type: str
    channel: str
    status: str
    reason: str | None
    recipient: str | None
    template_version: int | None
    attempts: int
    not_before: datetime
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    failed_at: datetime | None
    body_purged: bool


class NotificationPage(ResponseModel):
    items: list[NotificationOut]


class MessageCount(ResponseModel):
    message_type: str
    status: str
    count: int


class WithdrawalCount(ResponseModel):
    message_type: str
    outcome: str
    count: int


class FiguresOut(ResponseModel):
    """Messages per type and status; withdrawn alerts per type and what notify did."""

    messages: list[MessageCount]
    alert_withdrawals: list[WithdrawalCount]


@router.get("/figures", summary="How many messages per type and status; withdrawn alerts")
async def figures(
    _: ReaderDep,
    log: DeliveryLogDep,
    since: Annotated[
        AwareDatetime | None,
        Query(description="Only rows written since", examples=["2026-06-05T00:00:00+07:00"]),
    ] = None,
) -> FiguresOut:
    """Alerts sent are the official types' `accepted`/`delivered` rows, alerts never sent
    their `withdrawn` rows, corrections the `alert_withdrawn` rows. An alert withdrawal's
    outcome is `corrected` (someone was told), `cancelled` (not sent yet) or
    `before_alert` (the withdrawal came first)."""
    found = await log.figures(since)
    return FiguresOut(
        messages=[MessageCount(message_type=t, status=s, count=n) for t, s, n in found.messages],
        alert_withdrawals=[
            WithdrawalCount(message_type=t, outcome=o, count=n) for t, o, n in found.withdrawals
        ],
    )


@router.get("", summary="Messages about a dossier or to a recipient (newest first)")
async def list_notifications(
    _: ReaderDep,
    log: DeliveryLogDep,
    found: ServicesDep,
    dossier_code: Annotated[
        str | None,
        Query(
            min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$", examples=["SXD-260605-0001"]
        ),
    ] = None,
    recipient: Annotated[
        Line | None,
        Query(
            min_length=3,
            max_length=320,
            description="Exact email, phone or webhook URL",
            examples=["an.nguyen@example.vn"],
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1)] = 100,
) -> NotificationPage:
    """Give exactly one of `dossier_code` and `recipient`."""
    if (dossier_code is None) == (recipient is None):
        raise ProblemError(
            422,
            "one_filter_required",
            "give exactly one of dossier_code and recipient",
            [Violation("/query/dossier_code", "one_filter_required", "or recipient")],
        )
    limit = min(limit, found.page_size_max)
    if dossier_code is not None:
        rows = await log.for_dossier(dossier_code, limit)
    else:
        rows = await log.for_recipient(recipient or "", limit)
    return NotificationPage(items=[_out(row) for row in rows])


def _out(row: dict[str, object]) -> NotificationOut:
    return NotificationOut.model_validate(
        {
            **row,
            "id": row["public_id"],
            "recipient": row["recipient_masked"],
            "body_purged": row["purged_at"] is not None,
        }
    )
