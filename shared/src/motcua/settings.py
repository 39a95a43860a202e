"""Settings models shared by every service (pydantic-settings, nested with `__`)."""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
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
    """How to reach Kafka, and as whom.

    Every Kafka client of the project is built from these, through `client_options`.
    With `security_protocol` SASL_PLAINTEXT or SASL_SSL the client signs in with SCRAM as
    `sasl_username`; the broker's ACLs then decide what that principal may write and read.
    """

    bootstrap_servers: str = "127.0.0.1:9092"
    linger_ms: int = 5
    request_timeout_ms: int = 30_000
    security_protocol: Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256"] = "SCRAM-SHA-512"
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments every aiokafka client (producer, consumer, admin) takes."""
        options: dict[str, Any] = {"bootstrap_servers": self.bootstrap_servers}
        if self.security_protocol != "PLAINTEXT":
            options |= {
                "security_protocol": self.security_protocol,
                "sasl_mechanism": self.sasl_mechanism,
                "sasl_plain_username": self.sasl_username,
                "sasl_plain_password": (
                    self.sasl_password.get_secret_value() if self.sasl_password else None
                ),
            }
        if self.security_protocol == "SASL_SSL":
            options["ssl_context"] = ssl.create_default_context()
        return options

    def environment(self, prefix: str = "KAFKA_") -> dict[str, str]:
        """These settings as environment variables: `KAFKA_...` for tools, or a service's
        nested form with `prefix="TRACKING_KAFKA__"`."""
        values = {
            "BOOTSTRAP_SERVERS": self.bootstrap_servers,
            "SECURITY_PROTOCOL": self.security_protocol,
            "SASL_MECHANISM": self.sasl_mechanism,
            "SASL_USERNAME": self.sasl_username,
            "SASL_PASSWORD": self.sasl_password.get_secret_value() if self.sasl_password else None,
        }
        return {f"{prefix}{name}": value for name, value in values.items() if value}

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> KafkaSettings:
        """The broker and principal tools and tests use: `KAFKA_BOOTSTRAP_SERVERS`,
        `KAFKA_SECURITY_PROTOCOL`, `KAFKA_SASL_MECHANISM`, `KAFKA_SASL_USERNAME` and
        `KAFKA_SASL_PASSWORD` (the local stack writes its operator's to `stack.env`)."""
        env = os.environ if environ is None else environ
        fields = {
            "bootstrap_servers": "KAFKA_BOOTSTRAP_SERVERS",
            "security_protocol": "KAFKA_SECURITY_PROTOCOL",
            "sasl_mechanism": "KAFKA_SASL_MECHANISM",
            "sasl_username": "KAFKA_SASL_USERNAME",
            "sasl_password": "KAFKA_SASL_PASSWORD",
        }
        return cls.model_validate(
            {field: env[name] for field, name in fields.items() if env.get(name)}
        )


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

    @model_validator(mode="after")
    def _signed_in_to_kafka_in_production(self) -> ServiceSettings:
        if self.clock.environment == "production" and (
            self.kafka.security_protocol == "PLAINTEXT" or not self.kafka.sasl_password
        ):
            raise ValueError(
                "in production a service signs in to Kafka: set KAFKA__SECURITY_PROTOCOL "
                "(SASL_SSL or SASL_PLAINTEXT), KAFKA__SASL_USERNAME and KAFKA__SASL_PASSWORD"
            )
        return self
