from datetime import UTC, datetime, timedelta

from motcua_notify.domain.contacts import Recipient
from motcua_notify.domain.dossiers import DossierView
from motcua_notify.domain.messages import Channel, MessageType
from motcua_notify.domain.planning import MessageRequest, PlanStatus, plan, withdrawn
from motcua_notify.domain.quiet_hours import QuietHours
from motcua_notify.domain.withdrawals import ALERT_MESSAGES, WithdrawalOutcome, outcome_of
from motcua_notify.domain.wording import alert_name, withdrawal_reason

NOON = datetime(2025, 3, 3, 5, 0, tzinfo=UTC)
DUE = NOON - timedelta(hours=2)


def test_every_alert_tracking_publishes_has_its_message_and_a_name():
    assert set(ALERT_MESSAGES) == {
        "tracking.due-soon",
        "tracking.overdue",
        "tracking.apology-required",
        "tracking.escalated",
    }
    assert alert_name(MessageType.OVERDUE) == "Cảnh báo quá hạn"
    assert {alert_name(t) for t in ALERT_MESSAGES.values()} != {"Cảnh báo"}


def test_the_reason_says_what_happened_and_that_the_news_came_late():
    step = withdrawal_reason("ended_before_due", "step")
    assert step.startswith("bước này đã được hoàn thành và chuyển tiếp trước thời hạn")
    assert "đến hệ thống sau khi cảnh báo được gửi" in step
    assert withdrawal_reason("ended_before_due", "dossier").startswith(
        "hồ sơ đã được giải quyết xong"
    )
    assert withdrawal_reason("due_moved", "dossier").startswith("thời hạn xử lý đã được tính lại")


def test_the_outcome_is_corrected_when_anyone_was_told():
    assert outcome_of(told=1, cancelled=2) is WithdrawalOutcome.CORRECTED
    assert outcome_of(told=0, cancelled=2) is WithdrawalOutcome.CANCELLED
    assert outcome_of(told=0, cancelled=0) is WithdrawalOutcome.BEFORE_ALERT


def test_a_withdrawn_alert_is_planned_as_withdrawn_but_failures_stay_failures(registry, samples):
    both = frozenset({Channel.EMAIL, Channel.WEBHOOK})
    unit = Recipient(email="hctp@stp.example.vn", consents=both)
    request = MessageRequest(
        MessageType.OVERDUE,
        "H12-250303-0001",
        "evt-1",
        samples[MessageType.OVERDUE],
        unit,
        both,
    )
    planned = {
        p.channel: withdrawn(p, "alert_withdrawn")
        for p in plan(registry, request, NOON, QuietHours())
    }
    assert planned[Channel.EMAIL].status is PlanStatus.WITHDRAWN
    assert planned[Channel.EMAIL].reason == "alert_withdrawn"
    assert planned[Channel.WEBHOOK].status is PlanStatus.FAILED  # no webhook address


def test_a_due_time_a_withdrawn_overdue_alert_was_about_is_not_taken_as_passed():
    view = DossierView("H12-250303-0001", due_at=DUE)
    assert view.is_overdue(NOON)
    assert not DossierView("H12-250303-0001", due_at=DUE, cleared_due_at=DUE).is_overdue(NOON)
    assert DossierView("H12-250303-0001", due_at=DUE, cleared_due_at=DUE, overdue=True).is_overdue(
        NOON
    )
    assert not DossierView("H12-250303-0001", due_at=NOON + timedelta(days=1)).is_overdue(NOON)
