from datetime import UTC, datetime

import pytest

from motcua_notify.domain.contacts import Recipient
from motcua_notify.domain.messages import Channel, MessageType
from motcua_notify.domain.planning import MessageRequest, PlanStatus, plan
from motcua_notify.domain.quiet_hours import QuietHours
from motcua_notify.domain.rendering import TemplateRegistry, TemplateSpec

NOON = datetime(2025, 3, 3, 5, 0, tzinfo=UTC)  # 12:00 in Hà Nội
NIGHT = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)  # 22:00 in Hà Nội
ALL = frozenset({Channel.EMAIL, Channel.SMS, Channel.ZALO})


def request(samples, recipient, channels=ALL, quiet_sms=True):
    return MessageRequest(
        MessageType.RECEIPT,
        "H12-250303-0001",
        "evt-1",
        samples[MessageType.RECEIPT],
        recipient,
        channels,
        quiet_sms,
    )


def by_channel(planned):
    return {p.channel: p for p in planned}


def test_consented_channels_are_queued_with_their_content(registry, samples):
    citizen = Recipient(phone="0912 345 678", email="an@example.vn", consents=ALL)

    planned = by_channel(plan(registry, request(samples, citizen), NOON, QuietHours()))

    assert {p.status for p in planned.values()} == {PlanStatus.PENDING}
    assert planned[Channel.SMS].address == "+84912345678"
    assert "H12.22-250303-0001" in planned[Channel.SMS].content.text
    assert planned[Channel.EMAIL].not_before == NOON


def test_without_consent_nothing_is_queued_and_the_reason_is_kept(registry, samples):
    citizen = Recipient(phone="0912345678", email="an@example.vn", consents=frozenset())

    planned = plan(registry, request(samples, citizen), NOON, QuietHours())

    assert {(p.status, p.reason, p.content) for p in planned} == {
        (PlanStatus.SKIPPED, "no_consent", None)
    }


def test_bad_or_missing_contacts_fail_with_their_reason(registry, samples):
    citizen = Recipient(phone="0123", email=None, consents=ALL)

    planned = by_channel(plan(registry, request(samples, citizen), NOON, QuietHours()))

    assert (planned[Channel.SMS].status, planned[Channel.SMS].reason) == (
        PlanStatus.FAILED,
        "invalid_phone",
    )
    assert planned[Channel.EMAIL].reason == "missing_contact"


def test_a_disabled_channel_is_skipped(registry, samples):
    citizen = Recipient(phone="0912345678", email="an@example.vn", consents=ALL)

    planned = by_channel(
        plan(registry, request(samples, citizen), NOON, QuietHours(), disabled={Channel.ZALO})
    )

    assert (planned[Channel.ZALO].status, planned[Channel.ZALO].reason) == (
        PlanStatus.SKIPPED,
        "channel_disabled",
    )


def test_a_citizen_sms_at_night_waits_for_seven_in_the_morning(registry, samples):
    citizen = Recipient(phone="0912345678", email="an@example.vn", consents=ALL)

    planned = by_channel(plan(registry, request(samples, citizen), NIGHT, QuietHours()))

    assert planned[Channel.SMS].not_before == datetime(2025, 3, 4, 0, 0, tzinfo=UTC)
    assert planned[Channel.EMAIL].not_before == NIGHT
    official = by_channel(
        plan(registry, request(samples, citizen, quiet_sms=False), NIGHT, QuietHours())
    )
    assert official[Channel.SMS].not_before == NIGHT


def test_the_same_message_gets_the_same_keys_when_planned_again(registry, samples):
    citizen = Recipient(phone="0912345678", email="an@example.vn", consents=ALL)

    first = plan(registry, request(samples, citizen), NOON, QuietHours())
    again = plan(registry, request(samples, citizen), NIGHT, QuietHours())

    assert [p.idempotency_key for p in first] == [p.idempotency_key for p in again]
    assert len({p.idempotency_key for p in first}) == 3


def test_a_template_that_cannot_render_is_recorded_not_raised(samples):
    broken = TemplateSpec(
        MessageType.RECEIPT,
        Channel.EMAIL,
        1,
        frozenset({"dossier_code"}),
        {
            "subject": "{{ dossier_code }}",
            "html": "{{ (dossier_code | length) // 0 }}",
            "text": "x",
        },
    )
    registry = TemplateRegistry([broken], require_all=False)
    citizen = Recipient(email="an@example.vn", consents=frozenset({Channel.EMAIL}))

    [planned] = plan(
        registry, request(samples, citizen, frozenset({Channel.EMAIL})), NOON, QuietHours()
    )

    assert (planned.status, planned.reason) == (PlanStatus.FAILED, "template_error")


@pytest.mark.parametrize("channel", [Channel.SMS, Channel.ZALO])
def test_a_channel_without_template_fails(samples, channel):
    registry = TemplateRegistry([], require_all=False)
    citizen = Recipient(phone="0912345678", consents=frozenset({channel}))

    [planned] = plan(registry, request(samples, citizen, frozenset({channel})), NOON, QuietHours())

    assert planned.reason == "no_template"
