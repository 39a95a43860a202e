"""The feed publisher: figures of the keys batches marked, to the change log (read by the
live stream) and, through the outbox, to the compacted topic `scoring.indicators.v1`.

One pass runs at a time across all processes (a transaction-level advisory lock, which
processes wait for in turn). It reads the owed keys, chooses the ones it publishes,
evaluates them from the committed counters, appends the figures to the change log,
stages one `IndicatorsUpdated` per key and clears the keys, all in one transaction.
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
import bisect
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
from motcua_scoring.adapters.agency_store import load_directory
from motcua_scoring.adapters.change_log import append_changes
from motcua_scoring.adapters.dirty_keys import DirtyKey, clear_keys, take_keys
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

Watched = Callable[[str, str], bool]
"""Whether a stream client watches the changes of a (scope, period) key."""


def _unwatched(scope: str, period: str) -> bool:
    return False


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
        """One pass, after the running one of any process; whether keys are still owed."""
        scanned = self._settings.feed.max_keys_scanned
        async with self._engine.begin() as conn:
            await advisory_lock(conn, _PASS_LOCK)
            started = time.perf_counter()
            owed = await take_keys(conn, scanned)
            if not owed:
                return False
            chosen = self._turns.choose(owed, self._watched, self._budget.keys())
            chosen_at = time.perf_counter()
            await self._publish(conn, [(s, p) for s, p, _ in chosen])
            await clear_keys(conn, chosen)
            # The budget learns what the chosen keys cost; the scan and choice (read every
            # owed key, however few are chosen) would otherwise shrink passes to one key
            # while thousands are owed, and the feed would never catch up.
            self._budget.observe(time.perf_counter() - chosen_at, len(chosen))
        elapsed = time.perf_counter() - started
        FEED_PASS_SECONDS.observe(elapsed)
        FEED_PASS_KEYS.observe(len(chosen))
        return len(chosen) < len(owed) or len(owed) >= scanned

    async def _publish(self, conn: AsyncConnection, keys: list[tuple[str, str]]) -> None:
        now = self._clock.now()
        merges = (await load_directory(conn)).merges
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
    """Which owed keys a pass publishes: watched keys first, then the others; each group
    in key order from where the previous pass stopped, so every key gets its turn."""

    def __init__(self) -> None:
        self._after: dict[bool, tuple[str, str]] = {}

    def choose(self, owed: Sequence[DirtyKey], watched: Watched, budget: int) -> list[DirtyKey]:
        """Up to `budget` keys, watched ones first; the others get at least a quarter of
        the budget (and at least one key), so a pass may exceed it by that much."""
        groups: dict[bool, list[DirtyKey]] = {True: [], False: []}
        for key in sorted(owed):
            groups[watched(key[0], key[1])].append(key)
        first = self._next(True, groups[True], budget)
        rest = self._next(False, groups[False], max(budget - len(first), budget // 4, 1))
        return first + rest

    def _next(self, group: bool, keys: list[DirtyKey], n: int) -> list[DirtyKey]:
        after = self._after.get(group)
        start = 0 if after is None else bisect.bisect_right(keys, after, key=lambda k: k[:2])
        chosen = (keys[start:] + keys[:start])[:n]
        if chosen:
            self._after[group] = chosen[-1][:2]
        return chosen


def _ready() -> bool:
    """Run in the worker at start: its imports are done by the time this returns."""
    return True
