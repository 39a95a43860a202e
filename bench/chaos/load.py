"""The steady load: the demo's seeded simulator plays a working week against intake's
HTTP API, each write retried with its Idempotency-Key until intake takes it."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from typing import Any

import httpx

from motcua_demo.intake import IntakeClient, IntakeError

RETRY_FOR_SECONDS = 120.0


class RetryingIntake(IntakeClient):
    """Intake's client as a careful counter software would write it: a write that got no
    answer (or a 5xx) is sent again with the same Idempotency-Key, across the instances.

    `successes` holds the monotonic times of writes intake accepted."""

    def __init__(self, clients: list[httpx.AsyncClient], admin_key: str) -> None:
        super().__init__(clients[0], admin_key)
        self._clients = itertools.cycle(clients)
        self.successes: list[float] = []
        self.retries = 0

    async def _call(self, method: str, path: str, key: str, body: Any = None) -> Any:
        headers = {"X-API-Key": key, "Idempotency-Key": str(uuid.uuid4())}
        give_up = time.monotonic() + RETRY_FOR_SECONDS
        while True:
            client = next(self._clients)
            try:
                response = await client.request(method, path, json=body, headers=headers)
            except httpx.HTTPError:
                response = None
            if response is not None and response.status_code < 500:
                break
            if time.monotonic() > give_up:
                break
            self.retries += 1
            await asyncio.sleep(0.5)
        if response is None:
            raise httpx.ConnectError(f"intake unreachable for {RETRY_FOR_SECONDS:.0f} s")
        if response.status_code >= 400:
            try:
                problem = response.json()
            except ValueError:
                problem = {"detail": response.text}
            raise IntakeError(response.status_code, problem)
        if method != "GET":
            self.successes.append(time.monotonic())
        return response.json() if response.content else None
