"""The fixed Vietnamese wording a message's context carries besides the dossier's data.

The templates hold the rest of each message; these are the phrases the reactions fill
in where an event leaves a gap (an unknown name, the step of an alert on the whole
dossier) or names something by code (the delivery choice, the escalation's reason).
"""

__all__ = [
    "APOLOGY_TEXT",
    "ONE_STOP_OFFICE",
    "UNKNOWN",
    "WHOLE_DOSSIER",
    "collection_place",
    "escalation_reason",
    "head_of",
]

UNKNOWN = "—"
"""Shown where a name, place or contact is not known."""

WHOLE_DOSSIER = "Giải quyết hồ sơ"
"""The step named by an alert on the whole dossier rather than on one of its steps."""

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
