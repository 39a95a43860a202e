"""Group commit: requests arriving together share one transaction.

Each writer takes whatever is queued when it becomes free (up to `max_batch`), so a
lone request is written at once and a burst is written in a few transactions instead of
one each. Outcomes stay per request: a refused command does not affect the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from motcua_intake.adapters.metrics import WRITE_BATCH_SIZE
from motcua_intake.service.items import Item, Outcome
from motcua_intake.service.ledger import Ledger

__all__ = ["GroupCommit"]

log = logging.getLogger(__name__)
_Entry = tuple[Item, "asyncio.Future[Outcome]"]


class GroupCommit:
    """A queue in front of the ledger, drained by a few writer tasks."""

    def __init__(
        self, ledger: Ledger, engine: AsyncEngine, max_batch: int, concurrency: int
    ) -> None:
        self._ledger = ledger
        self._engine = engine
        self._max_batch = max_batch
        self._concurrency = concurrency
        self._queue: asyncio.Queue[_Entry | None] = asyncio.Queue()
        self._running = False

    async def submit(self, item: Item) -> Outcome:
        """Apply one item with whatever else is waiting; returns its own outcome."""
        if not self._running:
            return (await self._ledger.apply([item]))[0]
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((item, future))
        return await future

    async def run(self, stop: asyncio.Event) -> None:
        """Write batches until `stop` is set; what is queued by then is still written."""
        self._running = True
        writers = [asyncio.create_task(self._write_until_told()) for _ in range(self._concurrency)]
        await stop.wait()
        self._running = False
        for _ in writers:
            self._queue.put_nowait(None)
        await asyncio.gather(*writers, return_exceptions=True)

    async def _write_until_told(self) -> None:
        # Each writer keeps its connection: checking one out of the pool costs round trips.
        conn: AsyncConnection | None = None
        try:
            while (first := await self._queue.get()) is not None:
                batch = [first]
                while len(batch) < self._max_batch and not self._queue.empty():
                    entry = self._queue.get_nowait()
                    if entry is None:
                        self._queue.put_nowait(None)
                        break
                    batch.append(entry)
                if conn is None or conn.invalidated or conn.closed:
                    conn = await _reconnect(self._engine, conn)
                await self._write(batch, conn)
        finally:
            if conn is not None:
                await conn.close()

    async def _write(self, batch: list[_Entry], conn: AsyncConnection | None) -> None:
        batch = [(item, future) for item, future in batch if not future.cancelled()]
        if not batch:
            return
        WRITE_BATCH_SIZE.observe(len(batch))
        try:
            outcomes = await self._ledger.apply([item for item, _ in batch], conn)
        except Exception as error:
            if len(batch) > 1:
                log.warning("batch failed; writing its items one by one", exc_info=True)
                for entry in batch:
                    await self._write([entry], None)
                return
            _, future = batch[0]
            if not future.done():
                future.set_exception(error)
            return
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if not future.done():
                future.set_result(outcome)


async def _reconnect(engine: AsyncEngine, old: AsyncConnection | None) -> AsyncConnection:
    if old is not None:
        with contextlib.suppress(Exception):
            await old.close()
    return await engine.connect()
