"""The periodic progress report an office files: one row per agency, unit, procedure or
field, the columns in the order provinces print them (received, by channel and carried
over; resolved early, on time and late, with and without an apology; in progress within
the deadline and overdue at the period's end), and the office's own total."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from motcua_scoring.domain.indicators import Indicators
from motcua_scoring.domain.periods import Period, PeriodKind
from motcua_scoring.domain.scopes import Scope, ScopeKind

__all__ = [
    "REPORT_COLUMNS",
    "ROW_KINDS",
    "ColumnGroup",
    "ProgressReport",
    "ReportColumn",
    "ReportRow",
    "ordered",
    "period_title",
    "report_values",
    "row_heading",
    "row_kinds_of",
]


@dataclass(frozen=True)
class ColumnGroup:
    vi: str
    en: str


RECEIVED = ColumnGroup("Số hồ sơ nhận giải quyết", "Dossiers to handle")
RESOLVED = ColumnGroup("Số hồ sơ đã giải quyết", "Dossiers resolved")
IN_PROGRESS = ColumnGroup("Số hồ sơ đang giải quyết", "Dossiers in progress")


@dataclass(frozen=True)
class ReportColumn:
    key: str
    vi: str
    en: str
    group: ColumnGroup


REPORT_COLUMNS = (
    ReportColumn("total", "Tổng số", "Total", RECEIVED),
    ReportColumn("received", "Mới tiếp nhận trong kỳ", "Received in the period", RECEIVED),
    ReportColumn("received_online", "Trực tuyến", "Online", RECEIVED),
    ReportColumn("received_counter", "Trực tiếp", "At the counter", RECEIVED),
    ReportColumn("received_postal", "Dịch vụ bưu chính", "By post", RECEIVED),
    ReportColumn("carried_over", "Từ kỳ trước chuyển sang", "Carried over", RECEIVED),
    ReportColumn("resolved", "Tổng số", "Total", RESOLVED),
    ReportColumn("resolved_early", "Trước hạn", "Early", RESOLVED),
    ReportColumn("resolved_on_time", "Đúng hạn", "On time", RESOLVED),
    ReportColumn("resolved_late", "Quá hạn", "Late", RESOLVED),
    ReportColumn(
        "resolved_late_with_apology", "Quá hạn có xin lỗi", "Late, with an apology", RESOLVED
    ),
    ReportColumn(
        "resolved_late_without_apology",
        "Quá hạn không xin lỗi",
        "Late, without an apology",
        RESOLVED,
    ),
    ReportColumn("in_progress", "Tổng số", "Total", IN_PROGRESS),
    ReportColumn("in_progress_within", "Trong hạn", "Within the deadline", IN_PROGRESS),
    ReportColumn("in_progress_overdue", "Quá hạn", "Overdue", IN_PROGRESS),
)

ROW_KINDS = (ScopeKind.AGENCY, ScopeKind.UNIT, ScopeKind.PROCEDURE, ScopeKind.FIELD)
_NESTED = {
    ScopeKind.PROVINCE: ROW_KINDS,
    ScopeKind.AGENCY: (ScopeKind.UNIT, ScopeKind.PROCEDURE, ScopeKind.FIELD),
    ScopeKind.UNIT: (ScopeKind.PROCEDURE, ScopeKind.FIELD),
    ScopeKind.PROCEDURE: (ScopeKind.AGENCY, ScopeKind.UNIT),
    ScopeKind.FIELD: (ScopeKind.AGENCY, ScopeKind.UNIT, ScopeKind.PROCEDURE),
}


def row_kinds_of(office: ScopeKind) -> tuple[ScopeKind, ...]:
    """The kinds of rows an office's report can have, its usual breakdown first."""
    return _NESTED.get(office, ())


def report_values(ind: Indicators) -> dict[str, int]:
    """The report's columns of one scope and period."""
    return {
        "total": ind.received + ind.carried_over,
        "received": ind.received,
        "received_online": ind.received_online,
        "received_counter": ind.received_counter,
        "received_postal": ind.received_postal,
        "carried_over": ind.carried_over,
        "resolved": ind.resolved,
        "resolved_early": ind.resolved_early,
        "resolved_on_time": ind.resolved_on_time,
        "resolved_late": ind.resolved_late,
        "resolved_late_with_apology": ind.resolved_late_with_apology,
        "resolved_late_without_apology": ind.resolved_late_without_apology,
        "in_progress": ind.in_progress,
        "in_progress_within": ind.in_progress_within,
        "in_progress_overdue": ind.in_progress_overdue,
    }


@dataclass(frozen=True)
class ReportRow:
    scope: Scope
    name: str | None
    values: dict[str, int]

    @property
    def label(self) -> str:
        """The name and code, or the code alone."""
        return f"{self.name} ({self.scope.value})" if self.name else self.scope.value


@dataclass(frozen=True)
class ProgressReport:
    """An office's report for one period: its rows and its own total."""

    office: Scope
    office_name: str | None
    by: ScopeKind
    period: Period
    as_of: date
    rows: tuple[ReportRow, ...]
    total: dict[str, int]

    @property
    def office_label(self) -> str:
        if self.office.kind is ScopeKind.PROVINCE:
            return "Toàn tỉnh"
        return f"{self.office_name} ({self.office.value})" if self.office_name else self.office.key


_UNIT_VI = {
    ScopeKind.AGENCY: ("Cơ quan", "Agency"),
    ScopeKind.UNIT: ("Bộ phận", "Unit"),
    ScopeKind.PROCEDURE: ("Thủ tục", "Procedure"),
    ScopeKind.FIELD: ("Lĩnh vực", "Field"),
}


def row_heading(kind: ScopeKind) -> tuple[str, str]:
    """The heading of the rows' name column, in Vietnamese and English."""
    return _UNIT_VI.get(kind, ("Đơn vị", "Scope"))


def period_title(period: Period) -> str:
    """The period as a report names it, e.g. `Tháng 11/2026 (01/11/2026 – 30/11/2026)`."""
    first, last = period.first, period.last
    span = f"{first:%d/%m/%Y} – {last:%d/%m/%Y}"
    match period.kind:
        case PeriodKind.DAY:
            return f"Ngày {first:%d/%m/%Y}"
        case PeriodKind.MONTH:
            return f"Tháng {first.month:02d}/{first.year} ({span})"
        case PeriodKind.QUARTER:
            return f"Quý {(first.month - 1) // 3 + 1}/{first.year} ({span})"
        case PeriodKind.YEAR:
            return f"Năm {first.year} ({span})"
        case _:
            return f"Từ ngày {first:%d/%m/%Y} đến ngày {last:%d/%m/%Y}"


def ordered(rows: Sequence[ReportRow]) -> tuple[ReportRow, ...]:
    """Rows by code, as the province's list of offices is printed."""
    return tuple(sorted(rows, key=lambda row: row.scope.value))
