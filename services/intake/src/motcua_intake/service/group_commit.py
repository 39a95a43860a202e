"""Group commit: requests arriving together share one transaction.

Each writer takes whatever is queued when it becomes free (up to `max_batch`), so a
lone request is written at once and a burst is written in a few transactions instead of
one each. Outcomes stay per request: a refused command does not affect the others.

Writers are supervised loops (`motcua.loops`): a writer whose database connection
breaks fails the batch in hand with `WriterUnavailable`, reconnects with backoff and
goes on with the next. `stalled` tells readiness when the queue stopped draining; at
shutdown the work still queued fails with `WriterUnavailable` instead of waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from motcua.loops import Rebuild, Step, needs_rebuild
from motcua_intake.adapters.metrics import WRITE_BATCH_SIZE
from motcua_intake.service.items import Item, Outcome
from motcua_intake.service.ledger import Ledger

__all__ = ["GroupCommit", "WriterUnavailable"]

log = logging.getLogger(__name__)
_Entry = tuple[Item, "asyncio.Future[Outcome]"]
_IDLE_SECONDS = 1.0


class WriterUnavailable(Exception):
    """The write could not be done now (database away, or the service is stopping)."""


class GroupCommit:
    """A queue in front of the ledger, drained by a few writer loops."""

    def __init__(
        self,
        ledger: Ledger,
        engine: AsyncEngine,
        max_batch: int,
        concurrency: int,
        stall_seconds: float = 30.0,
    ) -> None:
        self._ledger = ledger
        self._engine = engine
        self._max_batch = max_batch
        self._stall = stall_seconds
        self._connections: list[AsyncConnection | None] = [None] * concurrency
        self._queue: asyncio.Queue[_Entry] = asyncio.Queue()
        self._running = False
        self._stopping = asyncio.Event()
        self._moved = time.monotonic()

    async def submit(self, item: Item) -> Outcome:
        """Apply one item with whatever else is waiting; returns its own outcome."""
        if not self._running:
            return (await self._ledger.apply([item]))[0]
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        if self._queue.empty():
            self._moved = time.monotonic()
        self._queue.put_nowait((item, future))
        return await future

    def writers(self) -> list[tuple[Step, Callable[[], Awaitable[None]]]]:
        """One (step, reconnect) pair per writer, to run as supervised loops."""
        return [(self._step_of(n), self._reconnect_of(n)) for n in range(len(self._connections))]

    async def run(self, stop: asyncio.Event) -> None:
        """Queue requests while the writers run; at `stop`, fail what is still queued."""
        self._running = True
        self._stopping.clear()
        try:
            await stop.wait()
        finally:
            self._running = False
            self._stopping.set()
            self._fail(self._drain(), WriterUnavailable("the service is shutting down"))

    def stalled(self) -> str | None:
        """A readiness probe: None while the queue drains, else since when it has not."""
        waiting = self._queue.qsize()
        still = time.monotonic() - self._moved
        if not waiting or still <= self._stall:
            return None
        return f"{waiting} writes queued and none taken for {still:.0f} s"

    def _step_of(self, n: int) -> Step:
        async def step() -> float:
            batch = await self._take()
            if not batch:
                if not self._running:
                    await self._reconnect_of(n)()  # stopping: give the connection back
                return 0.0
            try:
                conn = self._connections[n]
                if conn is None or conn.invalidated or conn.closed:
                    conn = self._connections[n] = await self._engine.connect()
                broken = await self._write(batch, conn)
            except BaseException as error:
                self._fail(batch, WriterUnavailable("the database is unavailable"), error)
                raise
            if broken is not None:
                raise Rebuild("the writer's connection failed") from broken
            return 0.0

        return step

    def _reconnect_of(self, n: int) -> Callable[[], Awaitable[None]]:
        async def reconnect() -> None:
            old, self._connections[n] = self._connections[n], None
            if old is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(old.close(), 2)

        return reconnect

    async def _take(self) -> list[_Entry]:
        if self._queue.empty():
            # Idle: wake for work, for the stop, or after a while (a pass that did nothing).
            getting = asyncio.ensure_future(self._queue.get())
            stopping = asyncio.ensure_future(self._stopping.wait())
            await asyncio.wait(
                {getting, stopping}, timeout=_IDLE_SECONDS, return_when="FIRST_COMPLETED"
            )
            stopping.cancel()
            if not getting.done():
                getting.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await getting
            if getting.cancelled():
                return []
            first = getting.result()
        else:
            first = self._queue.get_nowait()
        batch = [first]
        while len(batch) < self._max_batch and not self._queue.empty():
            batch.append(self._queue.get_nowait())
        self._moved = time.monotonic()
        return batch

    def _drain(self) -> list[_Entry]:
        entries = []
        while not self._queue.empty():
            entries.append(self._queue.get_nowait())
        return entries

    def _fail(
        self, batch: list[_Entry], error: Exception, cause: BaseException | None = None
    ) -> None:
        error.__cause__ = cause
        for _, future in batch:
            if not future.done():
                future.set_exception(error)

    async def _write(
        self, batch: list[_Entry], conn: AsyncConnection | None
    ) -> BaseException | None:
        """Write a batch, settling every future; returns the error if `conn` broke."""
        batch = [(item, future) for item, future in batch if not future.cancelled()]
        if not batch:
            return None
        WRITE_BATCH_SIZE.observe(len(batch))
        try:
            outcomes = await self._ledger.apply([item for item, _ in batch], conn)
        except Exception as error:
            if len(batch) > 1 or conn is not None:
                log.warning("batch failed; writing its items one by one", exc_info=True)
                for entry in batch:
                    await self._write([entry], None)
                # The writer's own connection may be what failed: take a fresh one.
                return error if conn is not None else None
            _, future = batch[0]
            if not future.done():
                future.set_exception(_as_unavailable(error))
            return None
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if not future.done():
                future.set_result(outcome)
        return None


def _as_unavailable(error: Exception) -> Exception:
    """Database outages reach the client as `WriterUnavailable` (503), other errors as they are."""
    if needs_rebuild(error) or isinstance(error, OSError | OperationalError):
        unavailable = WriterUnavailable("the database is unavailable")
        unavailable.__cause__ = error
        return unavailable
    return error
