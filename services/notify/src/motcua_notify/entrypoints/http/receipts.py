"""`POST /v1/receipts/{channel}`: delivery receipts from gateways (shared-secret bearer token)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from motcua.http import Line, ProblemError
from motcua_notify.domain.messages import Channel
from motcua_notify.entrypoints.http.dependencies import ReceiptsDep, ReceiptTokenDep
from motcua_notify.service.receipts import ReceiptOutcome

__all__ = ["router"]

router = APIRouter(prefix="/v1/receipts", tags=["delivery receipts"])


class ReceiptIn(BaseModel):
    """The gateway's message id and status; `reference` is the client_ref / tracking_id sent."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"message_id": "sms-5f1c2a", "status": "DELIVRD", "reference": "n-0b9e7c41"}
            ]
        }
    )

    message_id: Line = Field(min_length=1, max_length=200)
    status: Line = Field(min_length=1, max_length=40)
    reference: Line | None = Field(default=None, max_length=200)


class ReceiptAck(BaseModel):
    outcome: Literal["applied", "ignored"]


@router.post("/{channel}", status_code=202, summary="A delivery receipt")
async def post_receipt(
    _: ReceiptTokenDep,
    receipts: ReceiptsDep,
    channel: Annotated[Channel, Path()],
    body: ReceiptIn,
) -> ReceiptAck:
    outcome = await receipts.apply(channel, body.message_id, body.reference, body.status)
    if outcome is ReceiptOutcome.UNKNOWN:
        raise ProblemError(404, "message_not_found", "no message with this id on this channel")
    return ReceiptAck(outcome=outcome.value)
