"""The table `make demo` ends with: scoring's indicators per agency for the simulated period."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

COLUMNS = (
    ("received", "received"),
    ("resolved_early", "early"),
    ("resolved_on_time", "on time"),
    ("resolved_late", "late"),
    ("in_progress_within", "in progress"),
    ("in_progress_overdue", "overdue"),
    ("apologies", "apologies"),
    ("on_time_rate", "on-time %"),
)


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
    """Wait until scoring has counted every registered dossier (the pipeline settles)."""
    deadline = asyncio.get_running_loop().time() + patience
    counted = -1
    with console.status("waiting for the indicators to settle") as status:
        while asyncio.get_running_loop().time() < deadline:
            reports = await agency_reports(env["SCORING_URL"], period)
            province = next((r for r in reports if r["scope"] == "province:all"), None)
            counted = int(province["figures"]["received"]) if province else 0
            status.update(f"scoring has counted {counted} of {registered} dossiers")
            if counted >= registered:
                await asyncio.sleep(2)  # let tracking's verdicts land too
                return
            await asyncio.sleep(1)
    console.print(f"[yellow]scoring counted {counted} of {registered} within {patience:.0f} s[/]")


def _cell(name: str, value: Any) -> str:
    if value is None:
        return "–"
    if name.endswith("_rate"):
        return f"{100 * float(value):.1f}"
    return str(int(value)) if float(value).is_integer() else f"{float(value):.2f}"


async def fetch_table(env: dict[str, str], period: str) -> Table:
    """The per-agency indicator table of the period."""
    reports = await agency_reports(env["SCORING_URL"], period)
    table = Table(title=f"Indicators {period} (scoring)", show_lines=False)
    table.add_column("agency")
    for _, label in COLUMNS:
        table.add_column(label, justify="right")
    reports.sort(key=lambda r: (r["scope"] == "province:all", r["scope"]))
    for report in reports:
        name = "[bold]province[/]" if report["scope"] == "province:all" else report["scope"][7:]
        table.add_row(name, *(_cell(key, report["figures"].get(key)) for key, _ in COLUMNS))
    return table
