"""What every service runs on: database, broker, outbox relay, health and metrics.

`ServiceRuntime` is built from a service's settings inside its `create_app()`; nothing
is created at import time, so a test can build as many apps as it likes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
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
from motcua.messaging.consumer import BatchHandler, IdempotentConsumer, raw_bodies
from motcua.messaging.deadletters import HEADER_PREFIX, DeadLetterPublisher
from motcua.messaging.kafka import idempotent_producer
from motcua.messaging.outbox import OutboxRelay
from motcua.settings import ServiceSettings

__all__ = ["ServiceRuntime", "health_router"]

log = logging.getLogger(__name__)
BackgroundTask = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


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
            client_id=self.name,
            middlewares=[KafkaPrometheusMiddleware(registry=REGISTRY, app_name=self.name)],
            logger=None,
        )
        self.producer: AIOKafkaProducer | None = None
        self.dead_letters = DeadLetterPublisher(None, self.sessions, self.name)
        self.clock: Clock = make_clock(settings.clock)
        self.stop = asyncio.Event()
        self._tasks: list[BackgroundTask] = []
        self._running: list[asyncio.Task[None]] = []
        self._consumers: dict[str, IdempotentConsumer] = {}

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
        self, name: str, topics: Sequence[str], handler: BatchHandler
    ) -> IdempotentConsumer:
        """Consume topics (and the service's redrive topic) with an idempotent consumer."""
        consumer = IdempotentConsumer(
            name=name,
            service=self.name,
            sessions=self.sessions,
            handler=handler,
            dead_letters=self.dead_letters,
            settings=self.settings.consumer,
        )
        consumer.subscribe(self.broker, *topics, group_id=self.name)
        if not self._consumers:
            self._subscribe_redrive()
        self._consumers[name] = consumer
        return consumer

    def _subscribe_redrive(self) -> None:
        """Redriven letters go back to the consumer that gave up on them (its name is a header)."""
        subscriber = self.broker.subscriber(
            redrive_topic(self.name).name,
            group_id=self.name,
            batch=True,
            ack_policy=AckPolicy.MANUAL,
            auto_offset_reset="earliest",
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

    def background(self, task: BackgroundTask) -> None:
        """Run a task for the app's lifetime; it must return soon after `stop` is set."""
        self._tasks.append(task)

    @contextlib.asynccontextmanager
    async def lifespan(self, app: FastAPI | None = None) -> AsyncIterator[None]:
        """Start everything in order; stop it in reverse."""
        if self.migrations is not None:
            await migrate(self.engine, self.migrations)
        producer = idempotent_producer(self.settings.kafka, f"{self.name}-relay")
        await producer.start()
        self.producer = producer
        self.dead_letters.bind(producer)
        if self.settings.outbox.enabled:
            relay = OutboxRelay(self.engine, producer, self.settings.outbox, self.name)
            self._tasks.insert(0, relay.run)
        await self.broker.start()
        self.stop.clear()
        self._running = [asyncio.create_task(task(self.stop)) for task in self._tasks]
        try:
            yield
        finally:
            self.stop.set()
            await asyncio.gather(*self._running, return_exceptions=True)
            await self.broker.stop()
            await producer.stop()
            await self.engine.dispose()

    async def readiness(self) -> dict[str, Any]:
        """Whether the database and the broker answer."""
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
        return checks


def health_router(runtime: ServiceRuntime) -> APIRouter:
    """`/health` (the process is alive), `/ready` (dependencies answer), `/metrics`."""
    router = APIRouter(tags=["operations"])

    @router.get("/health", summary="Liveness")
    async def health() -> dict[str, str]:
        return {"status": "ok", "service": runtime.name}

    @router.get("/ready", summary="Readiness: database and broker reachable")
    async def ready() -> JSONResponse:
        checks = await runtime.readiness()
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ok" if ok else "unavailable", "checks": checks},
            status_code=200 if ok else 503,
        )

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return router
