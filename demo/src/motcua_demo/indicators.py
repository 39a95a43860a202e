"""The tables `make demo` ends with: scoring's indicators per agency for the simulated
period, then the overdue alerts (scoring's count per agency, notify's deliveries and
corrections). Agencies are shown by the names in intake's catalogue, beside their codes."""

from __future__ import annotations

import asyncio
from collections import Counter as Multiset
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from motcua_demo.readiness import wait_until_settled

COLUMNS = (
    ("carried_over", "carried over"),
    ("received", "received"),
    ("resolved_early", "early"),
    ("resolved_on_time", "on time"),
    ("resolved_late_with_apology", "late, apology"),
    ("resolved_late_without_apology", "late, none"),
    ("in_progress_within", "open, in time"),
    ("in_progress_overdue", "open, overdue"),
    ("reappointments_kept", "promise kept"),
    ("reappointments_broken", "promise broken"),
    ("on_time_rate", "on-time %"),
)
"""Scoring's figure and its column heading: dossiers still open from before the period
(an earlier run's week) and received in it; resolved early, on time,
late with and without an apology (form 04); still open within the deadline or overdue;
re-appointments kept and broken."""
ALERT_COLUMNS = (
    ("overdue_alerts", "overdue alerts"),
    ("overdue_alerts_withdrawn", "withdrawn"),
)
OFFICIAL_ALERTS = ("due_soon", "overdue", "apology_required", "escalation")
SENT = {"accepted", "delivered", "sent"}


async def agency_reports(scoring_url: str, period: str) -> list[dict[str, Any]]:
    """The province and every agency, for one period key (e.g. `2026-06-01..2026-06-05`)."""
    first, last = period.split("..")
    async with httpx.AsyncClient(base_url=scoring_url, timeout=30) as http:
        agencies = (await http.get("/v1/scopes", params={"kind": "agency"})).json()["items"]
        response = await http.get(
            "/v1/indicators",
            params=[
                ("scope", "province:all"),
                *(("scope", a) for a in agencies),
                ("from", first),
                ("to", last),
            ],
        )
        response.raise_for_status()
        items: list[dict[str, Any]] = response.json()["items"]
        return items


async def wait_for_scoring(
    env: dict[str, str], period: str, registered: int, console: Console, patience: float = 90
) -> None:
    """Wait until scoring has counted every registered dossier and nothing is still on
    its way between the services (verdicts, apologies and withdrawals land last)."""
    deadline = asyncio.get_running_loop().time() + patience
    counted = -1
    with console.status("waiting for the indicators to settle") as status:
        while asyncio.get_running_loop().time() < deadline:
            reports = await agency_reports(env["SCORING_URL"], period)
            province = next((r for r in reports if r["scope"] == "province:all"), None)
            counted = int(province["figures"]["received"]) if province else 0
            status.update(f"scoring has counted {counted} of {registered} dossiers")
            if counted >= registered:
                break
            await asyncio.sleep(1)
    if counted < registered:
        console.print(
            f"[yellow]scoring counted {counted} of {registered} within {patience:.0f} s[/]"
        )
    if not await wait_until_settled(env, console):
        console.print("[yellow]events were still on their way when the tables were read[/]")


def _cell(name: str, value: Any) -> str:
    if value is None:
        return "–"
    if name.endswith("_rate"):
        return f"{100 * float(value):.1f}"
    return str(int(value)) if float(value).is_integer() else f"{float(value):.2f}"


async def agency_names(
    env: dict[str, str], transport: httpx.AsyncBaseTransport | None = None
) -> dict[str, str]:
    """Agency names by code, from intake's catalogue (`GET /v1/agencies`, the directory
    it publishes on `intake.agencies.v1` for the services); empty if intake cannot say."""
    async with httpx.AsyncClient(
        base_url=env["INTAKE_URL"], timeout=30, transport=transport
    ) as http:
        try:
            response = await http.get(
                "/v1/agencies", headers={"X-API-Key": env.get("INTAKE_ADMIN_KEY", "")}
            )
            response.raise_for_status()
        except httpx.HTTPError:
            return {}
        return {a["code"]: a["name"] for a in response.json() if a.get("name")}


