"""A seeded simulator run: the indicators equal what the simulator's own record implies."""

from __future__ import annotations

import contextlib
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

    wanted = {a: {k: counts[k] for k in COUNTED} for a, counts in expected.items()}
    seen: dict[str, dict[str, int]] = {}

    # Counts settle at different times (an apology goes intake → tracking → scoring):
    # wait for all of them, then compare what was last seen.
    async def settled():
        for a in expected:
            figures = await province.indicators(f"agency:{a}", period)
            seen[a] = {k: figures[k] for k in COUNTED}
        return seen == wanted

    with contextlib.suppress(AssertionError):
        await province.eventually(settled, within=60)
    for agency in expected:
        assert seen[agency] == wanted[agency], agency
