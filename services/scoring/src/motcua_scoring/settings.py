"""Settings of the scoring service (environment variables prefixed `SCORING_`, nested with `__`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from motcua.events import AGENCIES, CATALOGUE, DOSSIER_EVENTS, INDICATORS, TRACKING_EVENTS
from motcua.settings import ConsumerSettings, ServiceSettings

__all__ = [
    "ApiSettings",
    "DeadlineSettings",
    "FeedSettings",
    "GaugeSettings",
    "ScoringSettings",
    "StreamSettings",
    "TopicSettings",
]


class TopicSettings(BaseModel):
    """Topics read and written (a test or a replay points them elsewhere)."""

    dossier_events: str = DOSSIER_EVENTS.name
    tracking_events: str = TRACKING_EVENTS.name
    indicators: str = INDICATORS.name
    agencies: str = AGENCIES.name
    procedures: str = CATALOGUE.name


class FeedSettings(BaseModel):
    """The compacted indicator topic and the change log behind the live stream."""

    enabled: bool = True
    earliest_year: int = Field(
        default=2000, ge=1900, description="No dossier is dated before this year."
    )
    publish_interval_seconds: float = Field(
        default=5.0,
        gt=0,
        description="Longest pause after a pass that left no key owed; marking keys (NOTIFY) "
        "ends it at once.",
    )
    pass_budget_seconds: float = Field(
        default=0.1,
        gt=0,
        description="A pass publishes as many keys as the previous passes say fit in this time.",
    )
    max_keys_per_pass: int = Field(default=5000, ge=1, description="Most keys one pass publishes.")
    worker_process: bool = Field(
        default=True, description="Compute figures in a worker process, off the event loop."
    )
    day_turn_check_seconds: float = Field(
        default=1.0,
        gt=0,
        description="How often to look whether the local day turned (dossiers due the day "
        "before turn overdue without an event; their scopes' figures are re-published).",
    )


class StreamSettings(BaseModel):
    """Server-Sent Events: wake-ups by NOTIFY, with a poll in case one is missed."""

    channel: str = "scoring_indicators"
    poll_seconds: float = Field(default=5.0, gt=0)
    ping_seconds: float = Field(default=15.0, gt=0)
    buffer: int = Field(default=20_000, ge=100)
    retention_hours: float = Field(default=48.0, gt=0)
    prune_every_seconds: float = Field(default=300.0, gt=0)


class DeadlineSettings(BaseModel):
    """How open dossiers are judged: the same setting, with the same value, as tracking's
    `TRACKING_DEADLINES__VERDICT_GRANULARITY` (`motcua.verdicts`). Changing it changes
    stored overdue counters: rebuild the database by a replay afterwards."""

    verdict_granularity: Literal["working_day", "exact"] = "working_day"


class ApiSettings(BaseModel):
    """`SCORING_API__OFFICIAL_TOKEN`: the bearer token of the dossier-level lists
    (`/v1/open-dossiers`, `/v1/resolved-dossiers`), which name dossier codes; without one
    configured they answer 401 to everyone. The aggregates stay public."""

    official_token: SecretStr | None = None


class GaugeSettings(BaseModel):
    """Business gauges per agency (open, overdue, on-time rate)."""

    refresh_seconds: float = Field(default=15.0, gt=0)
    max_agencies: int = Field(default=500, ge=1)


class ScoringSettings(ServiceSettings):
    """E.g. `SCORING_DATABASE__URL`, `SCORING_KAFKA__BOOTSTRAP_SERVERS`, `SCORING_HTTP__PORT`,
    `SCORING_TOPICS__DOSSIER_EVENTS`."""

    model_config = SettingsConfigDict(
        env_prefix="SCORING_", env_nested_delimiter="__", extra="ignore"
    )

    service_name: str = "scoring"
    consumer_name: str = "scoring-events"
    # Larger batches than the common default: each batch is one transaction whose cost
    # is mostly per statement, so absorbing 2,000 events at once costs little more than 200.
    consumer: ConsumerSettings = ConsumerSettings(max_records=2000)
    topics: TopicSettings = TopicSettings()
    feed: FeedSettings = FeedSettings()
    stream: StreamSettings = StreamSettings()
    gauges: GaugeSettings = GaugeSettings()
    deadlines: DeadlineSettings = DeadlineSettings()
    api: ApiSettings = ApiSettings()
