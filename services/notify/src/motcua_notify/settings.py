"""Settings of the notify service (environment variables prefixed `NOTIFY_`, nested with `__`)."""

from __future__ import annotations

from datetime import time

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from motcua.events import AGENCIES, APPLICANTS, CATALOGUE, DOSSIER_EVENTS, TRACKING_EVENTS
from motcua.settings import ServiceSettings

__all__ = [
    "ApiSettings",
    "DigestSettings",
    "DirectorySettings",
    "DispatchSettings",
    "LinkSettings",
    "NotifySettings",
    "QuietHoursSettings",
    "RateLimit",
    "RetentionSettings",
    "SmsSettings",
    "SmtpSettings",
    "TopicSettings",
    "WebhookSettings",
    "ZaloSettings",
]


_DEV_RECIPIENT_KEY = SecretStr("motcua-notify-development-key")


class TopicSettings(BaseModel):
    """The topics consumed, and where notification events go (their own topic by default).

    `applicants` (`NOTIFY_TOPICS__APPLICANTS`) carries the applicants' contacts and
    consent, and their erasure; the dossier events name no one."""

    dossier_events: str = DOSSIER_EVENTS.name
    tracking_events: str = TRACKING_EVENTS.name
    applicants: str = APPLICANTS.name
    agencies: str = AGENCIES.name
    procedures: str = CATALOGUE.name
    notifications: str | None = None


class SmtpSettings(BaseModel):
    """`NOTIFY_SMTP__HOST`, `__PORT`, ...: the mail relay."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = 1025
    sender: str = "khong-tra-loi@motcua.phutho.gov.vn"
    sender_name: str = "Bộ phận Một cửa"
    message_id_domain: str = "motcua.phutho.gov.vn"
    pool_size: int = Field(default=8, ge=1)
    timeout: float = Field(default=10.0, gt=0)
    username: str | None = None
    password: SecretStr | None = None
    start_tls: bool | None = False
    use_tls: bool = False


class SmsSettings(BaseModel):
    """The brandname SMS gateway; `unaccented` strips diacritics for GSM-7-only gateways."""

    enabled: bool = True
    base_url: str = "http://127.0.0.1:8090"
    api_key: SecretStr = SecretStr("")
    api_key_header: str = "X-Api-Key"
    timeout: float = Field(default=10.0, gt=0)
    max_segments: int = Field(default=2, ge=1)
    unaccented: bool = False


class ZaloSettings(BaseModel):
    """Zalo ZNS: the OA access token and, per message type, the ZNS template ids Zalo approved."""

    enabled: bool = True
    base_url: str = "http://127.0.0.1:8090"
    access_token: SecretStr = SecretStr("")
    timeout: float = Field(default=10.0, gt=0)
    template_ids: dict[str, str] = {}


class WebhookSettings(BaseModel):
    """Webhooks to officials' systems, signed with `secret`."""

    enabled: bool = True
    secret: SecretStr = SecretStr("")
    timeout: float = Field(default=10.0, gt=0)


class RateLimit(BaseModel):
    """A token bucket: `per_second` sustained, bursts of up to `burst`; 0 means unlimited."""

    per_second: float = Field(default=0, ge=0)
    burst: int = Field(default=1, ge=1)


class DispatchSettings(BaseModel):
    """The sender: claim batches, lease them, retry temporary failures with backoff."""

    batch_size: int = Field(default=200, ge=1)
    workers: int = Field(default=2, ge=1)
    concurrency: int = Field(default=32, ge=1)
    lease_seconds: float = Field(default=120, gt=0)
    idle_poll_seconds: float = Field(
        default=5.0,
        gt=0,
        description="Longest sleep of an idle sender: rows queued (NOTIFY) and the next row "
        "coming due wake it first.",
    )
    max_attempts: int = Field(default=8, ge=1)
    backoff_initial_seconds: float = Field(default=2.0, ge=0)
    backoff_max_seconds: float = Field(default=900.0, ge=0)
    housekeeping_seconds: float = Field(default=5.0, gt=0)
    rate_limits: dict[str, RateLimit] = {
        "email": RateLimit(per_second=1000, burst=200),
        "sms": RateLimit(per_second=30, burst=30),
        "zalo": RateLimit(per_second=30, burst=30),
        "webhook": RateLimit(per_second=50, burst=50),
    }


