"""A seeded plan of a province's week at the counters: who comes when, and what happens next.

Pure: the same seed, offices and start give the same plan. Each dossier's story is a
list of steps at simulated instants; the simulator plays them in time order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from motcua_demo.calendar import VIETNAM, OfficeCalendar

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
MISSING = (
    "Bản sao Căn cước công dân",
    "Giấy ủy quyền có chứng thực",
    "Bản vẽ hiện trạng",
    "Tờ khai theo mẫu có chữ ký",
    "Giấy xác nhận nơi cư trú",
)


@dataclass(frozen=True)
class Procedure:
    """What the simulator needs of a catalogue entry."""

    code: str
    name: str
    working_days: float  # 0 for "within the day"
    step_roles: tuple[str, ...]
    has_fee: bool
    fee_vnd: int
    online_eligible: bool


@dataclass(frozen=True)
class Office:
    """An agency with its units by role and the procedures it handles."""

    code: str
    name: str
    units: dict[str, str]
    procedures: tuple[Procedure, ...]


@dataclass(frozen=True)
class Step:
    """One thing that happens to a dossier at a simulated instant."""

    at: datetime
    dossier: int
    kind: str  # "register" | "event" | "apology"
    body: dict[str, Any]


@dataclass
class Story:
    """A dossier's planned life, and what the simulator expects to come of it."""

    number: int
    office: Office
    procedure: Procedure
    channel: str
    received_at: datetime
    appointment: datetime
    steps: list[Step] = field(default_factory=list)
    finished_at: datetime | None = None
    ended: str = "open"  # open | finished | refused | withdrawn
    apology: datetime | None = None
    apology_late: bool = False
    supplements: int = 0


@dataclass(frozen=True)
class Mix:
    """Shares of what happens; the defaults give a plausible office week."""

    per_office_per_day: int = 12
    refused: float = 0.03
    withdrawn: float = 0.03
    supplement: float = 0.10
    late: float = 0.10
    apology_when_late: float = 0.75
    rated: float = 0.6


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    roll, total = rng.random(), 0.0
    for value, weight in weighted:
        total += weight
        if roll < total:
            return value
    return weighted[-1][0]


def _arrival(rng: random.Random, day: date) -> datetime:
    """Office hours with a morning peak: 60 % of people come before lunch."""
    if rng.random() < 0.6:
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
    horizon = datetime.combine(monday + timedelta(days=days + 2), time(0), VIETNAM)
    stories: list[Story] = []
    day = monday
    for _ in range(days):
        for office in offices:
            for _ in range(mix.per_office_per_day):
                stories.append(_story(rng, len(stories) + 1, office, day, mix, calendar, horizon))
        day = calendar.next_working_day(day)
    return stories


