"""The use case behind the consumer: absorb a batch of events in one transaction.

For each dossier the batch touches: lock its facts row, apply the updates, add
`contributions(old, new)` to the counter table (summed over the batch), keep the
open-dossier projection in step, and mark every (scope, period) whose figures moved as
owed to the feeds (the publisher sends them; see `publisher`).

Which keys are owed: those whose counter rows changed; and, when a dossier's open or
overdue marks moved, the scope's current day, month, quarter and year, whose
carried-over and in-progress numbers are running totals over earlier days.
"""

from __future__ import annotations

import logging
from collections import Counter as Multiset
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from motcua.catalogue import procedures_for
from motcua.clock import Clock
from motcua.events import Envelope
from motcua.verdicts import Granularity
from motcua_scoring import domain as d
from motcua_scoring.adapters.counter_store import add_deltas
from motcua_scoring.adapters.dirty_keys import mark_keys
from motcua_scoring.adapters.facts_store import StoredDossier, lock_dossiers, save_dossiers
from motcua_scoring.adapters.metrics import ANOMALIES
from motcua_scoring.adapters.open_dossiers import OpenDossier, close_dossiers, upsert_open
from motcua_scoring.adapters.scope_store import remember_scopes
from motcua_scoring.domain.periods import calendar_periods_of, local_date
from motcua_scoring.service.translation import Translated, translate
from motcua_scoring.settings import ScoringSettings

__all__ = ["Absorber"]

_STANDING = frozenset(str(c) for c in d.STANDING_COUNTERS)
log = logging.getLogger(__name__)


@dataclass
class _Outcome:
    deltas: Multiset[d.CounterKey]
    opened: list[OpenDossier]
    closed: list[str]


class Absorber:
    """The consumer's batch handler (`BatchHandler`)."""

    def __init__(self, settings: ScoringSettings, clock: Clock) -> None:
        self._settings = settings
        self._clock = clock
        self._granularity = Granularity(settings.deadlines.verdict_granularity)

    async def __call__(self, session: AsyncSession, envelopes: list[Envelope]) -> None:
        conn = await session.connection()
        procedures = await procedures_for(conn, envelopes)
        items = []
        for envelope in envelopes:
            if envelope.dossier_code is None:
                _report(envelope, "no_dossier_code")
            elif (translated := translate(envelope, procedures)) is not None:
                items.append((envelope, translated))
        if not items:
            return
        now = self._clock.now()
        stored = await lock_dossiers(conn, {t.code for _, t in items})
        outcome = _Outcome(Multiset(), [], [])
        for code, group in _by_dossier(items).items():
            _absorb_dossier(stored[code], group, outcome, self._granularity)
        await save_dossiers(conn, stored)
        deltas = {key: amount for key, amount in outcome.deltas.items() if amount}
        await add_deltas(conn, deltas)
        await upsert_open(conn, outcome.opened)
        await close_dossiers(conn, outcome.closed)
        await remember_scopes(conn, {key.scope for key in deltas})
        if self._settings.feed.enabled and deltas:
            await mark_keys(conn, _touched(deltas, now))


def _by_dossier(
    items: Sequence[tuple[Envelope, Translated]],
) -> dict[str, list[tuple[Envelope, Translated]]]:
    """Items per dossier, receptions and refusals first so the rest finds an identity."""
    groups: dict[str, list[tuple[Envelope, Translated]]] = {}
    for item in items:
        groups.setdefault(item[1].code, []).append(item)
    for group in groups.values():
        group.sort(key=lambda item: (not _identifies(item[1]), item[0].occurred_at))
    return groups


def _identifies(translated: Translated) -> bool:
    return any(isinstance(u, d.Received | d.Refused) for u in translated.updates)


def _absorb_dossier(
    row: StoredDossier,
    group: list[tuple[Envelope, Translated]],
    outcome: _Outcome,
    granularity: Granularity,
) -> None:
    old = row.facts
    facts = old or d.DossierFacts(row.code)
    for envelope, translated in group:
        reasons = list(translated.anomalies)
        for update in translated.updates:
            reasons.extend(d.anomalies(facts, update))
            facts = d.apply(facts, update)
        for reason in reasons:
            _report(envelope, reason)
    if old is not None or facts != d.DossierFacts(row.code):
        outcome.deltas.update(d.contributions(old, facts, granularity))
        row.facts = facts
    was = _projection(old)
    now_open = _projection(row.facts)
    if now_open is not None and now_open != was:
        outcome.opened.append(now_open)
    elif now_open is None and was is not None:
        outcome.closed.append(row.code)


def _projection(facts: d.DossierFacts | None) -> OpenDossier | None:
    """The open-dossier row: the statutory due time the counters judge by (None while
    paused) and the warnings that still stand."""
    if facts is None or facts.received_at is None or facts.end_at is not None:
        return None
    return OpenDossier(
        code=facts.code,
        agency=facts.agency,
        unit=facts.unit,
        procedure=facts.procedure,
        received_at=facts.received_at,
        due_at=facts.due_at,
        due_soon_for=facts.active_alert(d.AlertKind.DUE_SOON),
        overdue_for=facts.active_alert(d.AlertKind.OVERDUE),
    )


def _touched(deltas: dict[d.CounterKey, int], now: datetime) -> set[tuple[str, str]]:
    current = [p.key for p in calendar_periods_of(local_date(now))]
    keys: set[tuple[str, str]] = set()
    for key in deltas:
        keys.add((key.scope, key.period))
        if key.counter in _STANDING:
            keys.update((key.scope, period) for period in current)
    return keys


def _report(envelope: Envelope, reason: str) -> None:
    ANOMALIES.labels(reason).inc()
    log.warning(
        "event counted as far as possible: %s",
        reason,
        extra={
            "event_id": str(envelope.event_id),
            "event_type": envelope.event_type,
            "reason": reason,
        },
    )
