"""The feed keys of absorbing agencies: which (scope, period) keys of an agency that
counts another's dossiers (`domain.merges`) are owed when the other's counters move,
when a merge is recorded or changed, and when the merge date begins.

The feed and the live stream publish an absorbing agency's figures rolled up, as the
JSON API computes them (`evaluation.rolled_up`); nothing marks its keys when only the
absorbed agency's counters move, so the publisher adds them (`with_absorbers`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from motcua.events import AgencyUpdated
from motcua_scoring.adapters.agency_store import keep_agencies, load_merges
from motcua_scoring.adapters.dirty_keys import mark_keys
from motcua_scoring.domain.indicators import as_of_day
from motcua_scoring.domain.merges import (
    Merge,
    absorbed_by,
    absorbers_of,
    from_date,
    roll_up_changes,
)
from motcua_scoring.domain.periods import calendar_keys, local_date, parse_period
from motcua_scoring.domain.scopes import Scope, ScopeKind
from motcua_scoring.settings import ScoringSettings

__all__ = ["keys_merges_change", "keys_merges_start", "record_agencies", "with_absorbers"]

Key = tuple[str, str]
_AGENCY = "agency:"


def with_absorbers(keys: Sequence[Key], merges: Sequence[Merge], now: datetime) -> list[Key]:
    """`keys`, then the keys of the agencies that count an agency of `keys` over some
    of that period (its part from the merge date has begun by `now`), each key once."""
    found = absorbers_of(merges) if merges else {}
    out = dict.fromkeys(keys)
    for scope, period_key in keys:
        absorbers = found.get(scope.removeprefix(_AGENCY)) if scope.startswith(_AGENCY) else None
        if not absorbers:
            continue
        period = parse_period(period_key)
        as_of = as_of_day(period, now)
        for absorber, since in absorbers:
            if from_date(period, since, as_of) is not None:
                out.setdefault((absorber.key, period_key))
    return list(out)


def keys_merges_change(
    old: Sequence[Merge], new: Sequence[Merge], today: date, earliest: date
) -> set[Key]:
    """The keys of the agencies whose roll-up differs between `old` and `new`: the day,
    month, quarter and year of every day from the first that may differ (not before
    `earliest`) to `today`."""
    keys: set[Key] = set()
    for code, first in roll_up_changes(old, new).items():
        day = max(first, earliest)
        while day <= today:
            keys.update((_AGENCY + code, period) for period in calendar_keys(day))
            day += timedelta(days=1)
    return keys


def keys_merges_start(merges: Iterable[Merge], after: date, today: date) -> set[Key]:
    """The current day, month, quarter and year of the agencies that begin to count an
    absorbed agency's dossiers on a day after `after`, up to `today` (its dossiers still
    open then enter them as carried over)."""
    merges = tuple(merges)
    starting = {
        code
        for code in {m.into for m in merges}
        if any(
            after < since <= today
            for _, since in absorbed_by(Scope(ScopeKind.AGENCY, code), merges)
        )
    }
    return {(_AGENCY + code, period) for code in starting for period in calendar_keys(today)}


async def record_agencies(
    conn: AsyncConnection,
    states: Sequence[AgencyUpdated],
    now: datetime,
    settings: ScoringSettings,
) -> None:
    """Keep the agencies' newest states; when their merges change, mark the keys of the
    agencies whose roll-up they change as owed to the feeds."""
    old = await load_merges(conn)
    await keep_agencies(conn, states)
    if not settings.feed.enabled:
        return
    new = await load_merges(conn)
    if new != old:
        earliest = date(settings.feed.earliest_year, 1, 1)
        await mark_keys(conn, keys_merges_change(old, new, local_date(now), earliest))
