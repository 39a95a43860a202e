"""The live feed inside one process: the change log, fanned out to stream clients.

Each process (uvicorn worker) runs one `ChangeHub`. It wakes on PostgreSQL NOTIFY
from whichever process committed a batch, and polls as well in case a notification is
lost while its listening connection is re-established. It reads new changes once and
keeps the latest in memory; clients that fall behind that buffer, or reconnect with an
old `Last-Event-ID`, read the gap from the change log itself.

The hub also knows what its clients watch (their filters), so the publisher of the
same process can send the keys they watch first (see `publisher`).
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from motcua.clock import Clock
from motcua.loops import Step
from motcua_scoring.adapters.change_log import (
    Change,
    changes_since,
    last_seq,
    prune_changes,
    pruned_through,
)
from motcua_scoring.adapters.notifications import listening
from motcua_scoring.domain.periods import parse_period
from motcua_scoring.settings import StreamSettings

__all__ = ["ChangeFilter", "ChangeHub", "PrunedAway", "SentFigures", "prune_step"]

PAGE = 1000
log = logging.getLogger(__name__)


class PrunedAway(Exception):
    """The client's last event was deleted from the change log: it must start afresh."""


@dataclass(frozen=True)
class ChangeFilter:
    """Which changes a client asked for (empty means all)."""

    scopes: frozenset[str]
    kinds: frozenset[str]
    periods: frozenset[str]

    def wants(self, change: Change) -> bool:
        """Whether the client wants this change."""
        return self.wants_key(change.scope, change.period)

    def wants_key(self, scope: str, period: str) -> bool:
        """Whether the client wants the changes of this scope and period."""
        if self.scopes or self.kinds:
            kind = scope.split(":", 1)[0]
            if scope not in self.scopes and kind not in self.kinds:
                return False
        return not self.periods or period in self.periods


@dataclass
class SentFigures:
    """What one client was sent: a change goes out only when its figures differ from the
    last ones sent for its scope and period (the publisher may write a key again with
    the same figures), and never for a period that starts after today (a due time set
    days ahead moves the figures of the day it turns overdue)."""

    last: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def worth_sending(self, change: Change, today: date) -> bool:
        """Whether to send `change`; remembers it when so."""
        if _first_day(change.period) > today:
            return False
        key = (change.scope, change.period)
        if self.last.get(key) == change.figures:
            return False
        self.last[key] = change.figures
        return True


@lru_cache(maxsize=4096)
def _first_day(period: str) -> date:
    try:
        return parse_period(period).first
    except ValueError:
        return date.min


class ChangeHub:
    """New changes of the change log, shared by this process's stream clients."""

    def __init__(self, engine: AsyncEngine, settings: StreamSettings) -> None:
        self._engine = engine
        self._settings = settings
        self._buffer: list[Change] = []
        self._floor = 0
        self._cursor = 0
        self._wake = asyncio.Event()
        self._fresh = asyncio.Event()
        self._ready = asyncio.Event()
        self._watches: Counter[ChangeFilter] = Counter()

    @property
    def cursor(self) -> int:
        """The newest sequence number this process has read."""
        return self._cursor

    async def run(self, stop: asyncio.Event) -> None:
        """Follow the change log until `stop` is set."""
        listener = asyncio.create_task(self._listen(stop))
        try:
            while not stop.is_set():
                try:
                    await self._start_or_fetch()
                except Exception:
                    log.exception("reading the change log failed; retrying")
                await _first(stop, self._wake, seconds=self._settings.poll_seconds)
                self._wake.clear()
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener

    @contextlib.contextmanager
    def watching(self, wanted: ChangeFilter) -> Iterator[None]:
        """Count `wanted` among the filters of this process's clients while the block runs."""
        self._watches[wanted] += 1
        try:
            yield
        finally:
            self._watches[wanted] -= 1
            if not self._watches[wanted]:
                del self._watches[wanted]

    def filters(self) -> list[ChangeFilter]:
        """What the clients of this process watch now, each filter once."""
        return list(self._watches)

    async def current(self) -> int:
        """Where a client that wants only what comes next starts."""
        await self._ready.wait()
        return self._cursor

    async def after(self, seq: int, wait_seconds: float) -> list[Change]:
        """Changes after `seq`, waiting up to `wait_seconds` when there is none yet."""
        await self._ready.wait()
        if seq < self._floor:
            return await self._from_log(seq)
        if self._cursor <= seq:
            await _first(self._fresh, seconds=wait_seconds)
        start = bisect.bisect_right(self._buffer, seq, key=lambda change: change.seq)
        return self._buffer[start : start + PAGE]

    async def _from_log(self, seq: int) -> list[Change]:
        async with self._engine.connect() as conn:
            if seq < await pruned_through(conn):
                raise PrunedAway(f"changes after {seq} were pruned")
            return await changes_since(conn, seq, PAGE)

    async def _start_or_fetch(self) -> None:
        if not self._ready.is_set():
            async with self._engine.connect() as conn:
                self._cursor = self._floor = await last_seq(conn)
            self._ready.set()
        await self._fetch()

    async def _fetch(self) -> None:
        while True:
            async with self._engine.connect() as conn:
                changes = await changes_since(conn, self._cursor, PAGE)
            if not changes:
                return
            self._buffer.extend(changes)
            self._cursor = changes[-1].seq
            if len(self._buffer) > 2 * self._settings.buffer:
                dropped = len(self._buffer) - self._settings.buffer
                self._floor = self._buffer[dropped - 1].seq
                del self._buffer[:dropped]
            fresh, self._fresh = self._fresh, asyncio.Event()
            fresh.set()
            if len(changes) < PAGE:
                return

    async def _listen(self, stop: asyncio.Event) -> None:
        delay = 0.2
        while not stop.is_set():
            try:
                async with listening(
                    self._engine, self._settings.channel, lambda _payload: self._wake.set()
                ) as lost:
                    delay = 0.2
                    self._wake.set()
                    await _first(stop, lost)
            except Exception:
                log.warning("listening for indicator changes failed; polling meanwhile")
                await _first(stop, seconds=delay)
                delay = min(delay * 2, 5.0)


def prune_step(engine: AsyncEngine, clock: Clock, settings: StreamSettings) -> Step:
    """Delete changes older than the retention, as a supervised loop's step (every
    `prune_every_seconds`)."""

    async def step() -> float:
        before = clock.now() - timedelta(hours=settings.retention_hours)
        async with engine.begin() as conn:
            await prune_changes(conn, before)
        return float(settings.prune_every_seconds)

    return step


async def _first(*events: asyncio.Event, seconds: float | None = None) -> None:
    """Wait until any of `events` is set, or for `seconds`."""
    waiters = [asyncio.create_task(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
