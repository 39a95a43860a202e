"""What every service runs on: database, broker, outbox relay, loops, health and metrics.

`ServiceRuntime` is built from a service's settings inside its `create_app()`; nothing
is created at import time, so a test can build as many apps as it likes.

Health: `/health` (liveness) fails when a background task has died, so an orchestrator
restarts the process; `/ready` fails when the database or Kafka does not answer, a loop
has not completed a pass in time, or a queue (the outbox, a service's own) stopped
draining. Both answer failures as 503 problem+json naming what is wrong.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Collection,
    Coroutine,
    Iterator,
    Sequence,
)
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaProducer
from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import JSONResponse
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from sqlalchemy.ext.asyncio import AsyncEngine

from motcua.clock import Clock, make_clock
from motcua.db import Sessions, create_engine, migrate, ping, sessions
from motcua.events.envelope import Event
from motcua.events.topics import redrive_topic
from motcua.loops import Backoff, Loop, Loops, Probe, Step
from motcua.messaging.consumer import BatchHandler, IdempotentConsumer, raw_bodies
from motcua.messaging.deadletters import HEADER_PREFIX, DeadLetterPublisher
from motcua.messaging.kafka import broker_security, idempotent_producer
from motcua.messaging.outbox import OutboxRelay
from motcua.messaging.wakeups import OUTBOX_CHANNEL, Wakeups
from motcua.settings import ServiceSettings
from motcua.shutdown import PROBLEM_MEDIA_TYPE, Shutdown, problem_json

__all__ = ["ServiceRuntime", "health_router"]

log = logging.getLogger(__name__)
BackgroundTask = Callable[[asyncio.Event], Coroutine[Any, Any, None]]
_REDRIVE_BATCH_TIMEOUT_MS = 1000
# Young objects counted before the collector runs; Python's default is 700.
_GC_THRESHOLDS = (50_000, 20, 20)


class ServiceRuntime:
    """The wiring shared by all services; a service adds its consumers and tasks."""

    def __init__(self, settings: ServiceSettings, migrations: Path | None) -> None:
        self.settings = settings
        self.name = settings.service_name
        self.migrations = migrations
        self.engine: AsyncEngine = create_engine(settings.database)
        self.sessions: Sessions = sessions(self.engine)
        self.broker = KafkaBroker(
            settings.kafka.bootstrap_servers,
            security=broker_security(settings.kafka),
            client_id=self.name,
            middlewares=[KafkaPrometheusMiddleware(registry=REGISTRY, app_name=self.name)],
            logger=None,
        )
        self.producer: AIOKafkaProducer | None = None
        self.dead_letters = DeadLetterPublisher(
            None, self.sessions, self.name, on_broken=self.renew_producer
        )
        self.clock: Clock = make_clock(settings.clock)
        self.stop = asyncio.Event()
        self.loops = Loops()
        self.shutdown = Shutdown(settings.shutdown_seconds)
        self.relay: OutboxRelay | None = None
        self.wakeups = Wakeups(self.engine)
        """PostgreSQL NOTIFY channels the service's loops wait on (`wakeups.event(channel)`)."""
        self._tasks: dict[str, BackgroundTask] = {}
        self._consumers: dict[str, IdempotentConsumer] = {}
        self._renewing = asyncio.Lock()

    def publishes(self, *events: type[Event], description: str = "") -> None:
        """Declare the events this service publishes (for the AsyncAPI document)."""
        for event in events:
            self.broker.publisher(
                event.topic.name,
                title=f"{event.topic.name}:{event.event_type}",
                description=(event.__doc__ or description).strip(),
                schema=event,
            )

    def consume(
        self,
        name: str,
        topics: Sequence[str],
        handler: BatchHandler,
        event_types: Collection[str] | None = None,
    ) -> IdempotentConsumer:
        """Consume topics (and the service's redrive topic) with an idempotent consumer;
        `event_types`: the only types `handler` applies (the others are passed over)."""
        consumer = IdempotentConsumer(
            name=name,
            service=self.name,
            sessions=self.sessions,
            handler=handler,
            dead_letters=self.dead_letters,
            settings=self.settings.consumer,
            stop=self.stop,
            event_types=event_types,
        )
        consumer.subscribe(self.broker, *topics, group_id=self.name)
        if not self._consumers:
            self._subscribe_redrive()
        self._consumers[name] = consumer
        return consumer

    def _subscribe_redrive(self) -> None:
        """Redriven letters go back to the consumer that gave up on them (its name is a header).

        An operator's redrive is no hurry: the subscriber looks for letters once a second."""
        options = self.settings.consumer
        subscriber = self.broker.subscriber(
            redrive_topic(self.name).name,
            group_id=self.name,
            batch=True,
            ack_policy=AckPolicy.MANUAL,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=options.fetch_max_wait_ms,
            consumer_timeout_ms=options.consumer_timeout_ms,
            batch_timeout_ms=_REDRIVE_BATCH_TIMEOUT_MS,
            decoder=raw_bodies,
            title=f"{self.name}:redrive",
        )

        @subscriber
        async def on_redriven(message: KafkaMessage) -> None:
            raw = message.raw_message
            records = list(raw) if isinstance(raw, tuple) else [raw]
            by_consumer: dict[str, list[Any]] = {}
            for record in records:
                name = dict(record.headers or ()).get(HEADER_PREFIX + "consumer", b"").decode()
                by_consumer.setdefault(name, []).append(record)
            for name, batch in by_consumer.items():
                consumer = self._consumers.get(name)
                if consumer is None:
                    log.error("redriven letter for unknown consumer %r skipped", name)
                    continue
                await consumer.process(batch)
            await message.ack()

    def background(self, task: BackgroundTask, name: str | None = None) -> None:
        """Run a task for the app's lifetime; it must return soon after `stop` is set.

        A task that ends before then makes `/health` fail. Work done in passes should be
        a supervised `loop` instead."""
        key = name or str(getattr(task, "__qualname__", "task"))
        while key in self._tasks:
            key += "'"
        self._tasks[key] = task

    def loop(
        self,
        name: str,
        step: Step,
        *,
        rebuild: Callable[[], Awaitable[None]] | None = None,
        wake: asyncio.Event | None = None,
    ) -> Loop:
        """Run `step` pass after pass for the app's lifetime, supervised (`motcua.loops`);
        a pause ends early when `wake` is set (e.g. `self.wakeups.event(channel)`)."""
        return self.loops.add(self._configured(Loop(name, step, rebuild=rebuild, wake=wake)))

    def watch(self, *loops: Loop) -> None:
        """Watch loops that the service's background tasks run (health, metrics, policy)."""
        for loop in loops:
            self.loops.watch(self._configured(loop))

    def _configured(self, loop: Loop) -> Loop:
        options = self.settings.loops
        backoff = Backoff(options.backoff_initial_seconds, options.backoff_max_seconds)
        loop.configure(self.name, backoff, options.stall_seconds)
        return loop

    def probe(self, name: str, probe: Probe) -> None:
        """Add a readiness probe: None while fine, else what is wrong."""
        self.loops.probe(name, probe)

    async def renew_producer(self) -> None:
        """Replace the Kafka producer (after a fatal error) for the relay and dead letters."""
        broken = self.producer
        async with self._renewing:
            if self.producer is not broken:
                return  # someone renewed it meanwhile
            fresh = idempotent_producer(self.settings.kafka, f"{self.name}-relay")
            try:
                await fresh.start()
            except BaseException:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(fresh.stop(), 5)
                raise
            self.producer = fresh
            self.dead_letters.bind(fresh)
            if self.relay is not None:
                self.relay.bind(fresh)
            log.warning("kafka producer renewed")
        if broken is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(broken.stop(), 5)

    @contextlib.asynccontextmanager
    async def lifespan(self, app: FastAPI | None = None) -> AsyncIterator[None]:
        """Start everything in order; stop it in reverse, within `shutdown_seconds`."""
        if self.migrations is not None:
            await migrate(self.engine, self.migrations)
        producer = idempotent_producer(self.settings.kafka, f"{self.name}-relay")
        await producer.start()
        self.producer = producer
        self.dead_letters.bind(producer)
        if self.settings.outbox.enabled and self.relay is None:
            relay = OutboxRelay(self.engine, producer, self.settings.outbox, self.name)
            self.relay = relay
            wake = self.wakeups.event(OUTBOX_CHANNEL)
            self.loop("outbox-relay", relay.step, rebuild=self.renew_producer, wake=wake)
            self.loop("outbox-backlog", relay.measure)
            self.probe("outbox", relay.stalled)
        if self.wakeups.channels and self.wakeups.loop not in self.loops:
            self.loops.add(self._configured(self.wakeups.loop))
        await self.broker.start()
        self.stop.clear()
        self.shutdown.watch_signals()
        self.loops.start(self.stop, self._tasks)
        try:
            with _long_lived_heap.held():
                yield
        finally:
            self.shutdown.begin()
            self.shutdown.restore_signals()
            self.stop.set()
            await self.loops.stop(self.shutdown.left() * 0.6)
            await _bounded(self.wakeups.close(), self.shutdown.left() / 2, "listening connection")
            await _bounded(self.broker.stop(), self.shutdown.left() / 2, "broker")
            await _bounded(self._stop_producer(), self.shutdown.left() / 2, "producer")
            await _bounded(self.engine.dispose(), self.shutdown.left(), "database pool")

    async def _stop_producer(self) -> None:
        if self.producer is not None:
            await self.producer.stop()

    async def readiness(self) -> dict[str, Any]:
        """Whether the database and the broker answer, loops keep up and queues drain."""
        checks: dict[str, Any] = {}
        try:
            await asyncio.wait_for(ping(self.engine), 2)
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unreachable: {type(exc).__name__}"
        try:
            reachable = await asyncio.wait_for(self.broker.ping(timeout=2), 3)
            checks["kafka"] = "ok" if reachable else "unreachable"
        except Exception as exc:
            checks["kafka"] = f"unreachable: {type(exc).__name__}"
        checks.update(self.loops.problems())
        if self.shutdown.requested.is_set():
            checks["shutdown"] = "in progress"
        return checks


