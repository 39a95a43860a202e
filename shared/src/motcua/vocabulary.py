"""The words every service shares: DVCQG statuses, reception channels and verdicts.

Standard library only, so a service's pure domain may use them; the event contract
(`motcua.events`) carries the same enums.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from types import MappingProxyType

__all__ = ["ApologyStanding", "Channel", "DossierStatus", "Verdict"]


class Channel(StrEnum):
    """How the dossier was handed in."""

    COUNTER = "counter"
    ONLINE_FULL = "online_full"
    ONLINE_PARTIAL = "online_partial"
    POSTAL = "postal"


class Verdict(StrEnum):
    """Trước hạn / đúng hạn / quá hạn."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


class ApologyStanding(StrEnum):
    """Where a dossier stands on the apology (form 04) that lateness owes the citizen.

    Judged against the statutory appointment (supplement pauses applied): an apology
    filed before it is in time, after it late; a dossier that ended late with none is
    missing one, a breach the head of office must see (brief, decision 5).
    """

    NOT_NEEDED = "not_needed"
    IN_TIME = "in_time"
    LATE = "late"
    MISSING = "missing"


class DossierStatus(IntEnum):
    """The ten status codes synchronised to the national portal (DVCQG)."""

    NEWLY_REGISTERED = 1
    RECEIVED = 2
    NOT_RECEIVED = 3
    PROCESSING = 4
    SUPPLEMENT_REQUESTED = 5
    FINANCIAL_OBLIGATION = 6
    WITHDRAWAL_REQUESTED = 7
    STOPPED = 8
    PROCESSING_FINISHED = 9
    RESULT_RETURNED = 10

    @property
    def label_vi(self) -> str:
        """The Vietnamese name shown to citizens."""
        return _LABELS_VI[self]

    @property
    def label_en(self) -> str:
        """The English name."""
        return self.name.lower().replace("_", " ")


_LABELS_VI = MappingProxyType(
    {
        DossierStatus.NEWLY_REGISTERED: "Mới đăng ký",
        DossierStatus.RECEIVED: "Được tiếp nhận",
        DossierStatus.NOT_RECEIVED: "Không được tiếp nhận",
        DossierStatus.PROCESSING: "Đang xử lý",
        DossierStatus.SUPPLEMENT_REQUESTED: "Yêu cầu bổ sung giấy tờ",
        DossierStatus.FINANCIAL_OBLIGATION: "Yêu cầu thực hiện nghĩa vụ tài chính",
        DossierStatus.WITHDRAWAL_REQUESTED: "Công dân yêu cầu rút hồ sơ",
        DossierStatus.STOPPED: "Dừng xử lý",
        DossierStatus.PROCESSING_FINISHED: "Đã xử lý xong",
        DossierStatus.RESULT_RETURNED: "Đã trả kết quả",
    }
)
