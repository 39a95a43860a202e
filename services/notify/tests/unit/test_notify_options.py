"""The sender's, the digest's and the mail relay's defaults live in notify's settings
alone: the option classes the app builds from them have none of their own, so the two
cannot drift apart (they had: a pool of 8 against 4, backoff 2 s/900 s against 1 s/600 s)."""

from __future__ import annotations

from dataclasses import MISSING, fields

from motcua_notify.adapters.channels import SmtpSettings as SmtpConfig
from motcua_notify.domain.retry import RetryPolicy
from motcua_notify.service.digest import DigestOptions
from motcua_notify.service.dispatch import DispatchOptions
from motcua_notify.settings import NotifySettings


def test_the_option_classes_have_no_defaults_of_their_own() -> None:
    for options in (DispatchOptions, RetryPolicy, DigestOptions):
        for field in fields(options):
            assert field.default is MISSING and field.default_factory is MISSING, (
                f"{options.__name__}.{field.name}"
            )
    relay = {field.name: field for field in fields(SmtpConfig)}
    for name in ("sender_name", "message_id_domain", "pool_size", "timeout"):
        assert relay[name].default is MISSING, name


def test_the_settings_hold_the_defaults() -> None:
    settings = NotifySettings()
    assert settings.smtp.pool_size == 8
    assert (settings.dispatch.backoff_initial_seconds, settings.dispatch.backoff_max_seconds) == (
        2.0,
        900.0,
    )
