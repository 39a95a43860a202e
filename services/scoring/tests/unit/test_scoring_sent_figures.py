"""A stream client is sent a key only when its figures changed, and never a future day."""

from __future__ import annotations

from datetime import date, datetime

from motcua_scoring.adapters.change_log import Change
from motcua_scoring.domain import LOCAL_TZ
from motcua_scoring.service.stream import SentFigures

AT = datetime(2026, 6, 5, 9, tzinfo=LOCAL_TZ)
TODAY = date(2026, 6, 5)


def change(seq: int, period: str, received: int, scope: str = "agency:STP") -> Change:
    return Change(seq, scope, period, {"received": received}, AT)


def test_the_same_figures_of_a_key_are_sent_once():
    sent = SentFigures()
    assert sent.worth_sending(change(1, "2026-06", 4), TODAY)
    assert not sent.worth_sending(change(2, "2026-06", 4), TODAY)
    assert sent.worth_sending(change(3, "2026-06", 5), TODAY)
    assert sent.worth_sending(change(4, "2026-06", 5, scope="agency:SXD"), TODAY)
    assert sent.worth_sending(change(5, "2026-06-05", 5), TODAY)


def test_a_period_starting_after_today_is_never_sent():
    sent = SentFigures()
    assert not sent.worth_sending(change(1, "2026-06-08", 1), TODAY)
    assert not sent.worth_sending(change(2, "2026-07", 1), TODAY)
    assert sent.worth_sending(change(3, "2026-06-05", 1), TODAY)
    assert sent.worth_sending(change(4, "2026-06-01..2026-06-30", 1), TODAY)
