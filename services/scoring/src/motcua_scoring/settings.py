"""Settings of the scoring service (environment variables prefixed `SCORING_`, nested with `__`)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from motcua.settings import ServiceSettings

__all__ = ["ScoringSettings"]


class ScoringSettings(ServiceSettings):
    """E.g. `SCORING_DATABASE__URL`, `SCORING_KAFKA__BOOTSTRAP_SERVERS`, `SCORING_HTTP__PORT`."""

    model_config = SettingsConfigDict(
        env_prefix="SCORING_", env_nested_delimiter="__", extra="ignore"
    )

    service_name: str = "scoring"
