"""Withdrawn alerts: which message carried an alert, and how its correction words it.

Tracking withdraws an alert (due soon, overdue, apology required, escalation) when an
event that happened before it, but arrived after it, shows it was wrong (brief,
decision 9). Notify never sends a withdrawn alert, and whoever it already reached
gets a short correction on the same channel.
"""

from enum import StrEnum

from motcua_notify.domain.messages import MessageType

__all__ = [
    "ALERT_MESSAGES",
    "WITHDRAWN_REASON",
    "WithdrawalOutcome",
    "alert_name",
    "outcome_of",
    "reason_text",
]

ALERT_MESSAGES: dict[str, MessageType] = {
    "tracking.due-soon": MessageType.DUE_SOON,
    "tracking.overdue": MessageType.OVERDUE,
    "tracking.apology-required": MessageType.APOLOGY_REQUIRED,
    "tracking.escalated": MessageType.ESCALATION,
}
"""The message notify writes for each kind of alert tracking publishes."""

WITHDRAWN_REASON = "alert_withdrawn"
"""The delivery log's reason on a message never sent because its alert was withdrawn."""

_NAMES = {
    MessageType.DUE_SOON: "Cảnh báo sắp đến hạn",
    MessageType.OVERDUE: "Cảnh báo quá hạn",
    MessageType.APOLOGY_REQUIRED: "Đề nghị lập Phiếu xin lỗi",
    MessageType.ESCALATION: "Báo cáo hồ sơ chậm",
}

_REASONS = {
    ("ended_before_due", "step"): "bước này đã được hoàn thành và chuyển tiếp trước thời hạn",
    ("ended_before_due", "dossier"): "hồ sơ đã được giải quyết xong trước thời hạn",
    ("paused_before_due", "step"): (
        "hồ sơ đã được tạm dừng chờ bổ sung giấy tờ trước thời hạn, "
        "thời gian chờ không tính vào thời hạn xử lý"
    ),
    ("due_moved", "step"): "thời hạn xử lý đã được tính lại và chưa bị vượt quá",
}
_LATE_NEWS = "thông tin này đến hệ thống sau khi cảnh báo được gửi"


class WithdrawalOutcome(StrEnum):
    """What a withdrawal found in the delivery log."""

    CORRECTED = "corrected"
    """The alert reached someone: a correction goes to each recipient."""
    CANCELLED = "cancelled"
    """The alert had not gone out yet: it never will."""
    BEFORE_ALERT = "before_alert"
    """The alert had not arrived yet: it will be recorded as withdrawn and never sent."""


def outcome_of(told: int, cancelled: int) -> WithdrawalOutcome:
    """How a withdrawal ended, from the recipients told and the messages stopped."""
    if told:
        return WithdrawalOutcome.CORRECTED
    if cancelled:
        return WithdrawalOutcome.CANCELLED
    return WithdrawalOutcome.BEFORE_ALERT


def alert_name(message_type: MessageType) -> str:
    """The Vietnamese name of an alert, as a correction names it."""
    return _NAMES.get(message_type, "Cảnh báo")


def reason_text(reason: str, scope: str) -> str:
    """Why an alert was withdrawn, in Vietnamese, for the correction."""
    found = _REASONS.get((reason, scope)) or _REASONS.get((reason, "step"))
    return f"{found or 'cảnh báo không còn đúng'}; {_LATE_NEWS}"
