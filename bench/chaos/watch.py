"""When each path last worked: every instance's `/metrics` polled twice a second.

A path works when its counter grows: HTTP writes (the load's own record), each
service's consumer (`motcua_consumer_events_total`), each relay
(`motcua_outbox_published_events_total`). Re-read events are
`motcua_consumer_duplicates_total`. A restarted process starts its counters at zero.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict

import httpx

from bench import scrape
from bench.chaos.stack import Instance

CONSUMED = "motcua_consumer_events"
PUBLISHED = "motcua_outbox_published_events"
REREAD = "motcua_consumer_duplicates"
DEAD_LETTERED = "motcua_dead_lettered"
_WATCHED = {CONSUMED: "consumer", PUBLISHED: "relay"}


def _totals(text: str) -> dict[str, float]:
    """Per counter watched, its total over every label set."""
    counters = (*_WATCHED, REREAD, DEAD_LETTERED)
    read = scrape.sums(text, (f"{counter}_total" for counter in counters))
    return {name.removesuffix("_total"): value for name, value in read.items()}


class Watcher:
    """Records, per path, the times its counter grew; and the re-reads per service."""

    def __init__(self, instances: list[Instance]) -> None:
        self._instances = instances
        self._last: dict[tuple[str, str], float] = {}
        self.progress: dict[str, list[float]] = defaultdict(list)
        self.reread: dict[str, float] = defaultdict(float)
        self.dead_lettered: dict[str, float] = defaultdict(float)

    def paths(self) -> list[str]:
        services = sorted({i.service for i in self._instances})
        relays = [f"{s} relay" for s in services if s != "notify"]
        return ["http write", *(f"{s} consumer" for s in services if s != "intake"), *relays]

    async def run(self, stop: asyncio.Event) -> None:
        async with httpx.AsyncClient(timeout=1.5) as http:
            while not stop.is_set():
                await asyncio.gather(*(self._poll(http, i) for i in self._instances))
                await asyncio.sleep(0.5)

    async def _poll(self, http: httpx.AsyncClient, instance: Instance) -> None:
        try:
            response = await http.get(f"{instance.url}/metrics")
        except httpx.HTTPError:
            return
        if response.status_code != 200:
            return
        now = time.monotonic()
        for metric, value in _totals(response.text).items():
            key = (instance.name, metric)
            before = self._last.get(key, 0.0)
            grown = value - before if value >= before else value  # a restart starts at zero
            self._last[key] = value
            if grown <= 0:
                continue
            if metric in _WATCHED:
                self.progress[f"{instance.service} {_WATCHED[metric]}"].append(now)
            elif metric == REREAD:
                self.reread[instance.service] += grown
            else:
                self.dead_lettered[instance.service] += grown

    def first_after(self, path: str, since: float) -> float | None:
        """Seconds from `since` to the path's first progress after it."""
        return next((t - since for t in self.progress[path] if t >= since), None)