class _LongLivedHeap:
    """While a service runs, the collector leaves alone what its start-up built.

    A full collection walks every tracked object: modules, schemas, the catalogue, the
    pools. Under a stream of work those collections took about a sixth of intake's CPU
    during an import (BENCHMARKS.md, "The collector"). `gc.freeze` moves everything alive
    now out of the collector's reach (O(1)); the larger young-generation threshold makes
    collections of the objects a batch allocates rarer. Both are undone when the service
    stops, so nothing frozen stays out of reach after it; where several apps run in one
    process (tests), when the last of them stops.
    """

    def __init__(self) -> None:
        self._running = 0
        self._thresholds = gc.get_threshold()

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        if self._running == 0:
            self._thresholds = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(*_GC_THRESHOLDS)
        self._running += 1
        try:
            yield
        finally:
            self._running -= 1
            if self._running == 0:
                gc.set_threshold(*self._thresholds)
                gc.unfreeze()


_long_lived_heap = _LongLivedHeap()


async def _bounded(work: Coroutine[Any, Any, None], seconds: float, what: str) -> None:
    try:
        await asyncio.wait_for(work, timeout=max(seconds, 0.1))
    except TimeoutError:
        log.error("stopping the %s took too long; left behind", what)
    except Exception:
        log.exception("stopping the %s failed", what)


