"""Settings of the tracking service (env variables prefixed `TRACKING_`, nested with `__`)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from motcua.settings import ServiceSettings

__all__ = ["TrackingSettings"]


class TrackingSettings(ServiceSettings):
    """E.g. `TRACKING_DATABASE__URL`, `TRACKING_KAFKA__BOOTSTRAP_SERVERS`, `TRACKING_HTTP__PORT`."""

    model_config = SettingsConfigDict(
        env_prefix="TRACKING_", env_nested_delimiter="__", extra="ignore"
    )

    service_name: str = "tracking"
