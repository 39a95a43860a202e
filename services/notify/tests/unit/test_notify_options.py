"""The sender's, the digest's and the mail relay's defaults live in notify's settings
alone: the services take the settings' sub-models themselves, and what is built from them
(the retry policy, the relay's config) has no defaults of its own, so the two cannot drift
apart (they had: a pool of 8 against 4, backoff 2 s/900 s against 1 s/600 s)."""

from __future__ import annotations

from dataclasses import MISSING, fields
from typing import get_type_hints

from motcua_notify.adapters.channels import SmtpSettings as SmtpConfig
from motcua_notify.domain.retry import RetryPolicy
from motcua_notify.service.digest import DigestScheduler, unit_digest
from motcua_notify.service.dispatch import Dispatcher
from motcua_notify.service.events import EventApplier
from motcua_notify.service.housekeeping import Housekeeper
from motcua_notify.service.withdrawals import Withdrawals
from motcua_notify.settings import (
    DigestSettings,
    DispatchSettings,
    LinkSettings,
    NotifySettings,
    RetentionSettings,
)


def test_the_services_take_the_settings_sub_models_themselves() -> None:
    assert get_type_hints(Dispatcher.__init__)["options"] is DispatchSettings
    assert get_type_hints(DigestScheduler.__init__)["options"] is DigestSettings
    assert get_type_hints(unit_digest)["options"] is DigestSettings
    assert get_type_hints(Withdrawals.__init__)["digest"] is DigestSettings
    assert get_type_hints(Housekeeper.__init__)["retention"] is RetentionSettings
    assert get_type_hints(EventApplier.__init__)["links"] is LinkSettings


def test_what_is_built_from_the_settings_has_no_defaults_of_its_own() -> None:
    for field in fields(RetryPolicy):
        assert field.default is MISSING and field.default_factory is MISSING, field.name
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
