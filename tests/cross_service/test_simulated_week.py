"""A seeded simulator run: the indicators equal what the simulator's own record implies."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from motcua_demo.calendar import VIETNAM
from motcua_demo.expected import COUNTED, expected_counts
from motcua_demo.intake import IntakeClient
from motcua_demo.scenario import Mix, plan_week
from motcua_demo.simulator import Simulator

pytestmark = pytest.mark.infra
MONDAY = date(2026, 6, 1)
AGENCIES = {"STP", "PVIETTRI", "XLAMTHAO"}


async def test_a_simulated_day_gives_exactly_the_independently_computed_numbers(
    province,
) -> None:
    intake = IntakeClient(province.clients["intake"], province.admin_key)
    offices = [o for o in await intake.offices() if o.code in AGENCIES]
    stories = plan_week(offices, MONDAY, 2, seed=20260601, mix=Mix(per_office_per_day=8))
    until = datetime.combine(MONDAY + timedelta(days=1), datetime.min.time(), VIETNAM)
    until += timedelta(hours=17, minutes=30)
    record = await Simulator(intake, province.clock, speed=1).step_through(
        stories, until, lambda at: province.clock.set(at + timedelta(seconds=1))
    )
    assert not record.errors, record.examples
    expected = expected_counts(stories, record)
    assert sum(c["received"] for c in expected.values()) == 48
    period = f"{MONDAY.isoformat()}..{(MONDAY + timedelta(days=1)).isoformat()}"

    async def settled():
        figures = {a: await province.indicators(f"agency:{a}", period) for a in expected}
        done = all(
            figures[a]["received"] == expected[a]["received"]
            and sum(figures[a][k] for k in ("resolved_early", "resolved_on_time", "resolved_late"))
            == sum(expected[a][k] for k in ("resolved_early", "resolved_on_time", "resolved_late"))
            for a in expected
        )
        return figures if done else None

    figures = await province.eventually(settled, within=60)
    for agency, counts in expected.items():
        assert {k: figures[agency][k] for k in COUNTED} == {k: counts[k] for k in COUNTED}, agency
