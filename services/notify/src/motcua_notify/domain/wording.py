"""The fixed Vietnamese wording a message's context carries besides the dossier's data.

The templates hold the rest of each message; these are the phrases the service fills
in where an event leaves a gap (an unknown name or unit, the step of an alert on the
whole dossier) or names something by code (the delivery choice, the escalation's reason,
a withdrawn alert and why tracking withdrew it).
"""

from motcua_notify.domain.messages import MessageType

__all__ = [
    "APOLOGY_TEXT",
    "HANDLING_UNIT",
    "ONE_STOP_OFFICE",
    "UNKNOWN",
    "WHOLE_DOSSIER",
    "alert_name",
    "collection_place",
    "escalation_reason",
    "head_of",
    "withdrawal_reason",
]

UNKNOWN = "—"
"""Shown where a name, place or contact is not known."""

WHOLE_DOSSIER = "Giải quyết hồ sơ"
"""The step named by an alert on the whole dossier rather than on one of its steps."""

HANDLING_UNIT = "Đơn vị giải quyết"
"""The unit named where neither the event nor the dossier names one."""

ONE_STOP_OFFICE = "Bộ phận Một cửa"
"""The office named by an escalation when the directory has no one-stop unit."""

APOLOGY_TEXT = (
    "Chúng tôi thành thật xin lỗi Ông/Bà vì sự chậm trễ này và cam kết trả kết quả "
    "đúng thời gian hẹn mới."
)
"""The apology itself, in form 04."""

_ESCALATION_REASONS = {
    "no_apology_by_appointment": (
        "Đến thời hạn hẹn trả kết quả, đơn vị chưa lập Phiếu xin lỗi và hẹn lại ngày trả kết quả."
    ),
    "overdue_after_reappointment": "Hồ sơ tiếp tục quá hạn sau khi đã hẹn lại ngày trả kết quả.",
}
_DELIVERY_PLACES = {
    "postal": "Gửi qua dịch vụ bưu chính công ích đến địa chỉ của Ông/Bà",
    "online": "Nhận kết quả điện tử trên Cổng dịch vụ công",
}
_ALERT_NAMES = {
    MessageType.DUE_SOON: "Cảnh báo sắp đến hạn",
    MessageType.OVERDUE: "Cảnh báo quá hạn",
    MessageType.APOLOGY_REQUIRED: "Đề nghị lập Phiếu xin lỗi",
    MessageType.ESCALATION: "Báo cáo hồ sơ chậm",
}
_WITHDRAWAL_REASONS = {
    ("ended_before_due", "step"): "bước này đã được hoàn thành và chuyển tiếp trước thời hạn",
    ("ended_before_due", "dossier"): "hồ sơ đã được giải quyết xong trước thời hạn",
    ("paused_before_due", "step"): (
        "hồ sơ đã được tạm dừng chờ bổ sung giấy tờ trước thời hạn, "
        "thời gian chờ không tính vào thời hạn xử lý"
    ),
    ("due_moved", "step"): "thời hạn xử lý đã được tính lại và chưa bị vượt quá",
}
_LATE_NEWS = "thông tin này đến hệ thống sau khi cảnh báo được gửi"


def collection_place(result_delivery: str, receiving_unit: str) -> str:
    """Where the citizen gets the result: by post, online, or at the receiving unit's desk."""
    return _DELIVERY_PLACES.get(result_delivery) or (
        f"Bộ phận tiếp nhận và trả kết quả – {receiving_unit}"
    )


def escalation_reason(reason: str) -> str:
    """Why a dossier was escalated, in Vietnamese; an unknown reason code as it came."""
    return _ESCALATION_REASONS.get(reason, reason)


def head_of(unit_name: str) -> str:
    """Who signs for a unit whose head the directory does not name."""
    return f"Thủ trưởng {unit_name}"


def alert_name(message_type: MessageType) -> str:
    """The Vietnamese name of an alert, as its correction names it."""
    return _ALERT_NAMES.get(message_type, "Cảnh báo")


def withdrawal_reason(reason: str, scope: str) -> str:
    """Why tracking withdrew an alert, in Vietnamese, for the correction."""
    found = _WITHDRAWAL_REASONS.get((reason, scope)) or _WITHDRAWAL_REASONS.get((reason, "step"))
    return f"{found or 'cảnh báo không còn đúng'}; {_LATE_NEWS}"