def _story(
    rng: random.Random,
    n: int,
    office: Office,
    day: date,
    mix: Mix,
    calendar: OfficeCalendar,
    horizon: datetime,
) -> Story:
    procedure = rng.choice(office.procedures)
    channel = _pick(rng, CHANNELS)
    if channel == "online_full" and not procedure.online_eligible:
        channel = "online_partial"
    received = _arrival(rng, day)
    appointment = calendar.appointment(received, procedure.working_days)
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
    origin = calendar.counting_start(received)
    allowed = calendar.working_seconds(origin, appointment)

    def at(offset: float) -> datetime:
        """The instant `offset` seconds of office time after the clock started."""
        return max(calendar.add_working_seconds(origin, offset), received + timedelta(seconds=1))

    if rng.random() < mix.refused:
        refused = received + timedelta(minutes=rng.randrange(5, 40))
        story.steps.append(
            _event(
                n,
                refused,
                "refused",
                stage="reception",
                unit_code=office.units["one_stop"],
                reasons=["Hồ sơ không thuộc thẩm quyền giải quyết"],
            )
        )
        story.ended, story.finished_at = "refused", refused
        return _rate(rng, story, refused, mix)
    late = rng.random() < mix.late
    finish = allowed * (rng.uniform(1.08, 1.6) if late else rng.uniform(0.25, 0.95))
    roles = [r for r in procedure.step_roles if r != "one_stop"] or ["specialist"]
    giver, cursor = office.units["one_stop"], 0.0
    handled_by = min(finish, allowed * 0.9)  # hand-overs happen while the clock still runs
    for i, role in enumerate(roles):
        offset = handled_by * (i + 0.5) / (len(roles) + 1)
        receiver = office.units.get(role, office.units["specialist"])
        if receiver != giver:
            story.steps.append(
                _event(n, at(offset), "transferred", from_unit=giver, to_unit=receiver)
            )
            giver, cursor = receiver, offset
    paused = 0.0
    if rng.random() < mix.supplement and not late:
        asked = cursor + (finish - cursor) * 0.3
        paused = rng.uniform(1, 12) * 3600
        story.steps.append(
            _event(
                n,
                at(asked),
                "supplement_requested",
                unit_code=giver,
                missing_items=[rng.choice(MISSING)],
                reason="Thiếu giấy tờ theo quy định",
                contact_name="Cán bộ một cửa",
                contact_phone="02103812345",
            )
        )
        story.steps.append(
            _event(
                n, at(asked + paused), "supplement_received", unit_code=giver, items=["Đã bổ sung"]
            )
        )
        story.supplements = 1
        cursor = asked + paused
        finish += paused
    story.appointment = at(allowed + paused)
    if rng.random() < mix.withdrawn:
        withdrawn = at(finish * 0.5)
        story.steps = [s for s in story.steps if s.at < withdrawn]
        if story.steps[-1].body.get("type") == "supplement_requested":
            story.steps.pop()
        story.supplements = sum(s.body.get("type") == "supplement_requested" for s in story.steps)
        story.steps.append(
            _event(n, withdrawn, "withdrawn", kind="withdrawn", reason="Công dân xin rút hồ sơ")
        )
        story.ended, story.finished_at = "withdrawn", withdrawn
        return _rate(rng, story, withdrawn, mix)
    if late and rng.random() < mix.apology_when_late:
        filed = at(max(allowed + paused - rng.uniform(1, 6) * 3600, cursor + 300))
        new_appointment = at(allowed + paused + rng.choice((1, 2, 3)) * 8 * 3600)
        story.steps.append(
            Step(
                filed,
                n,
                "apology",
                {
                    "unit_code": giver,
                    "reason": "Hồ sơ cần xác minh thêm với cơ quan liên quan",
                    "new_appointment_at": new_appointment.isoformat(),
                    "signed_by": "Thủ trưởng cơ quan",
                    "filed_at": filed.isoformat(),
                },
            )
        )
        story.apology, story.apology_late = filed, filed > story.appointment
    if procedure.has_fee:
        set_at = cursor + (finish - cursor) * 0.5
        story.steps.append(
            _event(
                n,
                at(set_at),
                "financial_obligation_set",
                amount_vnd=procedure.fee_vnd,
                description="Lệ phí giải quyết",
            )
        )
        story.steps.append(
            _event(
                n,
                at(set_at + 600),
                "financial_obligation_paid",
                amount_vnd=procedure.fee_vnd,
                method="online" if rng.random() < 0.45 else "counter",
            )
        )
    finished = at(finish)
    if finished >= horizon:
        story.steps.sort(key=lambda s: s.at)
        return story
    story.steps.append(
        _event(
            n,
            finished,
            "processing_finished",
            outcome="approved",
            unit_code=giver,
            e_result_issued=rng.random() < 0.7,
        )
    )
    story.ended, story.finished_at = "finished", finished
    returned = at(finish + rng.uniform(0.5, 6) * 3600)
    if returned < horizon:
        story.steps.append(_event(n, returned, "result_returned", method="counter"))
    return _rate(rng, story, returned, mix)


def _rate(rng: random.Random, story: Story, after: datetime, mix: Mix) -> Story:
    if rng.random() < mix.rated:
        at = after + timedelta(minutes=rng.randrange(1, 30))
        score = rng.choices((5, 4, 3, 2, 1), weights=(50, 30, 12, 5, 3))[0]
        story.steps.append(
            _event(story.number, at, "satisfaction_rated", score=score, complaint=score == 1)
        )
    story.steps.sort(key=lambda s: s.at)
    return story


def _event(n: int, at: datetime, event_type: str, **fields: Any) -> Step:
    return Step(at, n, "event", {"type": event_type, "occurred_at": at.isoformat(), **fields})
