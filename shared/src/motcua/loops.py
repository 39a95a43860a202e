"""Supervised background loops: they survive database and broker faults and say how they are.

A `Loop` runs one step after another until `stop` is set. A step does one pass of work
and returns how long to pause before the next; a loop given a `wake` event ends that
pause as soon as the event is set (new work announced, e.g. by PostgreSQL NOTIFY, see
`motcua.messaging.wakeups`), so an idle loop can pause long and still react at once.
A step that raises is logged and counted, and the loop backs off (exponentially, with
jitter, up to a bound) before trying again: a loop never dies of a failed pass. When
the failure means the connection or producer the step uses is unusable (a fatal producer
error, a dropped database connection, or a step raising `Rebuild`), the loop calls its
`rebuild` before the next pass.

Each loop records when it last completed a pass and how many passes have failed in a
row (`motcua_loop_*` metrics). `Loops` gathers a service's loops and other probes:
`problems()` says which are stalled (for `/ready`), `dead()` which tasks have ended
before being told to stop (for `/health`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass

from aiokafka import errors as kafka_errors
from sqlalchemy import exc as sa_exc

from motcua.metrics import LOOP_CONSECUTIVE_FAILURES, LOOP_FAILURES, LOOP_LAST_SUCCESS

__all__ = [
    "Backoff",
    "Loop",
    "Loops",
    "Probe",
    "Rebuild",
    "Step",
    "needs_rebuild",
    "sleep",
]

log = logging.getLogger(__name__)

Step = Callable[[], Awaitable[float]]
"""One pass of a loop; returns the seconds to pause before the next pass (0: at once)."""
Probe = Callable[[], str | None]
"""A readiness probe: None when fine, else what is wrong (no personal data)."""

_FATAL_PRODUCER_ERRORS: tuple[type[BaseException], ...] = (
    kafka_errors.OutOfOrderSequenceNumber,
    kafka_errors.ProducerFenced,
    kafka_errors.InvalidProducerEpoch,
    kafka_errors.InvalidProducerIdMapping,
    kafka_errors.ProducerClosed,
    kafka_errors.KafkaConnectionError,
    kafka_errors.IllegalStateError,
)
_BROKEN_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    ConnectionError,
)


class Rebuild(Exception):
    """Raised by a step: what it used (connection, producer) is unusable; rebuild it."""


_REBUILD_ERRORS: tuple[type[BaseException], ...] = (
    Rebuild,
    *_FATAL_PRODUCER_ERRORS,
    *_BROKEN_CONNECTION_ERRORS,
)


def needs_rebuild(error: BaseException) -> bool:
    """Whether an error means the step's connection or producer must be replaced."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _REBUILD_ERRORS):
            return True
        if isinstance(current, sa_exc.DBAPIError) and current.connection_invalidated:
            return True
        current = current.__cause__ or current.__context__
    return False


