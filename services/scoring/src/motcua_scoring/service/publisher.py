"""The feed publisher: figures of the keys batches marked, to the change log (read by the
live stream) and, through the outbox, to the compacted topic `scoring.indicators.v1`.

One pass runs at a time across all processes (a transaction-level advisory lock). It
reads the owed keys, evaluates them from the committed counters, appends the figures to
the change log, stages one `IndicatorsUpdated` per key and clears the keys, all in one
transaction. A key marked again while the pass ran stays owed and goes out on the next
pass, so the last change of every key always carries its latest figures. Keys marked by
many batches in between are published once: the feed coalesces under load instead of
falling behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import time
from concurrent.futures import Executor, ProcessPoolExecutor

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from motcua.clock import Clock
from motcua.events import Envelope, IndicatorsUpdated
from motcua.messaging import stage
from motcua_scoring import domain as d
from motcua_scoring.adapters.change_log import append_changes
from motcua_scoring.adapters.dirty_keys import clear_keys, take_keys
from motcua_scoring.adapters.metrics import FEED_PASS_KEYS, FEED_PASS_SECONDS, INDICATOR_CHANGES
from motcua_scoring.domain.periods import parse_period
from motcua_scoring.service.evaluation import figure_rows, read_tables
from motcua_scoring.settings import ScoringSettings

__all__ = ["PRODUCER", "FeedPublisher"]

PRODUCER = "scoring"
_PASS_LOCK = 7_150_301
log = logging.getLogger(__name__)


class FeedPublisher:
    """Publishes owed keys until stopped."""

    def __init__(self, engine: AsyncEngine, clock: Clock, settings: ScoringSettings) -> None:
        self._engine = engine
        self._clock = clock
        self._settings = settings
        self._pool: Executor | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Publish passes until `stop` is set; idle passes wait `publish_interval_seconds`."""
        if self._settings.feed.worker_process:
            # Figures are CPU work: a worker process keeps the consumer and the streams
            # of this process responsive while a large pass is computed.
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
            try:
                # Start the worker now, so the first change does not wait for its imports.
                await asyncio.get_running_loop().run_in_executor(self._pool, _ready)
            except Exception:
                log.exception("the figures worker did not start; computing in process")
                self._pool.shutdown(wait=False)
                self._pool = None
        try:
            await self._loop(stop)
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None

    async def _loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                published = await self.publish_pass()
            except Exception:
                log.exception("publishing indicator changes failed; retrying")
                published = 0
            if published < self._settings.feed.max_keys_per_pass:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        stop.wait(), self._settings.feed.publish_interval_seconds
                    )

    async def publish_pass(self) -> int:
        """One pass; returns how many keys it published (0 when another process holds it)."""
        started = time.perf_counter()
        async with self._engine.begin() as conn:
            locked = await conn.scalar(sa.select(sa.func.pg_try_advisory_xact_lock(_PASS_LOCK)))
            if not locked:
                return 0
            owed = await take_keys(conn, self._settings.feed.max_keys_per_pass)
            if not owed:
                return 0
            await self._publish(conn, [(s, p) for s, p, _ in owed])
            await clear_keys(conn, owed)
        FEED_PASS_SECONDS.observe(time.perf_counter() - started)
        FEED_PASS_KEYS.observe(len(owed))
        return len(owed)

    async def _publish(self, conn: AsyncConnection, keys: list[tuple[str, str]]) -> None:
        now = self._clock.now()
        pairs = [(d.parse_scope(s), parse_period(p)) for s, p in keys]
        tables = await read_tables(conn, pairs, now, self._settings.feed.earliest_year)
        if self._pool is not None:
            loop = asyncio.get_running_loop()
            figures = await loop.run_in_executor(self._pool, figure_rows, tables, pairs, now)
        else:
            figures = figure_rows(tables, pairs, now)
        seqs = await append_changes(conn, now, figures, self._settings.stream.channel)
        events = [
            Envelope.wrap(
                IndicatorsUpdated(scope=s, period=p, values=values, revision=seqs[(s, p)]),
                producer=PRODUCER,
                occurred_at=now,
                now=now,
                dossier_code=None,
                agency_code=s.removeprefix("agency:") if s.startswith("agency:") else None,
            )
            for s, p, values in figures
        ]
        await stage(conn, *events, topic=self._settings.topics.indicators)
        INDICATOR_CHANGES.inc(len(events))


def _ready() -> bool:
    """Run in the worker at start: its imports are done by the time this returns."""
    return True