class QuietHoursSettings(BaseModel):
    """No SMS to citizens between `start` and `end`, local time (equal times: no quiet hours)."""

    start: time = time(21, 0)
    end: time = time(7, 0)


class RetentionSettings(BaseModel):
    """Message bodies and addresses are purged after `body_days`; the status log stays."""

    body_days: float = Field(default=30, ge=0)
    dossier_days: float = Field(default=90, ge=0)
    sweep_seconds: float = Field(default=3600, gt=0)


class DigestSettings(BaseModel):
    """The officials' daily digest, sent once per unit per day at `at` local time."""

    enabled: bool = True
    at: time = time(7, 30)
    include_empty: bool = False
    max_entries: int = Field(default=200, ge=1)
    check_seconds: float = Field(default=30, gt=0)


class DirectorySettings(BaseModel):
    """The units directory: seeded from the shipped file; escalations fall back to a unit."""

    seed: bool = True
    fallback_one_stop: str | None = "TTPVHCC.TN"


class LinkSettings(BaseModel):
    """Links printed in messages; `{code}` and `{unit}` are filled in."""

    lookup_url: str = "https://dichvucong.phutho.gov.vn/tra-cuu"
    dossier_url: str = "https://motcua.phutho.gov.vn/ho-so/{code}"
    dashboard_url: str = "https://motcua.phutho.gov.vn/don-vi/{unit}"

    def dossier(self, code: str) -> str:
        """The officials' page of a dossier."""
        return self.dossier_url.format(code=code)

    def dashboard(self, unit: str) -> str:
        """The officials' page of a unit."""
        return self.dashboard_url.format(unit=unit)


class ApiSettings(BaseModel):
    """Bearer tokens of the HTTP API; an unset token refuses every request it guards.

    `read_token` lets officials read the delivery log, `admin_token` also edits the
    directory; `receipt_token` is the shared secret gateways send delivery receipts with.
    `recipient_key` keys the digest under which addresses are looked up.
    """

    read_token: SecretStr | None = None
    admin_token: SecretStr | None = None
    receipt_token: SecretStr | None = None
    recipient_key: SecretStr = _DEV_RECIPIENT_KEY
    page_size_max: int = Field(default=500, ge=1)


class NotifySettings(ServiceSettings):  # type: ignore[misc,unused-ignore]
    """E.g. `NOTIFY_DATABASE__URL`, `NOTIFY_SMTP__HOST`, `NOTIFY_API__ADMIN_TOKEN`."""

    model_config = SettingsConfigDict(
        env_prefix="NOTIFY_", env_nested_delimiter="__", extra="ignore"
    )

    service_name: str = "notify"
    topics: TopicSettings = TopicSettings()
    smtp: SmtpSettings = SmtpSettings()
    sms: SmsSettings = SmsSettings()
    zalo: ZaloSettings = ZaloSettings()
    webhook: WebhookSettings = WebhookSettings()
    dispatch: DispatchSettings = DispatchSettings()
    quiet_hours: QuietHoursSettings = QuietHoursSettings()
    retention: RetentionSettings = RetentionSettings()
    digest: DigestSettings = DigestSettings()
    directory: DirectorySettings = DirectorySettings()
    links: LinkSettings = LinkSettings()
    api: ApiSettings = ApiSettings()

    @model_validator(mode="after")
    def _own_recipient_key_in_production(self) -> NotifySettings:
        if self.clock.environment == "production" and self.api.recipient_key == _DEV_RECIPIENT_KEY:
            raise ValueError("set NOTIFY_API__RECIPIENT_KEY: the development key is public")
        return self
