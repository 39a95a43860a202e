"""A seeded plan of a province's week at the counters: who comes when, and what happens next.

Pure: the same seed, offices and start give the same plan. Offices receive very
different volumes (`volumes`); each dossier gets a fate (`Fate`) and its story of steps
at simulated instants (`fates`); the simulator plays them in time order.

Among the short procedures (within the day, a half day, one or two working days) some
run late inside the played week, so the week shows what lateness looks like: form 04
filed in time or after the appointment, or never; re-appointments kept and broken;
dossiers still open past their appointment; supplements still awaited at the end; and
a counter that uploads a finished dossier only the next day.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from motcua_demo.calendar import VIETNAM, OfficeCalendar
from motcua_demo.fates import Week, feasible, unfold
from motcua_demo.stories import LATE_FATES, Fate, Office, Procedure, Step, Story
from motcua_demo.volumes import daily_volumes

__all__ = ["Fate", "Mix", "Office", "Procedure", "Step", "Story", "plan_week"]

CHANNELS = (("counter", 0.55), ("online_full", 0.25), ("online_partial", 0.15), ("postal", 0.05))
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi")
MIDDLE = ("Văn", "Thị", "Hữu", "Minh", "Thu", "Ngọc", "Đức", "Thanh")
GIVEN = (
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hùng",
    "Lan",
    "Linh",
    "Mai",
    "Nam",
    "Phương",
    "Quang",
    "Sơn",
    "Thảo",
    "Trang",
    "Tuấn",
    "Yến",
)


@dataclass(frozen=True)
class Mix:
    """Shares of what happens; the defaults give a plausible office week."""

    per_office_per_day: int = 12
    refused: float = 0.03
    withdrawn: float = 0.03
    supplement: float = 0.10
    late: float = 0.15
    """Of the short procedures that can run late inside the week."""
    apology_when_late: float = 0.75
    overdue_open: float = 0.04
    supplement_pending: float = 0.03
    late_upload: float = 0.02
    rated: float = 0.6
    steady: bool = False
    """Arrivals evenly over office hours, no morning peak or lunch lull (the chaos suite's
    steady load)."""
    at_least: dict[Fate, int] = field(
        default_factory=lambda: {
            Fate.APOLOGY_KEPT: 2,
            Fate.APOLOGY_BROKEN: 1,
            Fate.APOLOGY_AFTER: 1,
            Fate.UNAPOLOGISED: 1,
            Fate.OVERDUE_OPEN: 2,
            Fate.SUPPLEMENT_PENDING: 2,
            Fate.LATE_UPLOAD: 1,
        }
    )
    """Fates every week shows, where some dossier of the week can take them."""


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    roll, total = rng.random(), 0.0
    for value, weight in weighted:
        total += weight
        if roll < total:
            return value
    return weighted[-1][0]


def _arrival_time(rng: random.Random, day: date, steady: bool = False) -> datetime:
    """Office hours with a morning peak: 60 % of people come before lunch."""
    if steady:
        minute = rng.uniform(7 * 60 + 30, 17 * 60)
    elif rng.random() < 0.6:
        minute = rng.triangular(7 * 60 + 30, 11 * 60 + 30, 8 * 60 + 45)
    else:
        minute = rng.triangular(13 * 60, 17 * 60, 14 * 60)
    return datetime.combine(day, time(0), VIETNAM) + timedelta(
        minutes=int(minute), seconds=rng.randrange(60)
    )


def _citizen(rng: random.Random, n: int) -> dict[str, Any]:
    province = rng.choice(("025", "026", "001", "022"))
    century_sex, year = rng.choice((("0", 55), ("1", 55), ("2", 0), ("3", 0)))
    born = rng.randrange(year, year + 45 if year else 7)
    national_id = f"{province}{century_sex}{born:02d}{n % 1_000_000:06d}"
    phone = f"09{rng.randrange(10_000_000, 99_999_999)}"
    name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    return {
        "name": name,
        "kind": "citizen",
        "national_id": national_id,
        "phone": phone,
        "email": f"cong.dan{n}@example.vn",
        "address": "Phường Việt Trì, tỉnh Phú Thọ",
        "consent": {"email": True, "sms": rng.random() < 0.7, "zalo": rng.random() < 0.3},
    }


def plan_week(
    offices: list[Office],
    monday: date,
    days: int,
    seed: int,
    mix: Mix | None = None,
    calendar: OfficeCalendar | None = None,
) -> list[Story]:
    """The stories of every dossier received on `days` working days from `monday`."""
    mix = mix or Mix()
    calendar = calendar or OfficeCalendar()
    rng = random.Random(seed)
    played = [monday if calendar.is_working_day(monday) else calendar.next_working_day(monday)]
    while len(played) < days:
        played.append(calendar.next_working_day(played[-1]))
    week = Week(calendar, tuple(played))
    volumes = daily_volumes(rng, offices, played, mix.per_office_per_day)
    stories: list[Story] = []
    for i, day in enumerate(played):
        for office in offices:
            for _ in range(volumes[office.code][i]):
                stories.append(_arrival(rng, len(stories) + 1, office, day, calendar, mix.steady))
    _assign_fates(rng, stories, week, mix)
    return [unfold(rng, story, week, mix.rated) for story in stories]


def _procedure(rng: random.Random, office: Office) -> Procedure:
    """Certifications and civil status, done within a day or two, fill most queues."""
    weights = [
        3 if p.working_days <= 0.5 else 2 if p.working_days <= 3 else 1 for p in office.procedures
    ]
    return rng.choices(office.procedures, weights=weights)[0]


def _arrival(
    rng: random.Random,
    n: int,
    office: Office,
    day: date,
    calendar: OfficeCalendar,
    steady: bool = False,
) -> Story:
    procedure = _procedure(rng, office)
    channel = _pick(rng, CHANNELS)
    if channel == "online_full" and not procedure.online_eligible:
        channel = "online_partial"
    received = _arrival_time(rng, day, steady)
    appointment = calendar.appointment(received, procedure.working_days, procedure.late_cutoff)
    story = Story(n, office, procedure, channel, received, appointment)
    story.steps.append(
        Step(
            received,
            n,
            "register",
            {
                "procedure_code": procedure.code,
                "agency_code": office.code,
                "unit_code": office.units["one_stop"],
                "channel": channel,
                "applicant": _citizen(rng, n),
                "components": [{"name": "Tờ khai", "copies": 1, "original": True}],
                "received_at": received.isoformat(),
                "digitised": rng.random() < 0.8,
            },
        )
    )
    return story


def _assign_fates(rng: random.Random, stories: list[Story], week: Week, mix: Mix) -> None:
    """The fates every week shows first (on dossiers that can take them), then a draw."""
    order = rng.sample(stories, len(stories))
    chosen: set[int] = set()
    for fate, count in mix.at_least.items():
        takers = [s for s in order if s.number not in chosen and feasible(fate, s, week)]
        for story in takers[:count]:
            story.fate = fate
            chosen.add(story.number)
    for story in order:
        if story.number not in chosen:
            story.fate = _draw(rng, story, week, mix)


def _draw(rng: random.Random, story: Story, week: Week, mix: Mix) -> Fate:
    roll = rng.random()
    for fate, share in (
        (Fate.REFUSED, mix.refused),
        (Fate.WITHDRAWN, mix.withdrawn),
        (Fate.OVERDUE_OPEN, mix.overdue_open),
        (Fate.SUPPLEMENT_PENDING, mix.supplement_pending),
        (Fate.LATE_UPLOAD, mix.late_upload),
    ):
        if roll < share:
            return fate if feasible(fate, story, week) else Fate.ORDINARY
        roll -= share
    if rng.random() < mix.late:
        if rng.random() >= mix.apology_when_late:
            late = Fate.UNAPOLOGISED
        else:
            late = _pick(
                rng, (("apology_kept", 0.6), ("apology_broken", 0.25), ("apology_after", 0.15))
            )
            late = Fate(late)
        if late in LATE_FATES and feasible(late, story, week):
            return late
    return Fate.SUPPLEMENTED if rng.random() < mix.supplement else Fate.ORDINARY
