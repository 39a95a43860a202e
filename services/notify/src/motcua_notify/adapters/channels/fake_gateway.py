"""A stand-in for the SMS gateway, the Zalo ZNS API and officials' webhook receivers.

For tests and the demo. Run it with
``uvicorn motcua_notify.adapters.channels.fake_gateway:create_app --factory``.
It records every request in memory (``GET /_messages``) and answers according to a
mode set with ``POST /_mode {"mode": ..., "times": n}``:

- ``ok``: accept;
- ``rate_limit``: 429 with ``Retry-After: 1``;
- ``fail``: 500;
- ``reject``: 400 (on the Zalo endpoint: HTTP 200 with ZNS error -108, as Zalo does);
- ``garbage``: 200 with a body that is not JSON.

A mode other than ``ok`` applies to the next ``times`` requests (default 1), then the
gateway answers ``ok`` again. With a callback URL (``create_app(callback_url=...)``,
the ``FAKE_GATEWAY_CALLBACK_URL`` variable or ``POST /_config``) every accepted SMS or
ZNS message is followed by a delivery receipt POSTed there, with
``Authorization: Bearer <callback_token>`` when a token is configured.
"""

import contextlib
import itertools
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import httpx
from fastapi import BackgroundTasks, Body, FastAPI, Request, Response
from pydantic import BaseModel

__all__ = ["ConfigRequest", "GatewayState", "Mode", "ModeRequest", "create_app"]

Mode = Literal["ok", "rate_limit", "fail", "reject", "garbage"]
_RECORDED_HEADERS = ("x-api-key", "access_token", "x-motcua-signature", "x-motcua-timestamp")


class ModeRequest(BaseModel):
    mode: Mode
    times: int = 1


class ConfigRequest(BaseModel):
    callback_url: str | None = None
    callback_token: str | None = None


@dataclass
class GatewayState:
    """What the fake gateway has received and how it will answer next."""

    callback_url: str | None = None
    callback_token: str | None = None
    mode: Mode = "ok"
    remaining: int = 0
    messages: list[dict[str, Any]] = field(default_factory=list)
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def next_mode(self) -> Mode:
        """Return the mode for this request, counting down a temporary mode."""
        if self.mode == "ok" or self.remaining <= 0:
            return "ok"
        self.remaining -= 1
        return self.mode


def create_app(callback_url: str | None = None) -> FastAPI:
    """Build a fake gateway app with its own in-memory state."""
    state = GatewayState(callback_url=callback_url or os.environ.get("FAKE_GATEWAY_CALLBACK_URL"))
    app = FastAPI(title="Fake SMS / ZNS / webhook gateway")
    app.state.gateway = state

    @app.post("/sms")
    async def sms(request: Request, background: BackgroundTasks) -> Response:
        """Brandname SMS endpoint: answers {"message_id"}."""
        body, mode = await _record(state, request, "sms")
        if mode != "ok":
            return _failure(mode)
        message_id = f"sms-{next(state.ids)}"
        _schedule_receipt(state, background, message_id, body.get("client_ref"))
        return _json({"message_id": message_id, "status": "queued"})

    @app.post("/message/template")
    async def zns(request: Request, background: BackgroundTasks) -> Response:
        """Zalo ZNS endpoint: answers {"error": 0, "data": {"msg_id"}}."""
        body, mode = await _record(state, request, "zalo")
        if mode == "reject":
            return _json({"error": -108, "message": "Phone number invalid"})
        if mode != "ok":
            return _failure(mode)
        msg_id = f"zns-{next(state.ids)}"
        _schedule_receipt(state, background, msg_id, body.get("tracking_id"))
        data = {"msg_id": msg_id, "sent_time": _now_ms(), "quota": {"remainingQuota": "499"}}
        return _json({"error": 0, "message": "Success", "data": data})

    @app.post("/webhook/{sink}")
    async def webhook(sink: str, request: Request) -> Response:
        """A receiver for officials' webhooks (and for delivery receipts)."""
        _, mode = await _record(state, request, f"webhook/{sink}")
        return _failure(mode) if mode != "ok" else Response(status_code=204)

    @app.get("/_messages")
    async def recorded() -> list[dict[str, Any]]:
        """Everything received so far, oldest first."""
        return state.messages

    @app.delete("/_messages", status_code=204)
    async def forget() -> None:
        """Forget recorded messages and go back to answering ok."""
        state.messages.clear()
        state.mode, state.remaining = "ok", 0

    @app.post("/_mode")
    async def set_mode(request: Annotated[ModeRequest, Body()]) -> dict[str, Any]:
        """Set how the next `times` requests are answered."""
        state.mode, state.remaining = request.mode, request.times
        return {"mode": state.mode, "times": state.remaining}

    @app.post("/_config")
    async def configure(request: Annotated[ConfigRequest, Body()]) -> dict[str, Any]:
        """Set (or clear) the URL delivery receipts are POSTed to, and their bearer token."""
        state.callback_url = request.callback_url
        state.callback_token = request.callback_token
        return {"callback_url": state.callback_url}

    return app


async def _record(
    state: GatewayState, request: Request, endpoint: str
) -> tuple[dict[str, Any], Mode]:
    raw = await request.body()
    try:
        body = json.loads(raw)
    except ValueError:
        body = {"_raw": raw.decode("utf-8", "replace")}
    mode = state.next_mode()
    headers = {k: v for k, v in request.headers.items() if k in _RECORDED_HEADERS}
    state.messages.append(
        {
            "endpoint": endpoint,
            "headers": headers,
            "body": body,
            "raw": raw.decode(),
            "answer": mode,
        }
    )
    return (body if isinstance(body, dict) else {}), mode


def _failure(mode: Mode) -> Response:
    if mode == "rate_limit":
        return _json({"error": "rate limited"}, 429, {"Retry-After": "1"})
    if mode == "fail":
        return _json({"error": "internal error"}, 500)
    if mode == "reject":
        return _json({"error": "bad request"}, 400)
    return Response(b"<html>502 Bad Gateway</html>", status_code=200, media_type="text/html")


def _json(body: object, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    content = json.dumps(body, ensure_ascii=False).encode("utf-8")
    return Response(content, status_code=status, headers=headers, media_type="application/json")


def _schedule_receipt(
    state: GatewayState, background: BackgroundTasks, message_id: str, reference: object
) -> None:
    if state.callback_url:
        receipt = {
            "message_id": message_id,
            "reference": reference,
            "status": "delivered",
            "delivered_at": datetime.now(UTC).isoformat(),
        }
        token = state.callback_token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        background.add_task(_post_receipt, state.callback_url, receipt, headers)


async def _post_receipt(url: str, receipt: dict[str, Any], headers: dict[str, str]) -> None:
    async with httpx.AsyncClient(timeout=5.0) as client:
        with contextlib.suppress(httpx.HTTPError):
            await client.post(url, json=receipt, headers=headers)


def _now_ms() -> str:
    return str(int(datetime.now(UTC).timestamp() * 1000))
