"""Settings of the intake service (environment variables prefixed `INTAKE_`, nested with `__`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from motcua.events import (
    AGENCIES,
    APPLICANTS,
    CATALOGUE,
    DOSSIER_EVENTS,
    INTAKE_COMMANDS,
    redrive_topic,
)
from motcua.settings import ServiceSettings

__all__ = [
    "BootstrapKey",
    "CommandSettings",
    "ImportSettings",
    "IntakeSettings",
    "PrivacySettings",
    "WriterSettings",
]


class BootstrapKey(BaseModel):
    """An API key created at start-up (local stack, first deployment); stored hashed."""

    key: SecretStr = Field(min_length=16)
    agency: str | None = None
    scopes: list[Literal["admin"]] = Field(default_factory=list)
    label: str = "bootstrap"


class ImportSettings(BaseModel):
    """Bulk NDJSON imports."""

    max_body_bytes: int = Field(default=1 << 30, ge=1)
    max_line_bytes: int = Field(default=1 << 20, ge=1)
    chunk_lines: int = Field(default=1000, ge=1)
    max_listed_rejections: int = Field(default=1000, ge=0)
    progress_log_every: int = Field(default=50_000, ge=1)
    progress_every: int = Field(
        default=10_000, ge=1, description="A progress figure every N lines of a streamed report"
    )


class CommandSettings(BaseModel):
    """Commands integrators publish on Kafka instead of calling the HTTP API."""

    enabled: bool = True
    topics: list[str] = Field(
        default_factory=lambda: [INTAKE_COMMANDS.name, redrive_topic("intake").name]
    )
    group_id: str = "intake"


class TopicSettings(BaseModel):
    """Where intake publishes (`INTAKE_TOPICS__DOSSIER_EVENTS`, `__APPLICANTS`,
    `__CATALOGUE`, `__AGENCIES`)."""

    dossier_events: str = DOSSIER_EVENTS.name
    applicants: str = APPLICANTS.name
    catalogue: str = CATALOGUE.name
    agencies: str = AGENCIES.name


_DEV_ID_PEPPER = SecretStr("motcua-development-id-pepper")


class PrivacySettings(BaseModel):
    """How long applicants' personal data is kept, and the key of identity-number digests
    (`INTAKE_PRIVACY__RETENTION_DAYS`, `__ID_PEPPER`; docs/privacy.md)."""

    retention_days: float = Field(default=90.0, gt=0)
    """Days after a closed dossier's last event (its own time) until its applicant is erased."""
    id_pepper: SecretStr = _DEV_ID_PEPPER
    """Keys the digest of identity numbers; production refuses the development value."""
    sweep_seconds: float = Field(default=3600.0, gt=0)
    """How often the retention job looks for records past their retention."""
    sweep_batch: int = Field(default=1000, ge=1)


class WriterSettings(BaseModel):
    """Group commit: concurrent requests share one transaction per batch.

    One writer a process makes the largest batches (requests queue while it writes), which
    is what the database likes best; scale out with replicas.
    """

    max_batch: int = Field(default=256, ge=1)
    concurrency: int = Field(default=1, ge=1)
    max_retries: int = Field(default=5, ge=1)


class IntakeSettings(ServiceSettings):  # type: ignore[misc,unused-ignore]
    """E.g. `INTAKE_DATABASE__URL`, `INTAKE_KAFKA__BOOTSTRAP_SERVERS`, `INTAKE_HTTP__PORT`.

    `INTAKE_BOOTSTRAP_KEYS` is a JSON list such as
    `[{"key": "...", "agency": "STP", "scopes": []}, {"key": "...", "scopes": ["admin"]}]`.
    """

    model_config = SettingsConfigDict(
        env_prefix="INTAKE_", env_nested_delimiter="__", extra="ignore"
    )

    service_name: str = "intake"
    bootstrap_keys: list[BootstrapKey] = Field(default_factory=list)
    key_cache_seconds: float = Field(default=60.0, ge=0)
    clock_skew_seconds: float = Field(default=300.0, ge=0)
    imports: ImportSettings = ImportSettings()
    commands: CommandSettings = CommandSettings()
    writer: WriterSettings = WriterSettings()
    topics: TopicSettings = TopicSettings()
    privacy: PrivacySettings = PrivacySettings()

    @model_validator(mode="after")
    def _own_pepper_in_production(self) -> IntakeSettings:
        if self.clock.environment == "production" and self.privacy.id_pepper == _DEV_ID_PEPPER:
            raise ValueError("set INTAKE_PRIVACY__ID_PEPPER: the development pepper is public")
        return self
