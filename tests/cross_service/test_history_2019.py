"""A 2019 dossier set imported through intake is judged by 2019's calendar in tracking.

The dossiers are loaded as a province loads its past, through intake's NDJSON import
(`POST /v1/imports`, reception and finish events on each line), long after the fact (the
stack's clock is in 2026). Once tracking has applied them, its official look-up must give
exactly the appointments and verdicts worked out by hand below.

The rules (brief decisions 2, 3, 4 and 8): working days Monday to Friday, office hours
07:30-11:30 and 13:00-17:00 (8 h a day); a limit of N working days is N x 8 h of office
time added from the reception; a reception after the procedure's 15:00 cut-off starts at
the opening of the next working day; the verdict is by working day (finished on an
earlier working day than the appointment's: early; on the appointment's day: on time;
later: late). The 2019 calendar (`decisions/2019.json`, Government Office dispatch
6519/VPCP-KGVX): days off Tue 1/1, Tết Sat 2/2 - Sun 10/2, Mon 15/4 (Hùng Kings),
Sat 27/4 - Wed 1/5; make-up working Saturdays 5/1 and 4/5.

Worked by hand (all times +07:00; every procedure has late_cutoff 15:00):

1. Just before the Tết break. 2.001417 (criminal record, STP, 10 working days = 80 h),
   received Thu 31/01/2019 10:00. Thu 31/1 leaves 1.5 h + 4 h = 5.5 h; Fri 1/2 8 h
   (13.5); Sat 2/2 - Sun 10/2 off; Mon 11/2 - Wed 20/2 are 8 working days, 64 h (77.5);
   Thu 21/2 07:30 + 2.5 h. Appointment Thu 21/02/2019 10:00. Finished Thu 21/02 16:00:
   after the instant, but on the appointment's working day: **on time**.

2. On the make-up Saturday. 1.002859 (SXD, 2 working days = 16 h), received Sat
   05/01/2019 09:00, a working day in exchange for Mon 31/12/2018. Sat 5/1 leaves
   2.5 h + 4 h = 6.5 h; Mon 7/1 8 h (14.5); Tue 8/1 07:30 + 1.5 h. Appointment Tue
   08/01/2019 09:00. Finished Mon 07/01 15:00, a working day before: **early**.
   (Were the Saturday off, counting would start Mon 7/1 07:30 and end Tue 8/1 17:00.)

3. After 15:00 on the working day before a day off. 1.002859 (2 working days = 16 h),
   received Fri 12/04/2019 15:30, after the cut-off. Sat 13/4, Sun 14/4 and Mon 15/4
   (Hùng Kings, observed) are off, so counting starts Tue 16/04 07:30: Tue 16/4 8 h,
   Wed 17/4 8 h, ending at the close. Appointment Wed 17/04/2019 17:00. Finished Thu
   18/04 08:00: **late**.

4. Across 30/4-1/5. 2.001610 (STC, 3 working days = 24 h), received Fri 26/04/2019
   14:00. Fri 26/4 leaves 3 h; Sat 27/4 - Wed 1/5 off; Thu 2/5 8 h (11); Fri 3/5 8 h
   (19); Sat 4/5 is the make-up working day: 07:30 + 4 h = 11:30 (23), 13:00 + 1 h.
   Appointment Sat 04/05/2019 14:00. Finished Mon 06/05 07:45: **late** (were the
   Saturday off, the appointment would be Mon 6/5 14:00 and this finish on time).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import orjson
import pytest

pytestmark = pytest.mark.infra

TOKEN = "cross-service-operator-token"

# agency: (procedure, one-stop unit, specialist unit, leader unit)
OFFICES = {
    "STP": ("2.001417", "STP.MC", "STP.HCTP", "STP.BGD"),
    "SXD": ("1.002859", "SXD.MC", "SXD.QLHDXD", "SXD.BGD"),
    "STC": ("2.001610", "STC.MC", "STC.DKKD", "STC.BGD"),
}


def at(text: str) -> datetime:
    return datetime.fromisoformat(f"{text}+07:00")


# code: (agency, received, finished, hand-worked appointment, hand-worked verdict)
EXAMPLES: dict[str, tuple[str, datetime, datetime, datetime, str]] = {
    "STP-2019-TET": (
        "STP",
        at("2019-01-31T10:00:00"),
        at("2019-02-21T16:00:00"),
        at("2019-02-21T10:00:00"),
        "on_time",
    ),
    "SXD-2019-MAKEUP": (
        "SXD",
        at("2019-01-05T09:00:00"),
        at("2019-01-07T15:00:00"),
        at("2019-01-08T09:00:00"),
        "early",
    ),
    "SXD-2019-CUTOFF": (
        "SXD",
        at("2019-04-12T15:30:00"),
        at("2019-04-18T08:00:00"),
        at("2019-04-17T17:00:00"),
        "late",
    ),
    "STC-2019-MAYDAY": (
        "STC",
        at("2019-04-26T14:00:00"),
        at("2019-05-06T07:45:00"),
        at("2019-05-04T14:00:00"),
        "late",
    ),
}


def line(n: int, code: str) -> bytes:
    agency, received, finished, _, _ = EXAMPLES[code]
    procedure, one_stop, specialist, leader = OFFICES[agency]
    dossier = {
        "dossier_code": code,
        "procedure_code": procedure,
        "agency_code": agency,
        "unit_code": one_stop,
        "channel": "counter",
        "applicant": {"name": "Nguyễn Thị Hoa", "national_id": f"0251900{n:05d}"},
        "received_at": received.isoformat(),
    }
    events = [
        {
            "type": "transferred",
            "from_unit": one_stop,
            "to_unit": specialist,
            "occurred_at": (received + timedelta(minutes=20)).isoformat(),
        },
        {
            "type": "processing_finished",
            "outcome": "approved",
            "unit_code": leader,
            "occurred_at": finished.isoformat(),
        },
    ]
    return orjson.dumps({"kind": "registration", "dossier": dossier, "events": events})


async def test_a_2019_import_gets_the_hand_worked_appointments_and_verdicts(province) -> None:
    body = b"".join(line(n, code) + b"\n" for n, code in enumerate(EXAMPLES, start=1))
    response = await province.clients["intake"].post(
        "/v1/imports",
        content=body,
        headers={"X-API-Key": province.admin_key, "Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["accepted"], report["rejected"]) == (len(EXAMPLES), 0), report

    async def judged(code: str) -> dict[str, Any] | None:
        answer = await province.clients["tracking"].get(
            f"/v1/dossiers/{code}", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        if answer.status_code != 200:
            return None
        view: dict[str, Any] = answer.json()
        return view if view["verdict"] is not None else None

    seen = {}
    for code in EXAMPLES:
        view = await province.eventually(lambda code=code: judged(code))
        seen[code] = (datetime.fromisoformat(view["appointment_at"]), view["verdict"])

    expected = {code: (due, verdict) for code, (_, _, _, due, verdict) in EXAMPLES.items()}
    assert seen == expected
