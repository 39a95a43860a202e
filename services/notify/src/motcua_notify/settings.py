"""Settings of the notify service (environment variables prefixed `NOTIFY_`, nested with `__`)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from motcua.settings import ServiceSettings

__all__ = ["NotifySettings"]


class NotifySettings(ServiceSettings):
    """E.g. `NOTIFY_DATABASE__URL`, `NOTIFY_KAFKA__BOOTSTRAP_SERVERS`, `NOTIFY_HTTP__PORT`."""

    model_config = SettingsConfigDict(
        env_prefix="NOTIFY_", env_nested_delimiter="__", extra="ignore"
    )

    service_name: str = "notify"
