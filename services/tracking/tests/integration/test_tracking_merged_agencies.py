"""A merge on the real broker and database: agency A (07:00–11:00, 13:30–16:30) merged
into B (07:30–11:30, 13:00–17:00) on Monday 16 March 2026.

A step begun before that date keeps A's hours; one begun from it counts on B's, whether
tracking heard of the merge before the handover or only after it (then the open
deadline is corrected with `calendar_changed`).
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from motcua.events import AgencyUpdated, Envelope, OfficePeriod
from motcua_tracking.domain import vietnam_time_zone

pytestmark = [pytest.mark.infra, pytest.mark.timeout(180)]
VN = vietnam_time_zone()
OFFICIAL = {"Authorization": "Bearer official-test-token"}
A_HOURS = (
    OfficePeriod(start=time(7), end=time(11)),
    OfficePeriod(start=time(13, 30), end=time(16, 30)),
)
B_HOURS = (
    OfficePeriod(start=time(7, 30), end=time(11, 30)),
    OfficePeriod(start=time(13), end=time(17)),
)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


def agency(code: str, hours, revision: int = 1, published=None, **merge) -> Envelope:
    published = published or at(3, 2, 8)
    data = AgencyUpdated(
        code=code,
        name=f"Sở {code}",
        level="province",
        kind="department",
        office_hours=hours,
        late_cutoff=time(15),
        revision=revision,
        **merge,
    )
    return Envelope.wrap(
        data,
        producer="intake",
        occurred_at=published,
        now=published,
        dossier_code=None,
        agency_code=code,
    )


async def steps(http, code: str) -> list[tuple[str, datetime]]:
    view = (await http.get(f"/v1/dossiers/{code}", headers=OFFICIAL)).json()
    return [(s["unit_code"], datetime.fromisoformat(s["due_at"])) for s in view["steps"]]


async def test_steps_begun_from_the_merge_date_count_on_the_absorbing_agencys_hours(
    stack, intake, clock
):
    settings = await stack.settings(await stack.new_database())
    # No timer loop: what is published follows from the events alone.
    settings = settings.model_copy(
        update={"timers": settings.timers.model_copy(update={"enabled": False})}
    )
    intake.agency = "A"
    heard_late, heard_first = intake.new_code(), intake.new_code()
    clock.set(at(3, 17, 10))
    async with stack.running(settings, clock) as app:
        await stack.publish(agency("A", A_HOURS), agency("B", B_HOURS), topic=stack.topics.agencies)
        assert await stack.count(settings, "SELECT count(*) FROM agency_offices", 2) == 2

        # Before tracking hears of the merge: a handover before it, one on its second day.
        await stack.publish(
            intake.received(heard_late, at(3, 12, 14, 30)),
            intake.transferred(heard_late, at(3, 13, 9), "MC", "PCM"),
            intake.transferred(heard_late, at(3, 17, 9), "PCM", "LD"),
        )
        events_of = "SELECT count(*) FROM dossier_events WHERE dossier_code = '{}'"
        assert await stack.count(settings, events_of.format(heard_late), 3) == 3

        merge = {"merged_into": "B", "merged_on": date(2026, 3, 16), "retired_at": at(3, 16, 0)}
        # Announced on 10 March, read by tracking only now.
        announced = agency("A", A_HOURS, 2, at(3, 10, 8), **merge)
        await stack.publish(announced, topic=stack.topics.agencies)
        merged = "SELECT count(*) FROM agency_offices WHERE merged_into = 'B'"
        assert await stack.count(settings, merged) == 1

        # Once it is known: a handover on the merge date itself.
        await stack.publish(
            intake.received(heard_first, at(3, 12, 14, 30)),
            intake.transferred(heard_first, at(3, 16, 9), "MC", "PCM"),
        )
        assert await stack.count(settings, events_of.format(heard_first), 2) == 2

        async with stack.client(app) as http:
            late_steps = await steps(http, heard_late)
            first_steps = await steps(http, heard_first)
        out = await stack.read(settings.topics.publish_to, expected=14)

    # 3½ days of A's hours from Friday 13 March 09:00 (across the merge date): A's.
    assert late_steps[1] == ("PCM", at(3, 18, 15))
    # ½ day from Tuesday 17 March 09:00: 4 h of B's (14:30), not 3½ h of A's (15:00).
    assert late_steps[2] == ("LD", at(3, 17, 14, 30))
    # 3½ days from Monday 16 March 09:00: 28 h of B's, Thursday 14:30 (A's: 15:00).
    assert first_steps[1] == ("PCM", at(3, 19, 14, 30))
    corrected = [
        (e.data.scope, e.data.old_due_at, e.data.new_due_at)
        for e in out
        if e.event_type == "tracking.deadline-changed"
        and e.data.cause == "calendar_changed"
        and e.dossier_code == heard_late
    ]
    assert corrected == [("step", at(3, 17, 15), at(3, 17, 14, 30))]
    # The appointment given at reception was not moved by the merge.
    fixed = [
        e.data.appointment_at
        for e in out
        if e.event_type == "tracking.deadline-set" and e.dossier_code == heard_late
    ]
    assert fixed == [at(3, 19, 14, 30)]
