"""The tables `make demo` prints name the agencies as intake's catalogue does, beside
their codes (scoring's name, then the code alone, where intake has none)."""

from __future__ import annotations

import httpx
from rich.console import Console
from rich.table import Table

from motcua_demo.indicators import agency_names, alert_table, indicator_table

PERIOD = "2026-06-01..2026-06-05"
NAMES = {"STP": "Sở Tư pháp", "UBND-PT": "Ủy ban nhân dân phường Tiên Cát"}


def report(scope: str, name: str | None = None, **figures: float) -> dict:
    return {"scope": scope, "name": name, "figures": figures}


REPORTS = [
    report("agency:UBND-PT", received=40, on_time_rate=0.75, overdue_alerts=3),
    report("province:all", received=47, on_time_rate=0.8, overdue_alerts=3),
    report("agency:STP", received=5, on_time_rate=1, overdue_alerts_withdrawn=0),
    report("agency:SXD", "Sở Xây dựng", received=2),
    report("agency:SYT", received=0),
]


def rendered(table: Table) -> list[str]:
    console = Console(record=True, width=240, color_system=None)
    console.print(table)
    return console.export_text().splitlines()


def rows_of(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("│")]


def test_the_indicator_table_names_each_agency_beside_its_code() -> None:
    lines = rendered(indicator_table(REPORTS, PERIOD, NAMES))
    rows = rows_of(lines)
    heads = [row.split("│")[1].strip() for row in rows]
    assert heads == [
        "Sở Tư pháp (STP)",
        "Sở Xây dựng (SXD)",  # scoring's name when intake's catalogue has none
        "SYT",  # the code where nobody knows a name
        "Ủy ban nhân dân phường Tiên Cát (UBND-PT)",
        "province",
    ]
    assert lines[2].split("┃")[1].strip() == "agency"
    assert rows[3].split("│")[3].strip() == "40"
    assert rows[3].split("│")[-2].strip() == "75.0"


def test_the_alert_table_names_each_agency_and_counts_what_stands() -> None:
    lines = rendered(alert_table(REPORTS, PERIOD, NAMES))
    assert f"Overdue alerts {PERIOD}" in lines[0]
    ward = next(r for r in rows_of(lines) if "UBND-PT" in r)
    cells = [c.strip() for c in ward.split("│")[1:-1]]
    assert cells == ["Ủy ban nhân dân phường Tiên Cát (UBND-PT)", "3", "0", "3"]


async def test_names_come_from_intakes_catalogue() -> None:
    seen: list[httpx.Request] = []

    def intake(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            json=[
                {"code": "STP", "name": "Sở Tư pháp", "units": []},
                {"code": "SYT", "name": "", "units": []},
            ],
        )

    env = {"INTAKE_URL": "http://intake.test", "INTAKE_ADMIN_KEY": "admin-key"}
    names = await agency_names(env, httpx.MockTransport(intake))
    assert names == {"STP": "Sở Tư pháp"}
    assert seen[0].url.path == "/v1/agencies"
    assert seen[0].headers["X-API-Key"] == "admin-key"

    def down(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, json={"code": "unavailable"})

    assert await agency_names(env, httpx.MockTransport(down)) == {}
