from datetime import UTC, datetime, timedelta

import pytest

from motcua_notify.domain.lateness import overdue_working_days
from motcua_notify.domain.outbound import Accepted, Delivered, PermanentFailure, TemporaryFailure
from motcua_notify.domain.outcomes import Status, decide
from motcua_notify.domain.privacy import address_digest, normalise_address
from motcua_notify.domain.quiet_hours import QuietHours
from motcua_notify.domain.retry import RetryPolicy, retry_delay
from motcua_notify.domain.stored import content_from_json, content_to_json

NOON = datetime(2025, 3, 3, 5, 0, tzinfo=UTC)
POLICY = RetryPolicy(max_attempts=5, initial=2.0, maximum=60.0)


def test_gateway_answers_map_to_states():
    assert decide(Delivered(), 1, NOON, POLICY, 0.5).status is Status.DELIVERED
    accepted = decide(Accepted("sms-1"), 1, NOON, POLICY, 0.5)
    assert (accepted.status, accepted.provider_message_id) == (Status.ACCEPTED, "sms-1")
    failed = decide(PermanentFailure("rejected_400"), 1, NOON, POLICY, 0.5)
    assert (failed.status, failed.reason) == (Status.FAILED, "rejected_400")


@pytest.mark.parametrize(("attempt", "low", "high"), [(1, 1, 2), (2, 2, 4), (3, 4, 8), (9, 30, 60)])
def test_backoff_doubles_with_jitter_up_to_the_maximum(attempt, low, high):
    assert retry_delay(POLICY, attempt, 0.0) == low
    assert retry_delay(POLICY, attempt, 0.999) == pytest.approx(high, rel=0.01)


def test_a_temporary_failure_is_retried_after_retry_after_when_longer():
    decision = decide(TemporaryFailure("rate_limited", 30.0), 1, NOON, POLICY, 0.0)

    assert decision.status is Status.PENDING and decision.reason == "rate_limited"
    assert decision.not_before == NOON + timedelta(seconds=30)


def test_the_last_attempt_fails_for_good():
    decision = decide(TemporaryFailure("gateway_error_503"), 5, NOON, POLICY, 0.0)

    assert (decision.status, decision.reason) == (Status.FAILED, "gateway_error_503")


def test_a_citizen_sms_retry_that_would_fall_at_night_waits_for_morning():
    evening = datetime(2025, 3, 3, 13, 59, 59, tzinfo=UTC)  # 20:59:59 in Hà Nội

    decision = decide(TemporaryFailure("timeout"), 1, evening, POLICY, 0.5, QuietHours())

    assert decision.not_before == datetime(2025, 3, 4, 0, 0, tzinfo=UTC)


def test_overdue_working_days_skip_weekends():
    friday_due = datetime(2025, 3, 7, 9, 0, tzinfo=UTC)

    assert overdue_working_days(friday_due, friday_due - timedelta(hours=1)) == 0
    assert overdue_working_days(friday_due, friday_due + timedelta(days=3)) == 1  # Monday
    assert overdue_working_days(friday_due, friday_due + timedelta(days=7)) == 5


@pytest.mark.parametrize("written", ["0912 345 678", "+84912345678", "84-912-345-678"])
def test_any_usual_form_of_a_phone_finds_the_same_digest(written):
    key = b"k"
    assert address_digest(key, normalise_address(written)) == address_digest(key, "+84912345678")
    assert address_digest(b"other", "+84912345678") != address_digest(key, "+84912345678")


def test_stored_content_comes_back_the_same(registry, samples):
    from motcua_notify.domain.messages import Channel, MessageType

    for channel in (Channel.EMAIL, Channel.SMS, Channel.ZALO):
        content = registry.render(
            MessageType.RECEIPT, channel, samples[MessageType.RECEIPT]
        ).content
        assert content_from_json(channel, content_to_json(content)) == content
