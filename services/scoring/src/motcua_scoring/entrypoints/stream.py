"""`GET /v1/indicators/stream`: every indicator change as a Server-Sent Event.

Each change is `event: indicators` with `id:` its change-log number; a client that
reconnects sends `Last-Event-ID` and receives what it missed. A client is sent a scope
and period only when its figures changed since the last ones it was sent, and never a
period that starts after today. If that point was pruned
from the log, it gets `event: reset` and should reload the snapshot from
`/v1/indicators` (whose `last_event_id` says where to resume).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Header, Query, Request
from sse_starlette import EventSourceResponse

from motcua.clock import Clock
from motcua.http import vietnam_time
from motcua_scoring.adapters.change_log import Change
from motcua_scoring.adapters.metrics import STREAM_CLIENTS
from motcua_scoring.domain.periods import local_date
from motcua_scoring.entrypoints.deps import HubDep, ReaderDep, SettingsDep
from motcua_scoring.service import ChangeFilter, ChangeHub, PrunedAway, SentFigures

__all__ = ["stream_router"]

WAIT_SECONDS = 5.0
RETRY_MS = 1000
_EVENT = {
    "type": "object",
    "description": "One event; `data` is JSON: `{seq}` for ready and reset, a change for "
    "indicators.",
    "properties": {
        "event": {"type": "string", "enum": ["ready", "indicators", "reset"]},
        "id": {"type": "string", "description": "The change-log number (Last-Event-ID)."},
        "data": {"type": "string"},
        "retry": {"type": "integer"},
    },
    "required": ["event", "id", "data"],
}


def stream_router() -> APIRouter:
    """The SSE route."""
    router = APIRouter(prefix="/v1", tags=["indicators"])

    @router.get(
        "/indicators/stream",
        summary="Indicator changes, live (Server-Sent Events)",
        response_class=EventSourceResponse,
        responses={
            200: {
                "description": "`ready`, then `indicators` for each change (`reset`: reload)",
                "content": {"text/event-stream": {"schema": _EVENT}},
            }
        },
    )
    async def stream(
        request: Request,
        hub: HubDep,
        reader: ReaderDep,
        settings: SettingsDep,
        scope: Annotated[
            list[str], Query(description="Only these scope keys.", examples=[["agency:STP"]])
        ] = [],  # noqa: B006
        kind: Annotated[
            list[str], Query(description="Only scopes of these kinds.", examples=[["agency"]])
        ] = [],  # noqa: B006
        period: Annotated[
            list[str], Query(description="Only these period keys.", examples=[["2026-11-21"]])
        ] = [],  # noqa: B006
        last_event_id: Annotated[str | None, Header()] = None,
    ) -> EventSourceResponse:
        """Changes after `Last-Event-ID` (or from now), filtered by scope, kind and period;
        a key only when its figures changed since the last sent, no day after today."""
        wanted = ChangeFilter(frozenset(scope), frozenset(kind), frozenset(period))
        start = int(last_event_id) if last_event_id and last_event_id.isdigit() else None
        return EventSourceResponse(
            _events(request, hub, reader.clock, wanted, start),
            ping=int(settings.stream.ping_seconds),
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    return router


async def _events(
    request: Request, hub: ChangeHub, clock: Clock, wanted: ChangeFilter, start: int | None
) -> AsyncIterator[dict[str, Any]]:
    STREAM_CLIENTS.inc()
    sent = SentFigures()
    try:
        with hub.watching(wanted):
            seq = start if start is not None else await hub.current()
            yield {"event": "ready", "id": str(seq), "retry": RETRY_MS, "data": _json({"seq": seq})}
            while not await request.is_disconnected():
                try:
                    changes = await hub.after(seq, WAIT_SECONDS)
                except PrunedAway:
                    seq = await hub.current()
                    yield {"event": "reset", "id": str(seq), "data": _json({"seq": seq})}
                    continue
                today = local_date(clock.now())
                for change in changes:
                    seq = change.seq
                    if wanted.wants(change) and sent.worth_sending(change, today):
                        yield {"event": "indicators", "id": str(seq), "data": _change_json(change)}
    except asyncio.CancelledError:
        raise
    finally:
        STREAM_CLIENTS.dec()


def _change_json(change: Change) -> str:
    return _json(
        {
            "seq": change.seq,
            "scope": change.scope,
            "period": change.period,
            "changed_at": vietnam_time(change.changed_at).isoformat(),
            "figures": change.figures,
        }
    )


def _json(value: object) -> str:
    return orjson.dumps(value).decode()
