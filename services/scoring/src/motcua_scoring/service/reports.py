"""The periodic progress report: an office's rows (its agencies, units, procedures or
fields) and its own total, for any period.

The province's rows come from the counters, exactly as `/v1/indicators` gives each of
them (an agency with the agencies merged into it). Inside another office the counters do
not cross scopes (a procedure's counters are the whole province's), so its rows are
counted from the facts of the office's dossiers by the reference count; its total is the
office's own figures from the counters.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from motcua_scoring import domain as d
from motcua_scoring.adapters.agency_store import AgencyDirectory, load_directory
from motcua_scoring.adapters.office_facts import facts_of_office
from motcua_scoring.adapters.scope_store import known_scopes
from motcua_scoring.domain.indicators import as_of_day
from motcua_scoring.domain.merges import merged_away, names_of
from motcua_scoring.domain.reports import (
    REPORT_COLUMNS,
    ProgressReport,
    ReportRow,
    ordered,
    period_title,
    report_values,
    row_heading,
)
from motcua_scoring.service.evaluation import evaluate_many
from motcua_scoring.service.reading import Reader

__all__ = ["progress_json", "progress_report"]

_ALL_ROWS = (d.ScopeKind.AGENCY, d.ScopeKind.UNIT)
"""Kinds whose every row is printed, even with nothing to count (procedures and fields
with nothing in the period are left out)."""


async def progress_report(
    reader: Reader, office: d.Scope, by: d.ScopeKind, period: d.Period
) -> ProgressReport:
    """The office's report for `period`, one row per scope of kind `by` within it."""
    now = reader.clock.now()
    async with reader.engine.connect() as conn:
        directory = await load_directory(conn)
        total = await evaluate_many(
            conn, [(office, period)], now, reader.earliest_year, directory.merges
        )
        if office.kind is d.ScopeKind.PROVINCE:
            rows = await _province_rows(reader, conn, directory, by, period)
        else:
            rows = await _office_rows(reader, conn, directory, office, by, period)
    names = names_of([office], directory.agencies, directory.units, directory.procedures)
    return ProgressReport(
        office=office,
        office_name=names.get(office.key),
        by=by,
        period=period,
        as_of=as_of_day(period, now),
        rows=ordered([r for r in rows if by in _ALL_ROWS or any(r.values.values())]),
        total=report_values(total[(office.key, period.key)]),
    )


async def _province_rows(
    reader: Reader,
    conn: AsyncConnection,
    directory: AgencyDirectory,
    by: d.ScopeKind,
    period: d.Period,
) -> list[ReportRow]:
    gone = merged_away(directory.merges, period.first) if by is d.ScopeKind.AGENCY else ()
    scopes = [
        scope
        for scope in map(d.parse_scope, await known_scopes(conn, by.value))
        if scope.value not in gone
    ]
    merges = directory.merges if by is d.ScopeKind.AGENCY else ()
    evaluated = await evaluate_many(
        conn, [(s, period) for s in scopes], reader.clock.now(), reader.earliest_year, merges
    )
    names = names_of(scopes, directory.agencies, directory.units, directory.procedures)
    return [
        ReportRow(s, names.get(s.key), report_values(evaluated[(s.key, period.key)]))
        for s in scopes
    ]


async def _office_rows(
    reader: Reader,
    conn: AsyncConnection,
    directory: AgencyDirectory,
    office: d.Scope,
    by: d.ScopeKind,
    period: d.Period,
) -> list[ReportRow]:
    facts = await facts_of_office(conn, office)
    members = sorted({s for f in facts for s in d.scopes_of(f) if s.kind is by})
    names = names_of(members, directory.agencies, directory.units, directory.procedures)
    now = reader.clock.now()
    return [
        ReportRow(
            scope,
            names.get(scope.key),
            report_values(d.count(facts, scope, period, now, reader.granularity)),
        )
        for scope in members
    ]


def progress_json(report: ProgressReport) -> dict[str, Any]:
    """The report as the JSON format of the API."""
    heading_vi, heading_en = row_heading(report.by)
    return {
        "office": {
            "scope": report.office.key,
            "name": report.office_name,
            "label": report.office_label,
        },
        "period": report.period.key,
        "title": period_title(report.period),
        "first": report.period.first.isoformat(),
        "last": report.period.last.isoformat(),
        "as_of": report.as_of.isoformat(),
        "by": report.by.value,
        "row_heading": {"vi": heading_vi, "en": heading_en},
        "columns": [
            {"key": c.key, "vi": c.vi, "en": c.en, "group": {"vi": c.group.vi, "en": c.group.en}}
            for c in REPORT_COLUMNS
        ],
        "rows": [
            {"scope": r.scope.key, "code": r.scope.value, "name": r.name, "values": r.values}
            for r in report.rows
        ],
        "total": report.total,
    }