async def sleep(stop: asyncio.Event, seconds: float, wake: asyncio.Event | None = None) -> bool:
    """Pause up to `seconds`, returning early as soon as `stop` (then True) or `wake` is set."""
    if seconds <= 0 or stop.is_set():
        return stop.is_set()
    if wake is None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)
        return stop.is_set()
    if wake.is_set():
        return False
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
    return stop.is_set()


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with jitter: `initial · 2^(n-1)`, capped at `maximum`, then
    scaled by a random factor in [1 - jitter, 1] so that restarted peers do not retry in step."""

    initial: float = 0.1
    maximum: float = 5.0
    jitter: float = 0.5

    def delay(self, failures: int) -> float:
        """The pause after the `failures`-th failure in a row."""
        ceiling: float = min(self.maximum, self.initial * 2.0 ** max(failures - 1, 0))
        return ceiling * (1 - self.jitter * random.random())


class Loop:
    """A named loop of steps, with backoff, rebuilds and a record of its health."""

    def __init__(
        self,
        name: str,
        step: Step,
        *,
        service: str = "",
        backoff: Backoff | None = None,
        stall_seconds: float = 30.0,
        rebuild: Callable[[], Awaitable[None]] | None = None,
        wake: asyncio.Event | None = None,
    ) -> None:
        self.name = name
        self._step = step
        self._service = service
        self._backoff = backoff or Backoff()
        self._stall = stall_seconds
        self._rebuild = rebuild
        self._wake = wake
        self._broken = False
        self.failures = 0
        """Passes failed in a row (0 after a successful pass)."""
        self.last_success: float | None = None
        """Wall-clock time (epoch seconds) of the last successful pass."""
        self._due = time.monotonic()
        self._labels = (service, name)

    def configure(self, service: str, backoff: Backoff, stall_seconds: float) -> None:
        """Adopt a service's policy (done by the runtime when it watches the loop)."""
        self._service = service
        self._labels = (service, self.name)
        self._backoff = backoff
        self._stall = stall_seconds

    async def run(self, stop: asyncio.Event) -> None:
        """Run passes until `stop` is set; only cancellation ends it earlier."""
        self._due = time.monotonic()
        LOOP_CONSECUTIVE_FAILURES.labels(*self._labels).set(0)
        while not stop.is_set():
            if self._wake is not None:
                self._wake.clear()  # set again during the pass: another pass follows at once
            try:
                pause = await self.once()
            except Exception as error:
                await sleep(stop, self._failed(error))
                continue
            await sleep(stop, pause, self._wake)

    async def once(self) -> float:
        """One pass (rebuilding first if the last failure asked for it); returns the pause."""
        if self._broken and self._rebuild is not None:
            log.info("rebuilding the connection of loop %s", self.name)
            await self._rebuild()
        self._broken = False
        pause = await self._step()
        self._succeeded(pause)
        return pause

    def stalled(self) -> str | None:
        """None while the loop keeps up, else why it is considered stalled."""
        late = time.monotonic() - self._due
        if late <= self._stall:
            return None
        if self.failures:
            return f"{self.failures} passes failed in a row; no pass for {late:.0f} s"
        return f"no pass completed for {late:.0f} s"

    def _succeeded(self, pause: float) -> None:
        now = time.monotonic()
        self._due = now + max(pause, 0.0)
        self.last_success = time.time()
        if self.failures:
            log.info("loop %s recovered after %d failed passes", self.name, self.failures)
        self.failures = 0
        LOOP_LAST_SUCCESS.labels(*self._labels).set(self.last_success)
        LOOP_CONSECUTIVE_FAILURES.labels(*self._labels).set(0)

    def _failed(self, error: Exception) -> float:
        self.failures += 1
        self._broken = self._broken or needs_rebuild(error)
        LOOP_FAILURES.labels(*self._labels).inc()
        LOOP_CONSECUTIVE_FAILURES.labels(*self._labels).set(self.failures)
        pause = self._backoff.delay(self.failures)
        log.error(
            "loop %s: pass failed (%s); retrying in %.2f s",
            self.name,
            type(error).__name__,
            pause,
            exc_info=error,
            extra={"loop": self.name, "attempt": self.failures, "rebuild": self._broken},
        )
        return pause


class Loops:
    """A service's loops and background tasks: started together, watched, stopped in time."""

    def __init__(self) -> None:
        self._loops: list[Loop] = []
        self._started: list[Loop] = []
        self._probes: dict[str, Probe] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._stopping = False

    def __iter__(self) -> Iterator[Loop]:
        return iter(self._loops)

    def add(self, loop: Loop) -> Loop:
        """Watch a loop and run it (started by `start`)."""
        self._loops.append(loop)
        self._started.append(loop)
        return loop

    def watch(self, loop: Loop) -> Loop:
        """Watch a loop that a background task of the service runs itself."""
        self._loops.append(loop)
        return loop

    def probe(self, name: str, probe: Probe) -> None:
        """Add a readiness probe (a queue that must keep draining, for instance)."""
        self._probes[name] = probe

    def start(
        self, stop: asyncio.Event, tasks: Mapping[str, Callable[[asyncio.Event], Awaitable[None]]]
    ) -> None:
        """Start every loop and the named background tasks."""
        self._stopping = False
        for loop in self._started:
            self._tasks[loop.name] = asyncio.create_task(loop.run(stop), name=loop.name)
        for name, task in tasks.items():
            self._tasks[name] = asyncio.create_task(_awaited(task(stop)), name=name)
        for started in self._tasks.values():
            started.add_done_callback(self._ended)

    async def stop(self, within: float) -> list[str]:
        """Wait up to `within` seconds for the tasks to return (their `stop` must be set), then
        cancel the rest; returns the names of those cancelled."""
        self._stopping = True
        running = list(self._tasks.values())
        if not running:
            return []
        _, pending = await asyncio.wait(running, timeout=max(within, 0))
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=1)
        late = sorted(t.get_name() for t in pending)
        if late:
            log.error("background tasks cancelled at shutdown: %s", ", ".join(late))
        self._tasks.clear()
        return late

    def problems(self) -> dict[str, str]:
        """What keeps the service from being ready: stalled loops, failing probes."""
        found = {f"loop:{loop.name}": why for loop in self._loops if (why := loop.stalled())}
        for name, probe in self._probes.items():
            if (why := probe()) is not None:
                found[name] = why
        return found

    def dead(self) -> list[str]:
        """Tasks that ended although nobody told them to stop (the process should restart)."""
        if self._stopping:
            return []
        return sorted(name for name, task in self._tasks.items() if task.done())

    def _ended(self, task: asyncio.Task[None]) -> None:
        if self._stopping or task.cancelled():
            return
        name = task.get_name()
        log.critical(
            "background task %s ended before shutdown",
            name,
            exc_info=task.exception(),
            extra={"loop": name},
        )


async def _awaited(awaitable: Awaitable[None]) -> None:
    await awaitable
