"""Settings of the intake service (environment variables prefixed `INTAKE_`, nested with `__`)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from motcua.settings import ServiceSettings

__all__ = ["IntakeSettings"]


class IntakeSettings(ServiceSettings):
    """E.g. `INTAKE_DATABASE__URL`, `INTAKE_KAFKA__BOOTSTRAP_SERVERS`, `INTAKE_HTTP__PORT`."""

    model_config = SettingsConfigDict(
        env_prefix="INTAKE_", env_nested_delimiter="__", extra="ignore"
    )

    service_name: str = "intake"
