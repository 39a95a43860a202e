"""The scripted province of the unit scenario, as the events intake and tracking publish.

Times are Vietnam local; agency STP unless noted (as in unit/scoring_scenario.py):
D1 received 31 Oct 23:59, finished 3 Nov early; D2 received 30 Sep, finished 5 Oct
late; D3 on time, paid online, rated 5; D4 open, overdue, late apology; D5 transferred
A → B, open; D6 refused at reception; D7 withdrawn; D8 agency SXD, on time, rated 2
then complained; D9 received 20 Oct, finished 20 Nov, late.
"""

from __future__ import annotations

from datetime import date, datetime

from motcua.events import ApologyStanding, Channel, Verdict
from motcua_scoring.domain import LOCAL_TZ, Period, Scope, ScopeKind, parse_period

OFFICIAL_TOKEN = "test-scoring-official-token"
"""The bearer token of the dossier-level lists in these tests (SCORING_API__OFFICIAL_TOKEN)."""
DOSSIERS = 9


def local(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL_TZ)


def code(n: int) -> str:
    return f"STP-26110{n}-000{n}" if n != 8 else "SXD-261104-0008"


def write(script) -> None:
    """Every event of the province, intake's and tracking's."""
    d1, d2, d3, d4, d5, d6, d7, d8, d9 = (code(n) for n in range(1, 10))
    script.received(d1, local(10, 31, 23, 59))
    script.deadline(d1, local(10, 31, 23, 59), local(11, 4, 17))
    script.finished(d1, local(11, 3, 10), e_result=True)
    script.verdict(d1, local(11, 3, 18), Verdict.EARLY, 1.5)
    script.returned(d1, local(11, 5))

    script.received(d2, local(9, 30, 16), channel=Channel.ONLINE_FULL)
    script.deadline(d2, local(9, 30, 16), local(10, 2, 17))
    script.finished(d2, local(10, 5, 11))
    script.verdict(d2, local(10, 5, 18), Verdict.LATE, 3.5)

    script.received(d3, local(11, 2, 8), channel=Channel.ONLINE_PARTIAL, digitised=True)
    script.deadline(d3, local(11, 2, 8), local(11, 6, 17))
    script.obligation(d3, local(11, 3))
    script.paid(d3, local(11, 4), "online")
    script.finished(d3, local(11, 6, 15))
    script.verdict(d3, local(11, 6, 18), Verdict.ON_TIME, 4)
    script.rated(d3, local(11, 7), 5)

    script.received(d4, local(11, 10), channel=Channel.POSTAL)
    script.deadline(d4, local(11, 10), local(11, 12, 17))
    script.supplement(d4, local(11, 11))
    script.apology(d4, local(11, 13), local(11, 12, 17), local(11, 17, 17), late=True)

    script.received(d5, local(11, 16), digitised=True)
    script.deadline(d5, local(11, 16), local(11, 25, 17))
    script.transferred(d5, local(11, 17), "B")
    script.obligation(d5, local(11, 16, 10))
    script.paid(d5, local(11, 16, 11), "counter")

    script.refused(d6, local(11, 18))

    script.received(d7, local(11, 3), channel=Channel.ONLINE_FULL)
    script.withdrawn(d7, local(11, 5))

    script.received(
        d8, local(11, 4), agency="SXD", unit="SXD-1", procedure="P-BUILD", field="construction"
    )
    script.deadline(d8, local(11, 4), local(11, 10, 17), agency="SXD")
    script.finished(d8, local(11, 9), agency="SXD")
    script.verdict(d8, local(11, 9, 18), Verdict.ON_TIME, 2.5, agency="SXD")
    script.rated(d8, local(11, 10), 2, agency="SXD")
    script.rated(d8, local(11, 11), 2, complaint=True, agency="SXD")

    script.received(d9, local(10, 20), unit="B")
    script.deadline(d9, local(10, 20), local(10, 30, 17))
    script.finished(d9, local(11, 20))
    script.verdict(d9, local(11, 20, 18), Verdict.LATE, 15)


LATE_APOLOGISED = "STP-261112-0010"
KEPT = "STP-261112-0011"
BROKEN = "SXD-261112-0012"


def write_resolutions(script) -> None:
    """Three more dossiers resolved late in November, each with an apology in time: one
    never re-appointed, one re-appointed and kept, one (SXD) re-appointed and broken."""
    script.received(LATE_APOLOGISED, local(11, 12), unit="B")
    script.deadline(LATE_APOLOGISED, local(11, 12), local(11, 13, 17))
    script.apology(LATE_APOLOGISED, local(11, 13, 9), local(11, 13, 17), local(11, 16, 17), False)
    script.finished(LATE_APOLOGISED, local(11, 17))
    script.verdict(
        LATE_APOLOGISED, local(11, 17, 18), Verdict.LATE, 3, apology=ApologyStanding.IN_TIME
    )
    script.received(KEPT, local(11, 12))
    script.deadline(KEPT, local(11, 12), local(11, 13, 17))
    script.apology(KEPT, local(11, 13, 9), local(11, 13, 17), local(11, 18, 17), False)
    script.finished(KEPT, local(11, 18, 10))
    script.verdict(
        KEPT,
        local(11, 18, 18),
        Verdict.LATE,
        4,
        apology=ApologyStanding.IN_TIME,
        reappointed_to=local(11, 18, 17),
        reappointment_kept=True,
    )
    script.received(BROKEN, local(11, 12), agency="SXD", unit="SXD-1", procedure="P-BUILD")
    script.deadline(BROKEN, local(11, 12), local(11, 13, 17), agency="SXD")
    script.apology(
        BROKEN, local(11, 13, 9), local(11, 13, 17), local(11, 16, 17), False, agency="SXD"
    )
    script.finished(BROKEN, local(11, 19), agency="SXD")
    script.verdict(
        BROKEN,
        local(11, 19, 18),
        Verdict.LATE,
        5,
        agency="SXD",
        apology=ApologyStanding.IN_TIME,
        reappointed_to=local(11, 16, 17),
        reappointment_kept=False,
    )


SCOPES = [
    Scope(ScopeKind.PROVINCE, "all"),
    Scope(ScopeKind.AGENCY, "STP"),
    Scope(ScopeKind.AGENCY, "SXD"),
    Scope(ScopeKind.UNIT, "A"),
    Scope(ScopeKind.UNIT, "B"),
    Scope(ScopeKind.PROCEDURE, "P-BIRTH"),
    Scope(ScopeKind.FIELD, "civil"),
    Scope(ScopeKind.CHANNEL, "counter"),
    Scope(ScopeKind.CHANNEL, "online_full"),
]
PERIODS: list[Period] = [
    parse_period(key)
    for key in (
        "2026-09",
        "2026-10",
        "2026-11",
        "2026-Q3",
        "2026-Q4",
        "2026",
        "2026-09-30",
        "2026-10-31",
        "2026-11-01",
        "2026-11-13",
        "2026-11-18",
        "2026-11-20",
        "2026-11-21",
        "2026-11-01..2026-11-21",
        "2026-10-15..2026-11-05",
    )
]
FIRST_DAY = date(2026, 11, 1)
