"""The simulator's plan: reproducible, inside office hours, consistent stories."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time

from motcua_demo.calendar import VIETNAM, OfficeCalendar
from motcua_demo.scenario import plan_week
from motcua_demo.stories import Office, Procedure

OFFICES = [
    Office(
        "STP",
        "Sở Tư pháp",
        {"one_stop": "STP-MC", "specialist": "STP-CM", "leader": "STP-LD"},
        (
            Procedure(
                "2.000908", "Chứng thực bản sao", 0.5, ("one_stop", "specialist"), True, 2000, True
            ),
            Procedure(
                "2.001417",
                "Cấp phiếu lý lịch tư pháp",
                10,
                ("one_stop", "specialist", "leader"),
                True,
                200000,
                True,
            ),
            Procedure("1.001193", "Đăng ký khai sinh", 0, ("one_stop",), False, 0, True),
        ),
    )
]
MONDAY = date(2026, 6, 1)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 6, day, hour, minute, tzinfo=VIETNAM)


def test_counting_follows_office_hours_and_the_cutoff() -> None:
    calendar = OfficeCalendar()
    assert calendar.appointment(at(1, 10), 3) == at(4, 10)
    assert calendar.appointment(at(1, 7, 30), 1) == at(1, 17)
    assert calendar.appointment(at(1, 12), 1) == at(2, 11, 30)  # lunch: counts from 13:00
    assert calendar.appointment(at(1, 15, 30), 0.5) == at(2, 11, 30)  # after the cut-off
    assert calendar.appointment(at(5, 16), 1) == at(8, 17)  # Friday after 15:00 → Monday
    assert calendar.appointment(at(1, 9), 0) == at(1, 17)  # within the day
    assert calendar.appointment(at(1, 15, 30), 0.5, None) == at(2, 10)  # no cut-off
    assert calendar.working_seconds(at(1, 9), at(1, 17)) == 6.5 * 3600  # lunch excluded
    assert calendar.working_seconds(at(1, 10), at(4, 10)) == 3 * 8 * 3600


def test_the_same_seed_gives_the_same_week() -> None:
    first = plan_week(OFFICES, MONDAY, 5, seed=11)
    again = plan_week(OFFICES, MONDAY, 5, seed=11)
    other = plan_week(OFFICES, MONDAY, 5, seed=12)
    assert [s.steps for s in first] == [s.steps for s in again]
    assert [s.steps for s in first] != [s.steps for s in other]


def test_a_planned_appointment_is_the_calendar_appointment_plus_the_pause() -> None:
    calendar = OfficeCalendar()
    for story in plan_week(OFFICES, MONDAY, 5, seed=4):
        procedure = story.procedure
        plain = calendar.appointment(
            story.received_at, procedure.working_days, procedure.late_cutoff
        )
        if not story.supplements:
            assert story.appointment == plain


def test_stories_are_ordered_and_happen_in_office_hours() -> None:
    stories = plan_week(OFFICES, MONDAY, 5, seed=3)
    for story in stories:
        times = [step.sends_at for step in story.steps]
        assert times == sorted(times)
        assert story.steps[0].kind == "register"
        received = story.received_at.astimezone(VIETNAM)
        assert received.weekday() < 5 and time(7, 30) <= received.time() <= time(17)
        for step in story.steps[1:]:
            if step.body.get("type") in {"transferred", "processing_finished"}:
                local = step.at.astimezone(VIETNAM).time()
                assert time(7, 30) <= local <= time(17), step


def test_the_mix_has_every_kind_of_ending() -> None:
    stories = plan_week(OFFICES, MONDAY, 5, seed=5)
    endings = Counter(s.ended for s in stories)
    assert endings["finished"] > 0 and endings["open"] > 0
    kinds = Counter(step.body.get("type", step.kind) for s in stories for step in s.steps)
    assert kinds["register"] == len(stories)
    assert kinds["transferred"] > 0 and kinds["result_returned"] > 0


def test_a_withdrawn_dossier_has_nothing_after_its_withdrawal() -> None:
    stories = plan_week(OFFICES, MONDAY, 5, seed=9)
    for story in (s for s in stories if s.ended == "withdrawn"):
        types = [step.body.get("type") for step in story.steps]
        after = types[types.index("withdrawn") + 1 :]
        assert set(after) <= {"satisfaction_rated"}


def test_apologies_come_before_the_new_appointment_and_after_the_last_hand_over() -> None:
    stories = plan_week(OFFICES * 3, MONDAY, 5, seed=21)
    apologies = 0
    for story in stories:
        for i, step in enumerate(story.steps):
            if step.kind != "apology":
                continue
            apologies += 1
            new_appointment = datetime.fromisoformat(step.body["new_appointment_at"])
            assert step.at < new_appointment
            assert all(s.at <= step.at for s in story.steps[:i])
    assert apologies > 0


def test_a_fee_is_paid_before_the_dossier_is_finished_even_within_the_day() -> None:
    within_day = Procedure(
        "2.000815",
        "Cấp bản sao trích lục",
        0,
        ("one_stop", "specialist", "leader"),
        True,
        8000,
        True,
    )
    units = {"one_stop": "X-MC", "specialist": "X-CM", "leader": "X-LD"}
    office = Office("UBX", "UBND xã", units, (within_day,))
    fees = 0
    for seed in range(20):  # a reception late in the afternoon leaves minutes for the fee
        for story in plan_week([office] * 4, MONDAY, 5, seed=seed):
            times = [step.sends_at for step in story.steps]
            assert times == sorted(times), story.number
            types = [step.body.get("type") for step in story.steps]
            if "financial_obligation_paid" in types and "processing_finished" in types:
                fees += 1
                assert types.index("financial_obligation_paid") < types.index("processing_finished")
    assert fees > 0