def agency_label(report: dict[str, Any], names: dict[str, str]) -> str:
    """The row heading of a scope: the province, or an agency's name and code (intake's
    name, else the one scoring knows, else the code alone)."""
    if report["scope"] == "province:all":
        return "[bold]province[/]"
    code = report["scope"].partition(":")[2]
    name = names.get(code) or report.get("name")
    return f"{name} ({code})" if name else code


def _in_order(reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(reports, key=lambda r: (r["scope"] == "province:all", r["scope"]))


def indicator_table(reports: list[dict[str, Any]], period: str, names: dict[str, str]) -> Table:
    """The per-agency indicator table of the period, agencies by name."""
    table = Table(title=f"Indicators {period} (scoring)", show_lines=False)
    table.add_column("agency")
    for _, label in COLUMNS:
        table.add_column(label, justify="right")
    for report in _in_order(reports):
        table.add_row(
            agency_label(report, names),
            *(_cell(key, report["figures"].get(key)) for key, _ in COLUMNS),
        )
    return table


def alert_table(reports: list[dict[str, Any]], period: str, names: dict[str, str]) -> Table:
    """Overdue alerts per agency (fired, withdrawn, standing), agencies by name."""
    table = Table(title=f"Overdue alerts {period} (scoring)")
    table.add_column("agency")
    for _, label in ALERT_COLUMNS:
        table.add_column(label, justify="right")
    table.add_column("standing", justify="right")
    for report in _in_order(reports):
        figures = report["figures"]
        fired, withdrawn = (int(figures.get(key) or 0) for key, _ in ALERT_COLUMNS)
        table.add_row(
            agency_label(report, names), str(fired), str(withdrawn), str(fired - withdrawn)
        )
    return table


async def fetch_table(env: dict[str, str], period: str, names: dict[str, str]) -> Table:
    """The per-agency indicator table of the period."""
    return indicator_table(await agency_reports(env["SCORING_URL"], period), period, names)


async def fetch_alert_tables(
    env: dict[str, str], period: str, since: str, names: dict[str, str]
) -> list[Table]:
    """Overdue alerts per agency (fired, withdrawn, standing) from scoring, and the alerts
    to officials notify sent, never sent and corrected since `since` (ISO instant)."""
    reports = await agency_reports(env["SCORING_URL"], period)
    return [alert_table(reports, period, names), await _notify_table(env, since)]


async def _notify_table(env: dict[str, str], since: str) -> Table:
    async with httpx.AsyncClient(base_url=env["NOTIFY_URL"], timeout=30) as http:
        response = await http.get(
            "/v1/notifications/figures",
            params={"since": since},
            headers={"Authorization": f"Bearer {env['OPERATOR_TOKEN']}"},
        )
        response.raise_for_status()
        found = response.json()
    sent: Multiset[str] = Multiset()
    held: Multiset[str] = Multiset()
    for row in found["messages"]:
        if row["status"] in SENT:
            sent[row["message_type"]] += row["count"]
        elif row["status"] == "withdrawn":
            held[row["message_type"]] += row["count"]
    corrected: Multiset[str] = Multiset()
    for row in found["alert_withdrawals"]:
        if row["outcome"] == "corrected":
            corrected[row["message_type"]] += row["count"]
    table = Table(title="Alerts to officials (notify)")
    for heading in ("alert", "sent", "withdrawn before sending", "withdrawn after, corrected"):
        table.add_column(heading, justify="left" if heading == "alert" else "right")
    for kind in OFFICIAL_ALERTS:
        table.add_row(
            kind.replace("_", " "), str(sent[kind]), str(held[kind]), str(corrected[kind])
        )
    table.add_row("[bold]corrections sent[/]", str(sent["alert_withdrawn"]), "", "")
    return table
