"""Wake-ups by PostgreSQL NOTIFY: idle loops wait for work instead of polling for it.

A service holds one connection that LISTENs on the channels its loops care about (the
outbox's, a queue of its own). Each loop asks for an `asyncio.Event` of its own on a
channel, set on every notification of that channel, and takes it as its `wake` (a loop
clears its event before each pass, so loops must not share one). The listening connection is kept by
a supervised loop of its own: each pass checks it with a round trip; when it is lost,
the pass fails and the next one listens on a fresh connection. After every (re)connect
all events are set, since a notification may have been missed meanwhile; the loops
also keep a slow safety poll for the same reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from motcua.loops import Loop, Rebuild

__all__ = ["OUTBOX_CHANNEL", "Wakeups", "install_notify_trigger", "notify"]

OUTBOX_CHANNEL = "motcua_outbox"
"""Notified (by a statement trigger) whenever events are staged in the outbox."""
log = logging.getLogger(__name__)


async def notify(conn: Any, channel: str) -> None:
    """Announce work on `channel`, delivered when the caller's transaction commits
    (several notifications of one transaction are delivered as one)."""
    await conn.execute(text("SELECT pg_notify(:channel, '')"), {"channel": channel})


def install_notify_trigger(bind: Connection, table: str, channel: str) -> None:
    """A statement-level trigger notifying `channel` after every INSERT into `table`
    (idempotent; every writer is covered, COPY and raw SQL included)."""
    function, trigger = f"{table}_notify_{channel}", f"{table}_inserted_notify"
    exists = bind.execute(
        text("SELECT 1 FROM pg_trigger WHERE tgname = :t AND tgrelid = to_regclass(:table)"),
        {"t": trigger, "table": table},
    ).first()
    if exists:
        return
    bind.execute(
        text(
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN PERFORM pg_notify('{channel}', ''); RETURN NULL; END $$"
        )
    )
    bind.execute(
        text(
            f"CREATE OR REPLACE TRIGGER {trigger} AFTER INSERT ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
    )


class Wakeups:
    """One LISTEN connection, one event per channel; run `loop` for its lifetime."""

    def __init__(self, engine: AsyncEngine, check_seconds: float = 10.0) -> None:
        self._engine = engine
        self._check = check_seconds
        self._events: dict[str, list[asyncio.Event]] = {}
        self._conn: AsyncConnection | None = None
        self._driver: Any = None
        self._lost = asyncio.Event()
        self._changed = asyncio.Event()
        self.loop = Loop("wakeups", self.step, wake=self._changed)

    @property
    def channels(self) -> list[str]:
        """The channels listened on."""
        return list(self._events)

    def event(self, channel: str) -> asyncio.Event:
        """A new event, set on each notification of `channel` (listened on from the next
        connect); one per loop."""
        event = asyncio.Event()
        self._events.setdefault(channel, []).append(event)
        return event

    @property
    def listening(self) -> bool:
        """Whether notifications are being received now."""
        return self._driver is not None and not self._lost.is_set()

    @property
    def backend_pid(self) -> int | None:
        """The PostgreSQL backend listening now (None while not listening)."""
        return None if self._driver is None else int(self._driver.get_server_pid())

    async def step(self) -> float:
        """Listen if not yet, else check the connection with a round trip; the pause before
        the next check (cut short when the connection is lost)."""
        try:
            if self._lost.is_set():
                raise Rebuild("the listening connection was lost")
            if self._driver is None:
                await self._listen()
            else:
                # Straight on the driver: no transaction is left open, which would hold
                # notifications back until it ended.
                await asyncio.wait_for(self._driver.execute("SELECT 1"), self._check)
        except Exception:
            await self._drop()
            raise
        return self._check

    async def close(self) -> None:
        """Stop listening and give the connection back."""
        await self._drop()

    async def _listen(self) -> None:
        self._conn = await self._engine.connect()
        self._driver = (await self._conn.get_raw_connection()).driver_connection
        self._driver.add_termination_listener(self._terminated)
        for channel in self._events:
            await self._driver.add_listener(channel, self._notified)
        log.info("listening for %s", ", ".join(self._events) or "nothing")
        for events in self._events.values():
            for event in events:
                event.set()  # whatever was announced while nobody listened

    def _notified(self, _conn: Any, _pid: int, channel: str, _payload: str) -> None:
        for event in self._events.get(channel, ()):
            event.set()

    def _terminated(self, _conn: Any) -> None:
        self._lost.set()
        self._changed.set()

    async def _drop(self) -> None:
        conn, driver, self._conn, self._driver = self._conn, self._driver, None, None
        lost = self._lost.is_set()
        self._lost.clear()
        if conn is None:
            return
        with contextlib.suppress(Exception):
            if driver is not None:
                driver.remove_termination_listener(self._terminated)
                if not lost:
                    for channel in self._events:
                        await driver.remove_listener(channel, self._notified)
        with contextlib.suppress(Exception):
            if lost:
                await conn.invalidate()
            await conn.close()
