"""Settings of the portal service (environment variables prefixed `PORTAL_`, nested with `__`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from motcua.events import APPLICANTS, CATALOGUE, DOSSIER_EVENTS, TRACKING_EVENTS
from motcua.settings import ServiceSettings

__all__ = [
    "ApiSettings",
    "DvcqgSettings",
    "PortalSettings",
    "SyncSettings",
    "TopicSettings",
]

Operation = Literal["login", "create", "update", "progress", "lookup", "catalogue"]
LGSP_REQUIRED: tuple[Operation, ...] = ("create", "progress", "lookup")


class TopicSettings(BaseModel):
    """Topics read (a test or a replay points them elsewhere)."""

    dossier_events: str = DOSSIER_EVENTS.name
    tracking_events: str = TRACKING_EVENTS.name
    procedures: str = CATALOGUE.name
    applicants: str = APPLICANTS.name


class DvcqgSettings(BaseModel):
    """How to reach the national portal: directly (one adapter endpoint and a session) or
    through the province's integration platform (LGSP, one URL per operation)."""

    topology: Literal["direct", "lgsp"] = "direct"
    adapter_url: str = "http://127.0.0.1:8090"
    auth_endpoint: str = "/auth"
    integration_endpoint: str = "/integration"
    username: str = "motcua"
    password: SecretStr = SecretStr("")
    dstcode: str = Field(
        default="", description="The province's code sent as the `dstcode` header."
    )
    lgsp_urls: dict[Operation, str] = Field(
        default_factory=dict, description="LGSP: the URL of each operation."
    )
    lgsp_token: SecretStr | None = Field(
        default=None, description="LGSP: a bearer token sent with every call."
    )
    session_ttl_seconds: float = Field(
        default=600, gt=0, description="A session is renewed after this long, or when rejected."
    )
    connect_timeout_seconds: float = Field(default=3.0, gt=0)
    read_timeout_seconds: float = Field(
        default=10.0, gt=0, description="The whole of a call, from connecting to its answer."
    )
    calls_per_second: float = Field(default=20.0, gt=0, description="Rate limit per portal.")
    success_codes: list[int] = Field(
        default=[0],
        description="error_code values meaning success; some systems also accept 3 and -3.",
    )
    exists_phrases: list[str] = ["đã tồn tại", "already exists"]
    session_phrases: list[str] = ["session", "phiên làm việc", "token hết hạn", "hết phiên"]

    @model_validator(mode="after")
    def _lgsp_urls_given(self) -> DvcqgSettings:
        """Through an LGSP every operation the sync uses needs its URL (an update may share
        the create URL; the catalogue is optional)."""
        if self.topology == "lgsp":
            missing = [op for op in LGSP_REQUIRED if op not in self.lgsp_urls]
            if missing:
                raise ValueError(f"LGSP URLs missing for: {', '.join(missing)}")
        return self


class SyncSettings(BaseModel):
    """The durable per-dossier sync queue."""

    enabled: bool = True
    batch_size: int = Field(default=50, ge=1, description="Dossiers per portal call.")
    claim_size: int = Field(default=200, ge=1, description="Dossiers a pass takes from the queue.")
    passes: int = Field(
        default=4,
        ge=1,
        description=(
            "Sync passes running at once in one instance; each takes its own dossiers "
            "(leases), so while one waits for the portal another prepares or records."
        ),
    )
    concurrency: int = Field(
        default=4,
        ge=1,
        description="Calls a pass has in flight at once (a dossier is in one call at a time).",
    )
    idle_poll_seconds: float = Field(
        default=5.0,
        gt=0,
        description="Longest sleep of an idle pass: events queued and the next dossier "
        "coming due wake it first.",
    )
    lease_seconds: float = Field(
        default=120,
        gt=0,
        description="A dossier taken by a pass is not taken by another for so long.",
    )
    max_attempts: int = Field(default=8, ge=1, description="Failures before the dead-letter queue.")
    backoff_initial_seconds: float = Field(default=2.0, ge=0)
    backoff_max_seconds: float = Field(default=600.0, ge=0)
    lookup_before_create: bool = Field(
        default=True,
        description=(
            "Ask TraCuuHoSo before creating a dossier the portal may have: one an earlier "
            "attempt may have reached (a timeout, an outage) or one being repaired."
        ),
    )
    unmapped_procedure: Literal["hold", "local_code"] = Field(
        default="hold",
        description=(
            "A dossier whose procedure has no national code: held until an administrator maps "
            "it, or sent with the local code."
        ),
    )
    default_unit_code: str | None = Field(
        default=None, description="madonvi for agencies without a mapping (None: the agency code)."
    )
    gauge_seconds: float = Field(default=10.0, gt=0)


class ApiSettings(BaseModel):
    """Bearer tokens: officials read the sync state, administrators repair and map."""

    official_token: SecretStr | None = None
    admin_token: SecretStr | None = None


class PortalSettings(ServiceSettings):
    """E.g. `PORTAL_DATABASE__URL`, `PORTAL_DVCQG__ADAPTER_URL`, `PORTAL_SYNC__BATCH_SIZE`."""

    model_config = SettingsConfigDict(
        env_prefix="PORTAL_", env_nested_delimiter="__", extra="ignore"
    )

    service_name: str = "portal"
    topics: TopicSettings = TopicSettings()
    dvcqg: DvcqgSettings = DvcqgSettings()
    sync: SyncSettings = SyncSettings()
    api: ApiSettings = ApiSettings()
