"""A scripted province of nine dossiers, shared by the scenario tests.

Times are Vietnam local. The lifecycle of each dossier, agency STP unless noted:

- D1 unit A, counter: received 31 Oct 23:59, due 4 Nov, finished 3 Nov (e-result),
  early 1.5 days, returned 5 Nov.
- D2 unit A, online_full: received 30 Sep 16:00, due 2 Oct, finished 5 Oct, late 3.5.
- D3 unit A, online_partial, digitised: received 2 Nov, obligation paid online, due
  6 Nov, finished 6 Nov 15:00, on time 4 days, rated 5 on 7 Nov.
- D4 unit A, postal: received 10 Nov, due 12 Nov, open; supplement requested 11 Nov;
  late apology 13 Nov.
- D5 unit A then transferred to unit B on 17 Nov, counter, digitised: received 16 Nov,
  obligation paid at the counter, due 25 Nov, open.
- D6: refused at reception on 18 Nov, never received.
- D7 unit A, online_full: received 3 Nov, withdrawn 5 Nov.
- D8 agency SXD, counter: received 4 Nov, finished 9 Nov on time 2.5 days; rated 2 on
  10 Nov, complaint on 11 Nov.
- D9 unit B, counter: received 20 Oct, due 30 Oct, finished 20 Nov, late 15 days.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from motcua_scoring.domain.facts import (
    ApologyIssued,
    Channel,
    DeadlineSet,
    DossierFacts,
    FactUpdate,
    Identity,
    ObligationSet,
    Paid,
    PaymentMethod,
    ProcessingFinished,
    Rated,
    Received,
    Refused,
    ResultReturned,
    SupplementRequested,
    Transferred,
    Verdict,
    VerdictGiven,
    Withdrawn,
    apply_all,
)
from motcua_scoring.domain.periods import LOCAL_TZ

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=LOCAL_TZ)


def local(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL_TZ)


def stp(channel: Channel, unit: str | None = "A") -> Identity:
    return Identity("STP", "P-BIRTH", "civil", channel, unit)


def verdict(month: int, day: int, kind: Verdict, days: str) -> VerdictGiven:
    return VerdictGiven(local(month, day, 18), kind, Decimal(days))


UPDATES: dict[str, list[FactUpdate]] = {
    "D1": [
        Received(local(10, 31, 23, 59), stp(Channel.COUNTER)),
        DeadlineSet(local(10, 31, 23, 59), local(11, 4, 17)),
        ProcessingFinished(local(11, 3, 10), e_result_issued=True),
        verdict(11, 3, Verdict.EARLY, "1.5"),
        ResultReturned(local(11, 5)),
    ],
    "D2": [
        Received(local(9, 30, 16), stp(Channel.ONLINE_FULL)),
        DeadlineSet(local(9, 30, 16), local(10, 2, 17)),
        ProcessingFinished(local(10, 5, 11)),
        verdict(10, 5, Verdict.LATE, "3.5"),
    ],
    "D3": [
        Received(local(11, 2, 8), stp(Channel.ONLINE_PARTIAL), digitised=True),
        DeadlineSet(local(11, 2, 8), local(11, 6, 17)),
        ObligationSet(local(11, 3)),
        Paid(local(11, 4), PaymentMethod.ONLINE),
        ProcessingFinished(local(11, 6, 15)),
        verdict(11, 6, Verdict.ON_TIME, "4"),
        Rated(local(11, 7), score=5),
    ],
    "D4": [
        Received(local(11, 10), stp(Channel.POSTAL)),
        DeadlineSet(local(11, 10), local(11, 12, 17)),
        SupplementRequested(local(11, 11)),
        ApologyIssued(local(11, 13), late=True),
    ],
    "D5": [
        Received(local(11, 16), stp(Channel.COUNTER), digitised=True),
        DeadlineSet(local(11, 16), local(11, 25, 17)),
        Transferred(local(11, 17), to_unit="B"),
        ObligationSet(local(11, 16, 10)),
        Paid(local(11, 16, 11), PaymentMethod.COUNTER),
    ],
    "D6": [Refused(local(11, 18), identity=stp(Channel.COUNTER, unit=None))],
    "D7": [
        Received(local(11, 3), stp(Channel.ONLINE_FULL)),
        Withdrawn(local(11, 5)),
    ],
    "D8": [
        Received(local(11, 4), Identity("SXD", "P-BUILD", "construction", Channel.COUNTER)),
        DeadlineSet(local(11, 4), local(11, 10, 17)),
        ProcessingFinished(local(11, 9)),
        verdict(11, 9, Verdict.ON_TIME, "2.5"),
        Rated(local(11, 10), score=2),
        Rated(local(11, 11), complaint=True),
    ],
    "D9": [
        Received(local(10, 20), stp(Channel.COUNTER, unit="B")),
        DeadlineSet(local(10, 20), local(10, 30, 17)),
        ProcessingFinished(local(11, 20)),
        verdict(11, 20, Verdict.LATE, "15"),
    ],
}


def dossiers() -> list[DossierFacts]:
    return [apply_all(DossierFacts(code), updates) for code, updates in UPDATES.items()]