def _unavailable(service: str, code: str, detail: str, checks: dict[str, Any]) -> Response:
    body = problem_json(503, code, "Service Unavailable", detail, service=service, checks=checks)
    return Response(body, status_code=503, media_type=PROBLEM_MEDIA_TYPE)


def health_router(runtime: ServiceRuntime) -> APIRouter:
    """`/health` (the process is alive), `/ready` (dependencies answer), `/metrics`."""
    router = APIRouter(tags=["operations"])

    @router.get("/health", summary="Liveness: every background task is running")
    async def health() -> Response:
        dead = runtime.loops.dead()
        if dead:
            detail = "background tasks ended: " + ", ".join(dead)
            return _unavailable(runtime.name, "not_alive", detail, {"dead": dead})
        return JSONResponse({"status": "ok", "service": runtime.name})

    @router.get(
        "/ready", summary="Readiness: database and broker reachable, loops and queues moving"
    )
    async def ready() -> Response:
        checks = await runtime.readiness()
        failing = [name for name, value in checks.items() if value != "ok"]
        if failing:
            detail = "not ready: " + "; ".join(f"{n}: {checks[n]}" for n in failing)
            return _unavailable(runtime.name, "not_ready", detail, checks)
        return JSONResponse({"status": "ok", "checks": checks})

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return router
