"""Settings models shared by every service (pydantic-settings, nested with `__`)."""

from __future__ import annotations

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from motcua.clock import ClockSettings

__all__ = [
    "ConsumerSettings",
    "DatabaseSettings",
    "HttpSettings",
    "KafkaSettings",
    "LoopSettings",
    "OutboxSettings",
    "ServiceSettings",
]


class KafkaSettings(BaseModel):
    """How to reach Kafka."""

    bootstrap_servers: str = "127.0.0.1:9092"
    linger_ms: int = 5
    request_timeout_ms: int = 30_000


class DatabaseSettings(BaseModel):
    """How to reach the service's PostgreSQL database."""

    url: str = "postgresql+asyncpg://motcua@127.0.0.1:5432/motcua"
    pool_size: int = 10
    max_overflow: int = 10
    echo: bool = False


class HttpSettings(BaseModel):
    """Where the service listens."""

    host: str = "127.0.0.1"
    port: int = 8000
    max_body_bytes: int = 1_048_576


class OutboxSettings(BaseModel):
    """The outbox relay."""

    enabled: bool = True
    batch_size: int = Field(default=1000, ge=1)
    idle_poll_seconds: float = Field(default=5.0, gt=0)
    """When nothing is waiting, the next look unless staged events wake the relay first
    (NOTIFY); only a notification lost with the listening connection waits this long."""
    retention_seconds: int = Field(default=86_400, ge=0)
    measure_seconds: float = Field(default=15.0, gt=0)
    """How often the backlog and the age of the oldest pending event are measured."""
    stall_seconds: float = Field(default=60.0, gt=0)
    """`/ready` fails while the oldest pending event is older than this."""


class ConsumerSettings(BaseModel):
    """Consumption: batch size, retries and dead-lettering."""

    max_records: int = Field(default=500, ge=1)
    fetch_max_wait_ms: int = Field(default=1000, ge=0)
    """How long the broker holds a fetch while nothing is new (it answers as soon as a
    record arrives): a short wait only makes an idle consumer ask more often."""
    batch_timeout_ms: int = Field(default=1000, ge=1)
    """How long a poll waits for records (it returns as soon as one arrives): only how often
    an idle consumer wakes."""
    consumer_timeout_ms: int = Field(default=2000, ge=1)
    """The Kafka client's own safety wake-up while nothing happens (new records, commits,
    seeks and rebalances wake it at once; the client's default, 200 ms, costs an idle
    service more CPU than the rest of its waiting)."""
    session_timeout_ms: int = Field(default=6000, ge=1)
    """How long the group waits for a member that stopped heart-beating (a killed process)
    before its partitions go to the others; 6 s is the broker's smallest by default."""
    heartbeat_interval_ms: int = Field(default=1000, ge=1)
    """How often a member heart-beats; a member learns of a rebalance (a restarted
    instance joining) on its next heartbeat, so this bounds that part of a rejoin."""
    max_attempts: int = Field(default=3, ge=1)
    backoff_initial_seconds: float = Field(default=0.2, ge=0)
    backoff_max_seconds: float = Field(default=5.0, ge=0)


class LoopSettings(BaseModel):
    """Background loops: backoff after a failed pass, and when a loop counts as stalled."""

    backoff_initial_seconds: float = Field(default=0.1, gt=0)
    backoff_max_seconds: float = Field(default=5.0, gt=0)
    stall_seconds: float = Field(default=30.0, gt=0)
    """`/ready` fails when a loop is this late for its next completed pass."""


class ServiceSettings(BaseSettings):
    """Base of each service's settings; subclasses set `env_prefix` (e.g. `TRACKING_`)."""

    model_config = SettingsConfigDict(env_nested_delimiter="__", extra="ignore")

    service_name: str = "service"
    log_level: str = "INFO"
    kafka: KafkaSettings = KafkaSettings()
    database: DatabaseSettings = DatabaseSettings()
    http: HttpSettings = HttpSettings()
    outbox: OutboxSettings = OutboxSettings()
    consumer: ConsumerSettings = ConsumerSettings()
    clock: ClockSettings = ClockSettings()
    loops: LoopSettings = LoopSettings()
    shutdown_seconds: float = Field(default=10.0, gt=0)
    """On SIGTERM, how long requests and background work get to finish."""
