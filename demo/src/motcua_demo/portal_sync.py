"""How many of the played week's dossiers the (fake) national portal has up to date,
read from the portal service's `GET /v1/sync` once its queue has drained."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

import httpx

__all__ = ["portal_sync_line"]


async def portal_sync_line(
    env: dict[str, str], received_from: datetime, received_to: datetime, patience: float = 120
) -> str:
    """`dossiers in sync with DVCQG: N of M` for dossiers received in the range, waiting up
    to `patience` real seconds for changes still on their way to the portal."""
    url, token = env.get("PORTAL_URL"), env.get("OPERATOR_TOKEN", "")
    if not url:
        return "dossiers in sync with DVCQG: the portal service is not running"
    params = {"received_from": received_from.isoformat(), "received_to": received_to.isoformat()}
    began = time.monotonic()
    async with httpx.AsyncClient(
        base_url=url, timeout=10, headers={"Authorization": f"Bearer {token}"}
    ) as http:
        while True:
            try:
                response = await http.get("/v1/sync", params=params)
                response.raise_for_status()
            except httpx.HTTPError as exc:
                return f"dossiers in sync with DVCQG: unknown ({type(exc).__name__})"
            summary = response.json()
            if summary["queue"]["pending"] == 0 or time.monotonic() - began > patience:
                break
            await asyncio.sleep(1)
    line = f"dossiers in sync with DVCQG: {summary['in_sync']} of {summary['dossiers']}"
    waiting = {state: n for state, n in summary["queue"].items() if n}
    return line + (f" (waiting: {waiting})" if waiting else "")
