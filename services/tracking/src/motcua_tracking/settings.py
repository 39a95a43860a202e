"""Settings of the tracking service (env variables prefixed `TRACKING_`, nested with `__`)."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from motcua.calendar_years import COVERED_YEARS
from motcua.events import AGENCIES, APPLICANTS, CATALOGUE, DOSSIER_EVENTS
from motcua.settings import ServiceSettings
from motcua_tracking.domain.lookup_limits import LookupLimits

__all__ = [
    "ApiSettings",
    "CalendarSettings",
    "DeadlineSettings",
    "OfficeHoursSettings",
    "TimerSettings",
    "TopicSettings",
    "TrackingSettings",
]

_DEV_PEPPER = SecretStr("motcua-development-pepper")


class OfficeHoursSettings(BaseModel):
    """An agency's office periods and late-day cut-off (None: no cut-off).

    The cut-off only counts for terms that name none: a dossier's procedure carries its
    own `late_cutoff`, and a null there means that procedure has no cut-off.
    """

    periods: list[tuple[time, time]] = [(time(7, 30), time(11, 30)), (time(13, 0), time(17, 0))]
    cutoff: time | None = time(15, 0)


class CalendarSettings(BaseModel):
    """Office hours by agency code (`TRACKING_CALENDAR__AGENCIES='{"STP": {...}}'`)."""

    default_hours: OfficeHoursSettings = OfficeHoursSettings()
    agencies: dict[str, OfficeHoursSettings] = {}
    first_year: int = COVERED_YEARS.first
    last_year: int = COVERED_YEARS.last


class DeadlineSettings(BaseModel):
    """Deployment rules for clocks, verdicts and warnings."""

    supplement_policy: Literal["pause", "restart"] = "pause"
    verdict_granularity: Literal["working_day", "exact"] = "working_day"
    due_soon_shares: list[Decimal] = Field(
        default=[], description="Extra due-soon warnings at these shares (0–1) of the time"
    )

    @field_validator("due_soon_shares")
    @classmethod
    def _shares_between_zero_and_one(cls, shares: list[Decimal]) -> list[Decimal]:
        if any(not Decimal(0) < share < Decimal(1) for share in shares):
            raise ValueError("each share must be strictly between 0 and 1")
        return sorted(set(shares))


class TimerSettings(BaseModel):
    """The durable timer loop."""

    enabled: bool = True
    batch_size: int = Field(default=64, ge=1)
    poll_seconds: float = Field(
        default=5.0,
        gt=0,
        le=60,
        description=(
            "Longest sleep between passes; the loop wakes at the next fire time and when "
            "a timer is stored (NOTIFY), so this only bounds a lost notification"
        ),
    )
    gauge_seconds: float = Field(default=15.0, gt=0)
    catch_up_timeout_seconds: float = Field(
        default=300.0,
        ge=0,
        description=(
            "Longest wait for the consumer to catch up, at start and whenever it falls "
            "behind; after it timers fire even so, until it has caught up"
        ),
    )
    behind_records: int = Field(
        default=1000,
        ge=0,
        description=(
            "The dossier consumer counts as behind (a backlog, a history import) with more "
            "records than this still to apply: timers wait meanwhile, so that the events "
            "that happened before a timer's instant are applied first"
        ),
    )
    alert_grace_seconds: float = Field(
        default=60.0,
        ge=0,
        description=(
            "Real seconds an alert waits past its due instant before it fires, so an event "
            "that happened before that instant but is still on its way can prevent it"
        ),
    )

    def alert_grace(self, clock_speed: float = 1.0) -> timedelta:
        """The grace in the clock's time (a simulated clock runs `clock_speed` times faster)."""
        return timedelta(seconds=self.alert_grace_seconds * clock_speed)


class TopicSettings(BaseModel):
    """Topics read and written (tests and replays point them elsewhere)."""

    dossier_events: str = DOSSIER_EVENTS.name
    applicants: str = APPLICANTS.name
    procedures: str = CATALOGUE.name
    agencies: str = AGENCIES.name
    publish_to: str | None = Field(
        default=None, description="Publish every event here instead of its contract topic"
    )


class LookupLimitSettings(BaseModel):
    """`TRACKING_API__LOOKUPS__*`: how citizens' look-ups are slowed after wrong answers
    (`domain.lookup_limits`): free failures per client and per code, then a wait that
    doubles from `first_delay_seconds` up to `longest_delay_seconds`; a record is forgotten
    `forget_after_seconds` after its last failure."""

    free_failures_per_client: int = Field(default=3, ge=1)
    free_failures_per_code: int = Field(default=10, ge=1)
    first_delay_seconds: float = Field(default=2.0, gt=0)
    longest_delay_seconds: float = Field(default=900.0, gt=0)
    forget_after_seconds: float = Field(default=86_400.0, gt=0)

    def limits(self, free_failures: int) -> LookupLimits:
        """The domain's limits with `free_failures`."""
        return LookupLimits(
            free_failures,
            timedelta(seconds=self.first_delay_seconds),
            timedelta(seconds=self.longest_delay_seconds),
            timedelta(seconds=self.forget_after_seconds),
        )


class ApiSettings(BaseModel):
    """Bearer tokens of the HTTP API and the secret mixed into citizens' phone digests."""

    official_token: SecretStr | None = None
    admin_token: SecretStr | None = None
    lookup_pepper: SecretStr = _DEV_PEPPER
    lookups: LookupLimitSettings = LookupLimitSettings()


class TrackingSettings(ServiceSettings):
    """E.g. `TRACKING_DATABASE__URL`, `TRACKING_DEADLINES__SUPPLEMENT_POLICY=restart`."""

    model_config = SettingsConfigDict(
        env_prefix="TRACKING_", env_nested_delimiter="__", extra="ignore"
    )

    service_name: str = "tracking"
    calendar: CalendarSettings = CalendarSettings()
    deadlines: DeadlineSettings = DeadlineSettings()
    timers: TimerSettings = TimerSettings()
    topics: TopicSettings = TopicSettings()
    api: ApiSettings = ApiSettings()

    @model_validator(mode="after")
    def _own_pepper_in_production(self) -> TrackingSettings:
        if self.clock.environment == "production" and self.api.lookup_pepper == _DEV_PEPPER:
            raise ValueError("set TRACKING_API__LOOKUP_PEPPER: the development pepper is public")
        return self
