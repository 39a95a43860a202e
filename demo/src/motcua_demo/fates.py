"""The steps of a dossier's story, written from its fate.

Each instant is placed in office time counted from the dossier's counting start, on
the simulator's own calendar. Lateness is always by a whole working day or more, so
the verdict is the same by working day and by timestamp; a kept re-appointment is met
on its own day, a broken one overrun by a day.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from motcua_demo.calendar import PERIODS, VIETNAM, OfficeCalendar
from motcua_demo.stories import Fate, Step, Story

__all__ = ["Timeline", "Week", "feasible", "reappointment_day", "unfold"]

HOUR = 3600.0
MISSING = (
    "Bản sao Căn cước công dân",
    "Giấy ủy quyền có chứng thực",
    "Bản vẽ hiện trạng",
    "Tờ khai theo mẫu có chữ ký",
    "Giấy xác nhận nơi cư trú",
)


@dataclass(frozen=True)
class Week:
    """The played working days and the calendar they are counted on."""

    calendar: OfficeCalendar
    days: tuple[date, ...]

    @property
    def last_day(self) -> date:
        return self.days[-1]

    @property
    def end(self) -> datetime:
        """Half an hour after the last day's close: the simulated clock stops there."""
        return self.close(self.last_day) + timedelta(minutes=30)

    def close(self, day: date) -> datetime:
        """The end of a day's office hours."""
        return datetime.combine(day, PERIODS[1][1], VIETNAM)

    def during(self, day: date, office_seconds: float) -> datetime:
        """`office_seconds` of office time after a day's opening."""
        return self.calendar.add_working_seconds(self.calendar.opening(day), office_seconds)

    def later_days(self, after: date) -> list[date]:
        """The played days after `after`."""
        return [day for day in self.days if day > after]


@dataclass(frozen=True)
class Timeline:
    """Office time of one dossier, counted from its counting start."""

    calendar: OfficeCalendar
    received: datetime
    origin: datetime

    def at(self, offset: float) -> datetime:
        """The instant `offset` seconds of office time after the clock started."""
        instant = self.calendar.add_working_seconds(self.origin, offset)
        return max(instant, self.received + timedelta(seconds=1))

    def offset(self, instant: datetime) -> float:
        """Office time from the counting start to `instant`."""
        return self.calendar.working_seconds(self.origin, instant)


def _due_day(story: Story) -> date:
    return story.appointment.astimezone(VIETNAM).date()


def reappointment_day(story: Story, week: Week) -> date:
    """The day a broken promise is given: the appointment day when an hour of it is
    left, else the next working day."""
    due_day = _due_day(story)
    if story.appointment <= week.close(due_day) - timedelta(hours=1):
        return due_day
    return week.calendar.next_working_day(due_day)


def feasible(fate: Fate, story: Story, week: Week) -> bool:
    """Whether the fate can play out inside the week for this dossier."""
    allowed = _timeline(story, week).offset(story.appointment)
    due_day = _due_day(story)
    if fate in {Fate.APOLOGY_KEPT, Fate.APOLOGY_AFTER, Fate.UNAPOLOGISED, Fate.LATE_UPLOAD}:
        return story.procedure.short and allowed >= 2 * HOUR and bool(week.later_days(due_day))
    if fate is Fate.APOLOGY_BROKEN:
        promised = reappointment_day(story, week)
        return story.procedure.short and allowed >= 2 * HOUR and bool(week.later_days(promised))
    if fate is Fate.OVERDUE_OPEN:
        return due_day < week.last_day and allowed >= 2 * HOUR
    if fate is Fate.SUPPLEMENT_PENDING:
        low, high = _pending_window(story, week)
        return low < high
    return True


def _timeline(story: Story, week: Week) -> Timeline:
    return Timeline(
        week.calendar,
        story.received_at,
        week.calendar.counting_start(story.received_at, story.procedure.late_cutoff),
    )


def _pending_window(story: Story, week: Week) -> tuple[float, float]:
    """Offsets between which a supplement still awaited at the end is requested: the
    last two played days, before the appointment, an hour before the week ends."""
    line = _timeline(story, week)
    allowed = line.offset(story.appointment)
    first = week.days[-2] if len(week.days) > 1 else week.days[0]
    low = max(line.offset(week.calendar.opening(first)), 0.3 * allowed, 600.0)
    high = min(allowed - HOUR, line.offset(week.close(week.last_day)) - HOUR)
    return low, high


