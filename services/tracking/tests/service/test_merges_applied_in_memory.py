"""An agency merge heard after the events it concerns, on in-memory stores.

Agency A (07:00–11:00, 13:30–16:30) is merged into B (07:30–11:30, 13:00–17:00) on
Monday 16 March 2026. No PostgreSQL: the agencies are kept, the calendars refreshed and
the open deadlines the merge moves recalendared through the tracker's context's stores.
The expectations are those the integration test checks on the real stack.
"""

from __future__ import annotations

from datetime import date, datetime, time

from memory_stores import NO_DATABASE, MemoryService

from motcua.clock import ManualClock
from motcua.events import AgencyUpdated, Envelope, OfficePeriod
from motcua_tracking.domain import vietnam_time_zone

VN = vietnam_time_zone()
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


def agency(code: str, hours, revision: int = 1, **merge) -> Envelope:
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
        occurred_at=at(3, 2, 8),
        now=at(3, 2, 8),
        dossier_code=None,
        agency_code=code,
    )


async def test_a_merge_heard_late_corrects_the_open_step_begun_from_its_date(intake):
    service = MemoryService(ManualClock(at(3, 17, 10)))
    tracker = service.tracker
    await tracker.apply_agencies(NO_DATABASE, [agency("A", A_HOURS), agency("B", B_HOURS)])
    intake.agency = "A"
    code = intake.new_code()
    await service.apply(
        intake.received(code, at(3, 12, 14, 30)),
        intake.transferred(code, at(3, 13, 9), "MC", "PCM"),
        intake.transferred(code, at(3, 17, 9), "PCM", "LD"),
    )
    staged_before = len(service.published())

    merge = {"merged_into": "B", "merged_on": date(2026, 3, 16), "retired_at": at(3, 16, 0)}
    await tracker.apply_agencies(NO_DATABASE, [agency("A", A_HOURS, 2, **merge)])

    corrected = [
        (e.data.scope, e.data.old_due_at, e.data.new_due_at)
        for e in service.published("tracking.deadline-changed")
        if e.data.cause == "calendar_changed"
    ]
    # ½ day from Tuesday 17 March 09:00: 4 h of B's (14:30), not 3½ h of A's (15:00).
    assert corrected == [("step", at(3, 17, 15), at(3, 17, 14, 30))]
    assert len(service.published()) == staged_before + 1
    steps = (await service.dossier(code)).steps
    assert [(s.unit_code, s.due_at) for s in steps[1:]] == [
        ("PCM", at(3, 18, 15)),  # begun before the merge: A's hours
        ("LD", at(3, 17, 14, 30)),
    ]


async def test_an_older_agency_revision_changes_nothing(intake):
    service = MemoryService(ManualClock(at(3, 17, 10)))
    merge = {"merged_into": "B", "merged_on": date(2026, 3, 16), "retired_at": at(3, 16, 0)}
    await service.tracker.apply_agencies(
        NO_DATABASE, [agency("B", B_HOURS), agency("A", A_HOURS, 2, **merge)]
    )
    await service.tracker.apply_agencies(NO_DATABASE, [agency("A", A_HOURS, 1)])
    assert service.context.calendars.agency_at("A", at(3, 17, 9)) == "B"
    assert service.published() == []
