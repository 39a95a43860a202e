"""`GET /v1/reports/progress`: the periodic report an office files, as JSON, XLSX or CSV."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from motcua.http import IsoDate, ProblemError, Violation
from motcua_scoring import domain as d
from motcua_scoring.adapters.report_sheets import report_csv, report_xlsx
from motcua_scoring.domain.reports import row_kinds_of
from motcua_scoring.entrypoints.deps import ReaderDep
from motcua_scoring.entrypoints.params import parse_periods, parse_scopes
from motcua_scoring.service.reports import progress_json, progress_report

__all__ = ["reports_router"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


class ReportFormat(StrEnum):
    JSON = "json"
    XLSX = "xlsx"
    CSV = "csv"


def reports_router() -> APIRouter:
    """Routes under `/v1/reports`."""
    router = APIRouter(prefix="/v1/reports", tags=["reports"])

    @router.get(
        "/progress",
        summary="The periodic progress report of an office",
        responses={
            200: {
                "description": "The report as JSON, an XLSX workbook or a CSV table",
                "content": {
                    "application/json": {},
                    XLSX: {"schema": {"type": "string", "format": "binary"}},
                    "text/csv": {"schema": {"type": "string"}},
                },
            }
        },
    )
    async def progress(
        reader: ReaderDep,
        scope: Annotated[
            str,
            Query(
                description="The office: `province:all`, `agency:…`, `unit:…`, …",
                examples=["agency:STP"],
            ),
        ] = "province:all",
        by: Annotated[
            d.ScopeKind | None,
            Query(
                description="One row per `agency`, `unit`, `procedure` or `field` inside "
                "the office (its agencies for the province, its units for an agency)."
            ),
        ] = None,
        period: Annotated[
            list[str],
            Query(
                description="One period: `2026-11-21`, `2026-W47`, `2026-11`, `2026-Q4`, "
                "`2026`, `2026-11-01..2026-11-21`, or `today`, `month`, `quarter`, `year`.",
                examples=[["2026-Q4"]],
            ),
        ] = [],  # noqa: B006 - FastAPI copies query defaults
        from_: Annotated[IsoDate | None, Query(alias="from", examples=["2026-10-01"])] = None,
        to: Annotated[IsoDate | None, Query(examples=["2026-12-31"])] = None,
        format: ReportFormat = ReportFormat.JSON,
    ) -> Any:
        """Received (online, at the counter, by post) and carried over; resolved early, on
        time and late (with and without an apology); in progress within the deadline and
        overdue at the period's end (the as-of day): one row per agency, unit, procedure or
        field and the office's total, headed by the office and the period."""
        office = parse_scopes([scope])[0]
        kinds = row_kinds_of(office.kind)
        rows = by or (kinds[0] if kinds else None)
        if rows is None or rows not in kinds:
            allowed = ", ".join(k.value for k in kinds) or "none"
            raise _refused("by", "invalid_breakdown", f"rows of {office.kind}: {allowed}")
        periods = parse_periods(period, from_, to, reader.clock.now())
        if len(periods) != 1:
            raise _refused("period", "one_period_required", "a report covers one period")
        report = await progress_report(reader, office, rows, periods[0])
        if format is ReportFormat.JSON:
            return progress_json(report)
        name = f"bao-cao-{office.value}-{periods[0].key}.{format.value}".replace("..", "_")
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        if format is ReportFormat.XLSX:
            return Response(report_xlsx(report), media_type=XLSX, headers=headers)
        return Response(report_csv(report), media_type=CSV, headers=headers)

    return router


def _refused(parameter: str, code: str, detail: str) -> ProblemError:
    return ProblemError(422, code, detail, [Violation(f"/query/{parameter}", code, detail)])