def unfold(rng: random.Random, story: Story, week: Week, rated: float) -> Story:
    """Write the story's steps after its registration, by its fate."""
    line = _timeline(story, week)
    allowed = line.offset(story.appointment)
    writer = _Writer(rng, story, week, line, allowed)
    match story.fate:
        case Fate.REFUSED:
            end = writer.refused()
        case Fate.WITHDRAWN:
            end = writer.withdrawn()
        case Fate.SUPPLEMENT_PENDING:
            end = writer.supplement_pending()
        case Fate.OVERDUE_OPEN:
            end = writer.overdue_open()
        case Fate.LATE_UPLOAD:
            end = writer.late_upload()
        case Fate.APOLOGY_KEPT | Fate.APOLOGY_BROKEN | Fate.APOLOGY_AFTER | Fate.UNAPOLOGISED:
            end = writer.late()
        case _:
            end = writer.ordinary()
    if end is not None and rng.random() < rated:
        _rate(rng, story, *end)
    story.steps = [s for s in story.steps if s.sends_at < week.end]
    story.steps.sort(key=lambda s: (s.sends_at, s.at))
    return story


class _Writer:
    """Writes one story's steps; each ending returns (instant, upload instant) to rate
    after, or None when the dossier stays open."""

    def __init__(
        self, rng: random.Random, story: Story, week: Week, line: Timeline, allowed: float
    ) -> None:
        self.rng, self.story, self.week, self.line, self.allowed = rng, story, week, line, allowed
        office = story.office
        self.holder = office.units["one_stop"]
        self.cursor = 0.0

    def add(self, at: datetime, event_type: str, sent_at: datetime | None = None, **fields: Any):
        body = {"type": event_type, "occurred_at": at.isoformat(), **fields}
        self.story.steps.append(Step(at, self.story.number, "event", body, sent_at))

    def handovers(self, until: float) -> None:
        """Pass the dossier along its units' roles within the first `until` of office time."""
        office, roles = self.story.office, self.story.procedure.step_roles
        receivers = [r for r in roles if r != "one_stop"] or ["specialist"]
        for i, role in enumerate(receivers):
            offset = until * (i + 0.5) / (len(receivers) + 1)
            receiver = office.units.get(role, office.units["specialist"])
            if receiver != self.holder:
                self.add(
                    self.line.at(offset), "transferred", from_unit=self.holder, to_unit=receiver
                )
                self.holder, self.cursor = receiver, offset

    def fee(self, before: float) -> None:
        """The fee, set and paid between the last hand-over and `before`: paid ten minutes
        after it is set, or at `before` when less time is left (a within-day procedure)."""
        procedure = self.story.procedure
        if not procedure.has_fee:
            return
        set_at = self.cursor + (before - self.cursor) * 0.5
        method = "online" if self.rng.random() < 0.45 else "counter"
        amount = procedure.fee_vnd
        self.add(
            self.line.at(set_at),
            "financial_obligation_set",
            amount_vnd=amount,
            description="Lệ phí giải quyết",
        )
        self.add(
            self.line.at(min(set_at + 600, before)),
            "financial_obligation_paid",
            amount_vnd=amount,
            method=method,
        )

    def apology(self, filed: datetime, new_appointment: datetime) -> None:
        body = {
            "unit_code": self.holder,
            "reason": "Hồ sơ cần xác minh thêm với cơ quan liên quan",
            "new_appointment_at": new_appointment.isoformat(),
            "signed_by": "Thủ trưởng cơ quan",
            "filed_at": filed.isoformat(),
        }
        self.story.steps.append(Step(filed, self.story.number, "apology", body))
        self.story.apology, self.story.reappointed_to = filed, new_appointment

    def finish(
        self, finished: datetime, sent_at: datetime | None = None
    ) -> tuple[datetime, datetime | None]:
        """Processing finished, and the result returned a little later the same day."""
        self.add(
            finished,
            "processing_finished",
            sent_at,
            outcome="approved",
            unit_code=self.holder,
            e_result_issued=self.rng.random() < 0.7,
        )
        self.story.ended, self.story.finished_at = "finished", finished
        offset = self.line.offset(finished)
        returned = self.line.at(offset + self.rng.uniform(0.5, 6) * HOUR)
        if returned < self.week.end:
            self.add(returned, "result_returned", sent_at and max(sent_at, returned))
            return returned, sent_at and max(sent_at, returned)
        return finished, sent_at

    def refused(self) -> tuple[datetime, datetime | None]:
        refused = self.story.received_at + timedelta(minutes=self.rng.randrange(5, 40))
        self.add(
            refused,
            "refused",
            stage="reception",
            unit_code=self.holder,
            reasons=["Hồ sơ không thuộc thẩm quyền giải quyết"],
        )
        self.story.ended, self.story.finished_at = "refused", refused
        return refused, None

    def withdrawn(self) -> tuple[datetime, datetime | None]:
        finish = self.allowed * self.rng.uniform(0.25, 0.95)
        self.handovers(finish * 0.45)
        withdrawn = self.line.at(finish * 0.5)
        self.add(withdrawn, "withdrawn", kind="withdrawn", reason="Công dân xin rút hồ sơ")
        self.story.ended, self.story.finished_at = "withdrawn", withdrawn
        return withdrawn, None

    def ordinary(self) -> tuple[datetime, datetime | None] | None:
        finish = self.allowed * self.rng.uniform(0.25, 0.95)
        self.handovers(finish * 0.9)
        if self.story.fate is Fate.SUPPLEMENTED:
            asked = self.cursor + (finish - self.cursor) * 0.3
            paused = self.rng.uniform(1, 12) * HOUR
            self.supplement(asked)
            self.add(
                self.line.at(asked + paused),
                "supplement_received",
                unit_code=self.holder,
                items=["Đã bổ sung"],
            )
            self.cursor = asked + paused
            finish += paused
            self.story.appointment = self.line.at(self.allowed + paused)
        self.fee(finish)
        finished = self.line.at(finish)
        return self.finish(finished) if finished < self.week.end else None

    def supplement(self, asked: float) -> None:
        self.add(
            self.line.at(asked),
            "supplement_requested",
            unit_code=self.holder,
            missing_items=[self.rng.choice(MISSING)],
            reason="Thiếu giấy tờ theo quy định",
            contact_name="Cán bộ một cửa",
            contact_phone="02103812345",
        )
        self.story.supplements += 1

    def supplement_pending(self) -> None:
        low, high = _pending_window(self.story, self.week)
        asked = self.rng.uniform(low, high)
        self.handovers(min(asked, self.allowed) * 0.6)
        self.supplement(asked)

    def late_day(self, after: date) -> datetime:
        """An instant 2 to 6.5 office hours into one of the played days after `after`
        (mostly the next one)."""
        days = self.week.later_days(after)
        day = days[0] if len(days) == 1 or self.rng.random() < 0.6 else self.rng.choice(days)
        return self.week.during(day, self.rng.uniform(2, 6.5) * HOUR)

    def late(self) -> tuple[datetime, datetime | None]:
        story, week = self.story, self.week
        self.handovers(self.allowed * 0.6)
        in_time = self.line.at(self.allowed * self.rng.uniform(0.7, 0.95))
        if story.fate is Fate.APOLOGY_BROKEN:
            promised = reappointment_day(story, week)
            finished = self.late_day(promised)
            self.apology(in_time, week.close(promised))
        else:
            finished = self.late_day(_due_day(story))
            promised_close = week.close(finished.astimezone(VIETNAM).date())
            if story.fate is Fate.APOLOGY_KEPT:
                self.apology(in_time, promised_close)
            elif story.fate is Fate.APOLOGY_AFTER:
                overdue = self.line.offset(finished) - self.allowed
                filed = self.line.at(self.allowed + overdue * self.rng.uniform(0.3, 0.7))
                self.apology(filed, promised_close)
        self.fee(self.line.offset(finished))
        return self.finish(finished)

    def overdue_open(self) -> None:
        story, week = self.story, self.week
        self.handovers(self.allowed * 0.6)
        promised = reappointment_day(story, week)
        if promised < week.last_day and self.rng.random() < 0.5:
            filed = self.line.at(self.allowed * self.rng.uniform(0.7, 0.95))
            self.apology(filed, week.close(promised))
        self.fee(self.allowed)

    def late_upload(self) -> tuple[datetime, datetime | None]:
        self.handovers(self.allowed * 0.4)
        self.fee(self.allowed * 0.5)
        finished = self.line.at(self.allowed * self.rng.uniform(0.55, 0.85))
        uploaded = self.late_day(_due_day(self.story))
        return self.finish(finished, uploaded)


def _rate(rng: random.Random, story: Story, after: datetime, sent_after: datetime | None) -> None:
    at = after + timedelta(minutes=rng.randrange(1, 30))
    score = rng.choices((5, 4, 3, 2, 1), weights=(50, 30, 12, 5, 3))[0]
    body = {
        "type": "satisfaction_rated",
        "occurred_at": at.isoformat(),
        "score": score,
        "complaint": score == 1,
    }
    sent_at = sent_after and max(sent_after, at)
    story.steps.append(Step(at, story.number, "event", body, sent_at))
