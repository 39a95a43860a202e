"""The feed publisher: figures of the keys batches marked, to the change log (read by the
live stream) and, through the outbox, to the compacted topic `scoring.indicators.v1`.

One pass runs at a time across all processes (a transaction-level advisory lock, which
processes wait for in turn). It takes the owed keys it publishes (`Turns`, reading only
those from the owed keys' index), evaluates them from the committed counters, appends
the figures to the change log, stages one `IndicatorsUpdated` per key and clears the
keys, all in one transaction.
An agency's figures are rolled up as the JSON API gives them: with the agencies merged
into it from each merge date (`evaluation.rolled_up`); a key of a merged-away agency
brings along the same period of every agency that counts it over some of that period,
so their entries follow the absorbed agency's changes after the merge date. A
key marked again while the pass ran stays owed and goes out on a later pass, so the last
change of every key always carries its latest figures. Keys marked by many batches in
between are published once: the feed coalesces under load instead of falling behind.

A pass stays short (`pass_budget_seconds`): it publishes as many keys as the previous
passes say fit in that time. The keys this process's stream clients watch go first, so
a change they watch reaches them within a pass or two however many keys are owed; the
others follow in key order from where the previous pass stopped (round robin), with at
least a quarter of every pass, so no key waits for ever. Passes follow each other without
a pause while keys are owed; an idle publisher waits until a batch marks keys (its
`wake`, PostgreSQL NOTIFY) or, should a notification be lost, `publish_interval_seconds`.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from motcua.clock import Clock
from motcua.db import advisory_lock
from motcua.events import Envelope, IndicatorsUpdated
from motcua.loops import Loop
from motcua.messaging import stage
from motcua_scoring import domain as d
from motcua_scoring.adapters.agency_store import load_merges
from motcua_scoring.adapters.change_log import append_changes
from motcua_scoring.adapters.dirty_keys import DirtyKey, KeyFilter, clear_keys, take_keys
from motcua_scoring.adapters.metrics import FEED_PASS_KEYS, FEED_PASS_SECONDS, INDICATOR_CHANGES
from motcua_scoring.domain.periods import parse_period
from motcua_scoring.service.evaluation import absorbed_parts, figure_rows, read_tables, to_read
from motcua_scoring.service.merged_keys import with_absorbers
from motcua_scoring.settings import ScoringSettings

__all__ = ["PRODUCER", "FeedPublisher", "PassBudget", "Turns", "Watched"]

PRODUCER = "scoring"
_PASS_LOCK = 7_150_301
_FIRST_SECONDS_PER_KEY = 0.001
_SMOOTHING = 0.3
log = logging.getLogger(__name__)

Watched = Callable[[], Sequence[KeyFilter]]
"""What this process's stream clients watch now."""


def _unwatched() -> Sequence[KeyFilter]:
    return ()


class FeedPublisher:
    """Publishes owed keys until stopped."""

    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        settings: ScoringSettings,
        watched: Watched = _unwatched,
        wake: asyncio.Event | None = None,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._settings = settings
        self._watched = watched
        self._pool: Executor | None = None
        self._turns = Turns()
        self._budget = PassBudget(
            settings.feed.pass_budget_seconds, settings.feed.max_keys_per_pass
        )
        self.loop = Loop("feed-publisher", self.step, wake=wake)

    async def run(self, stop: asyncio.Event) -> None:
        """Publish passes until `stop` is set; a pass that leaves no key owed is followed
        by a pause of `publish_interval_seconds`, cut short when keys are marked."""
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
            await self.loop.run(stop)
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None

    async def step(self) -> float:
        """One pass; the pause before the next (none while keys are still owed)."""
        if await self.publish_pass():
            return 0.0
        return float(self._settings.feed.publish_interval_seconds)

    async def publish_pass(self) -> bool:
        """One pass, after the running one of any process; whether keys may still be owed."""
        async with self._engine.begin() as conn:
            await advisory_lock(conn, _PASS_LOCK)
            started = time.perf_counter()
            chosen, more = await self._turns.choose(conn, self._watched(), self._budget.keys())
            if not chosen:
                return False
            await self._publish(conn, [(s, p) for s, p, _ in chosen])
            await clear_keys(conn, chosen)
            elapsed = time.perf_counter() - started
            self._budget.observe(elapsed, len(chosen))
        FEED_PASS_SECONDS.observe(elapsed)
        FEED_PASS_KEYS.observe(len(chosen))
        return more

    async def _publish(self, conn: AsyncConnection, keys: list[tuple[str, str]]) -> None:
        now = self._clock.now()
        merges = await load_merges(conn)
        keys = with_absorbers(keys, merges, now)
        pairs = [(d.parse_scope(s), parse_period(p)) for s, p in keys]
        parts = absorbed_parts(pairs, merges, now)
        earliest = self._settings.feed.earliest_year
        tables = await read_tables(conn, to_read(pairs, parts), now, earliest)
        if self._pool is not None:
            loop = asyncio.get_running_loop()
            figures = await loop.run_in_executor(self._pool, figure_rows, tables, pairs, now, parts)
        else:
            figures = figure_rows(tables, pairs, now, parts)
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


class PassBudget:
    """How many keys fit in a pass of `seconds`, learnt from the time the keys of the
    passes so far took to publish (not the pass's scan of the owed keys, which costs the
    same however many are chosen)."""

    def __init__(self, seconds: float, most: int) -> None:
        self._seconds = seconds
        self._most = most
        self._per_key = _FIRST_SECONDS_PER_KEY

    def keys(self) -> int:
        """Keys for the next pass: at least one, at most `most`."""
        return max(1, min(self._most, int(self._seconds / self._per_key)))

    def observe(self, seconds: float, keys: int) -> None:
        """A pass published `keys` keys in `seconds` (a moving average of the time a key)."""
        self._per_key += _SMOOTHING * (seconds / max(keys, 1) - self._per_key)


class Turns:
    """Which owed keys a pass publishes: the keys stream clients watch first, then the
    others; each group in key order from where its previous turn stopped, so every key
    gets its turn. Each group is read from the owed keys' index in that order, so a pass
    reads only the keys it publishes, however many are owed."""

    def __init__(self) -> None:
        self._after: dict[bool, tuple[str, str]] = {}

    async def choose(
        self, conn: AsyncConnection, watching: Sequence[KeyFilter], budget: int
    ) -> tuple[list[DirtyKey], bool]:
        """Up to `budget` keys, watched ones first; the others get at least a quarter of
        the budget (and at least one key), so a pass may exceed it by that much. Also
        whether keys may be left owed (a group filled its share)."""
        filters = list(watching) or None
        first = await self._take(conn, True, budget, filters) if filters else []
        share = max(budget - len(first), budget // 4, 1)
        rest = await self._take(conn, False, share, filters)
        return first + rest, len(first) >= budget or len(rest) >= share

    async def _take(
        self, conn: AsyncConnection, watched: bool, n: int, filters: list[KeyFilter] | None
    ) -> list[DirtyKey]:
        keys = await take_keys(conn, n, self._after.get(watched), filters, unwatched=not watched)
        if keys:
            self._after[watched] = keys[-1][:2]
        return keys


def _ready() -> bool:
    """Run in the worker at start: its imports are done by the time this returns."""
    return True
