"""Tracking and scoring say the same of every open dossier: within deadline, due soon or
overdue (`motcua.verdicts`), at the same instant.

A property over random receptions, limits, pauses, instants and granularities compares
tracking's dossier standing (what its look-ups show) with scoring's list state and its
overdue count; then, on the real stack, dossiers registered through intake (some paused,
one finished) are compared one by one between tracking's official look-up and scoring's
`GET /v1/open-dossiers` at one instant of the shared manual clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.verdicts import Granularity, Standing
from motcua_scoring.adapters.open_dossiers import OpenDossier
from motcua_scoring.domain import DeadlineSet, DossierFacts, Received, Scope, ScopeKind, apply_all
from motcua_scoring.domain import count as scoring_count
from motcua_scoring.domain.facts import Identity
from motcua_scoring.domain.periods import day_period, local_date
from motcua_scoring.service.reading import _open_json
from motcua_tracking.domain import (
    DueSoonReached,
    OverdueReached,
    ProcedureTerms,
    ProcessingTime,
    Rules,
    SentAlert,
    SupplementPolicy,
    TrackedDossier,
    alert_type,
    vietnam_time_zone,
)
from motcua_tracking.domain.calendar import build_calendar

VN = vietnam_time_zone()
CALENDAR = build_calendar()
STP = Scope(ScopeKind.AGENCY, "STP")
TOKEN = "cross-service-operator-token"


@settings(max_examples=200, deadline=None)
@given(
    received_at=st.datetimes(
        min_value=datetime(2026, 1, 5), max_value=datetime(2026, 11, 30), timezones=st.just(VN)
    ),
    days=st.sampled_from(["0.5", "1", "2", "3", "5", "10"]),
    later=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)),
    paused=st.booleans(),
    granularity=st.sampled_from(Granularity),
)
def test_tracking_and_scoring_judge_an_open_dossier_alike(
    received_at: datetime, days: str, later: timedelta, paused: bool, granularity: Granularity
) -> None:
    rules = Rules(granularity)
    terms = ProcedureTerms("P", ProcessingTime.working_days(days), ())
    dossier, _ = TrackedDossier.receive(
        code="STP-260105-0001",
        agency_code="STP",
        unit_code="STP.MC",
        procedure_name="P",
        terms=terms,
        policy=SupplementPolicy.PAUSE,
        received_at=received_at,
        calendar=CALENDAR,
        rules=rules,
    )
    now = received_at + later
    if paused:
        dossier.request_supplement(
            at=received_at, now=received_at, unit_code="STP.MC", calendar=CALENDAR, rules=rules
        )
    fired = dossier.advance(now, now)
    for n, alert in enumerate(fired):  # as tracking records each alert it publishes
        if isinstance(alert, DueSoonReached | OverdueReached):
            for timer in dossier.timers:
                if timer.key == alert.timer:
                    timer.sent.append(SentAlert(alert_type(alert), str(n), alert.unit_code))
    tracked = dossier.standing(CALENDAR, now, granularity)
    due = dossier.due(CALENDAR)

    warned: dict[type, datetime] = {}
    for alert in fired:
        if isinstance(alert, DueSoonReached | OverdueReached) and alert.scope == "dossier":
            warned[type(alert)] = max(alert.due_at, warned.get(type(alert), alert.due_at))
    row = OpenDossier(
        code=dossier.code,
        agency="STP",
        unit="STP.MC",
        procedure="P",
        received_at=received_at,
        due_at=due,
        due_soon_for=warned.get(DueSoonReached),
        overdue_for=warned.get(OverdueReached),
    )
    assert tracked is not None
    assert _open_json(row, now, granularity)["state"] == tracked.value

    facts = apply_all(
        DossierFacts(dossier.code),
        [
            Received(received_at, Identity("STP", "P", "civil", None, "STP.MC")),
            DeadlineSet(received_at, due),
        ],
    )
    counted = scoring_count([facts], STP, day_period(local_date(now)), now, granularity)
    if granularity is Granularity.WORKING_DAY:
        assert (counted.in_progress_overdue == 1) is (tracked is Standing.OVERDUE)
    elif tracked is Standing.OVERDUE:
        # the day figures stand at the day's close: overdue now is overdue then
        assert counted.in_progress_overdue == 1


RECEIVED = datetime.fromisoformat("2026-06-01T09:00:00+07:00")
NOW = datetime.fromisoformat("2026-06-16T10:00:00+07:00")
ASKED = {
    "type": "supplement_requested",
    "missing_items": ["Bản sao Căn cước công dân"],
    "reason": "Thiếu giấy tờ tùy thân",
    "unit_code": "STP.MC",
}
FINISHED = {"type": "processing_finished", "outcome": "approved", "unit_code": "STP.MC"}

# name: (reception, the event after it if any, the standing at NOW by working day)
# 10 working days: received on 1 June 09:00, due on 15 June 09:00.
DOSSIERS: dict[str, tuple[datetime, dict[str, Any] | None, str | None]] = {
    "due yesterday": (RECEIVED, None, "overdue"),
    "due today, hour passed": (RECEIVED + timedelta(days=1), None, "due_soon"),
    "due today, later": (RECEIVED + timedelta(days=1, hours=5), None, "due_soon"),
    "due in two days": (RECEIVED + timedelta(days=3), None, None),
    "due yesterday, paused": (RECEIVED + timedelta(minutes=30), ASKED, "within_deadline"),
    "finished": (RECEIVED + timedelta(minutes=40), FINISHED, None),
}


def registration(n: int, at: datetime) -> dict[str, Any]:
    return {
        "procedure_code": "2.001417",
        "agency_code": "STP",
        "unit_code": "STP.MC",
        "channel": "counter",
        "applicant": {"name": "Lê Thị Hoa", "national_id": f"0251910{n:05d}"},
        "received_at": at.isoformat(),
    }


@pytest.mark.infra
async def test_tracking_look_ups_and_scoring_list_agree_dossier_by_dossier(province) -> None:
    codes: dict[str, str] = {}
    for n, (name, (at, then, _)) in enumerate(sorted(DOSSIERS.items(), key=lambda i: i[1][0])):
        codes[name] = (await province.post("/v1/dossiers", registration(n, at), at=at))["code"]
        if then is not None:
            then_at = at + timedelta(minutes=2)
            body = {**then, "occurred_at": then_at.isoformat()}
            await province.post(f"/v1/dossiers/{codes[name]}/events", body, at=then_at)
    province.clock.set(NOW)

    async def standings() -> dict[str, tuple[str | None, str | None]] | None:
        listed = await province.clients["scoring"].get(
            "/v1/open-dossiers",
            params={"scope": "agency:STP", "limit": 500},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        states = {item["code"]: item["state"] for item in listed.json()["items"]}
        seen = {}
        for name, code in codes.items():
            response = await province.clients["tracking"].get(
                f"/v1/dossiers/{code}", headers={"Authorization": f"Bearer {TOKEN}"}
            )
            if response.status_code != 200:
                return None
            view = response.json()
            if name != "finished" and view["due_at"] is not None:
                # an open dossier with a due time is listed by scoring (paused ones are not)
                seen[name] = (view["standing"], states.get(code))
            else:
                seen[name] = (view["standing"], states.get(code, view["standing"]))
        agreed = all(ours == theirs for ours, theirs in seen.values())
        return seen if agreed and seen["finished"] == (None, None) else None

    seen = await province.eventually(standings, within=60)
    assert {name: ours for name, (ours, _) in seen.items()} == {
        name: expected or seen[name][0] for name, (_, _, expected) in DOSSIERS.items()
    }
    assert seen["due in two days"][0] in {"within_deadline", "due_soon"}
