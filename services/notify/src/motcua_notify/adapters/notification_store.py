"""The delivery log in PostgreSQL: write, claim with a lease, record outcomes, look up, purge.

Claims use `FOR UPDATE SKIP LOCKED`, so any number of senders share the queue; a
claim is a lease (`lease_until`, database time) that returns the row to the queue
if its sender dies without recording an outcome.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.db import among, json_text
from motcua_notify.adapters.tables import alert_withdrawals, array_type, notifications
from motcua_notify.domain.messages import Audience
from motcua_notify.domain.outcomes import FINAL, Status

__all__ = [
    "Claimed",
    "Told",
    "claim",
    "count_messages",
    "erase_dossiers",
    "find_for_receipt",
    "insert_messages",
    "list_messages",
    "mark_receipt",
    "purge_bodies",
    "queue_stats",
    "reclaim_expired",
    "record_outcomes",
    "still_to_send",
    "told_of",
    "withdraw_pending",
]

_t = notifications


@dataclass(frozen=True)
class Claimed:
    """A row leased to one sender."""

    id: int
    public_id: UUID
    idempotency_key: str
    dossier_code: str | None
    agency_code: str | None
    audience: str
    message_type: str
    channel: str
    recipient: str | None
    content: dict[str, Any] | None
    template_version: int | None
    attempts: int
    correlation_id: UUID | None
    source_event_id: str | None = None


@dataclass(frozen=True)
class Told:
    """A message that went (or is going) out to one recipient on one channel."""

    unit_code: str | None
    channel: str
    recipient: str | None
    sent_at: datetime | None
    created_at: datetime


_OUT = (Status.SENDING, Status.ACCEPTED, Status.DELIVERED)


# What the recorder writes of a new row, and one statement whatever the batch's size
# (prepared once, not compiled per batch): one array per column, the body as JSON text.
_INSERTED = (
    "public_id",
    "idempotency_key",
    "dossier_code",
    "unit_code",
    "agency_code",
    "audience",
    "message_type",
    "channel",
    "status",
    "reason",
    "recipient",
    "recipient_hash",
    "recipient_masked",
    "content",
    "template_version",
    "attempts",
    "not_before",
    "source_event_id",
    "correlation_id",
    "created_at",
    "failed_at",
)
_INSERT = sa.text(
    "INSERT INTO {table} ({names}) SELECT {values} FROM unnest({arrays}) AS v({names})"
    " ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key".format(
        table=_t.name,
        names=", ".join(_INSERTED),
        values=", ".join(
            f"CAST(v.{n} AS jsonb)" if n == "content" else f"v.{n}" for n in _INSERTED
        ),
        arrays=", ".join(f"CAST(:{n} AS {array_type(_t.c[n])}[])" for n in _INSERTED),
    )
)


async def insert_messages(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Write rows whose idempotency key is new; return the keys actually written.

    Each dict holds the columns of `_INSERTED`, `content` as a JSON-able dict or None."""
    if not rows:
        return set()
    params: dict[str, list[Any]] = {name: [row[name] for row in rows] for name in _INSERTED}
    params["content"] = [None if c is None else json_text(c) for c in params["content"]]
    result = await session.execute(_INSERT, params)
    return set(result.scalars())


async def claim(
    session: AsyncSession,
    channel: str,
    now: datetime,
    limit: int,
    owner: str,
    lease_seconds: float,
) -> list[Claimed]:
    """Lease up to `limit` due rows of a channel, oldest due first; counts an attempt each."""
    due = (
        sa.select(_t.c.id)
        .where(_t.c.status == Status.PENDING, _t.c.channel == channel, _t.c.not_before <= now)
        .order_by(_t.c.not_before, _t.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    result = await session.execute(
        sa.update(_t)
        .where(_t.c.id.in_(due.scalar_subquery()))
        .values(
            status=Status.SENDING,
            lease_owner=owner,
            lease_until=sa.func.now() + timedelta(seconds=lease_seconds),
            attempts=_t.c.attempts + 1,
        )
        .returning(
            _t.c.id,
            _t.c.public_id,
            _t.c.idempotency_key,
            _t.c.dossier_code,
            _t.c.agency_code,
            _t.c.audience,
            _t.c.message_type,
            _t.c.channel,
            _t.c.recipient,
            _t.c.content,
            _t.c.template_version,
            _t.c.attempts,
            _t.c.correlation_id,
            _t.c.source_event_id,
        )
    )
    claimed = [Claimed(**row._mapping) for row in result]
    return sorted(claimed, key=lambda c: c.id)


# What happened to a settled batch, in one statement (one array per field of the outcomes).
_OUTCOME_FIELDS = {
    "id": "bigint",
    "owner": "text",
    "status": "text",
    "reason": "text",
    "provider_id": "text",
    "not_before": "timestamptz",
    "sent_at": "timestamptz",
    "delivered_at": "timestamptz",
    "failed_at": "timestamptz",
    "attempts": "integer",
}
_RECORD_OUTCOMES = sa.text(
    f"""
    UPDATE {_t.name} AS n SET
        status = v.status,
        reason = v.reason,
        provider_message_id = coalesce(n.provider_message_id, v.provider_id),
        not_before = coalesce(v.not_before, n.not_before),
        sent_at = coalesce(n.sent_at, v.sent_at),
        delivered_at = coalesce(n.delivered_at, v.delivered_at),
        failed_at = v.failed_at,
        attempts = n.attempts + v.attempts,
        lease_owner = NULL,
        lease_until = NULL
    FROM unnest({", ".join(f"CAST(:{name} AS {kind}[])" for name, kind in _OUTCOME_FIELDS.items())})
        AS v({", ".join(_OUTCOME_FIELDS)})
    WHERE n.id = v.id AND n.lease_owner = v.owner AND n.status = '{Status.SENDING.value}'
    """
)


async def record_outcomes(session: AsyncSession, outcomes: Sequence[dict[str, Any]]) -> None:
    """Record what happened to leased rows and end their lease.

    Each dict holds `id`, `owner`, `status`, `reason`, `provider_id`, `not_before`,
    `sent_at`, `delivered_at`, `failed_at` and `attempts` (added to the count: -1 gives
    back an attempt that never sent). A row a delivery receipt settled while it
    was being sent (status no longer `sending`) keeps the receipt's verdict.
    """
    if not outcomes:
        return
    await session.execute(
        _RECORD_OUTCOMES,
        {name: [outcome[name] for outcome in outcomes] for name in _OUTCOME_FIELDS},
    )


async def still_to_send(session: AsyncSession, row_ids: Collection[int], owner: str) -> set[int]:
    """The leased rows among `row_ids` that may be handed to their gateway now: still
    `sending` under this owner's lease, and not the message of an alert tracking withdrew
    since it was claimed (the withdrawal counted a row being sent as gone out and wrote its
    correction; sent after a release or a lease running out, the alert would follow its
    correction)."""
    if not row_ids:
        return set()
    w = alert_withdrawals
    withdrawn = (
        sa.exists()
        .where(w.c.alert_event_id == _t.c.source_event_id, w.c.message_type == _t.c.message_type)
        .correlate(_t)
    )
    found = await session.scalars(
        sa.select(_t.c.id).where(
            _t.c.id.in_(list(row_ids)),
            _t.c.lease_owner == owner,
            _t.c.status == Status.SENDING,
            ~withdrawn,
        )
    )
    return set(found)


async def reclaim_expired(session: AsyncSession) -> int:
    """Put rows whose sender's lease ran out back in the queue; returns how many."""
    result = await session.execute(
        sa.update(_t)
        .where(_t.c.status == Status.SENDING, _t.c.lease_until < sa.func.now())
        .values(status=Status.PENDING, lease_owner=None, lease_until=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def queue_stats(session: AsyncSession, now: datetime) -> dict[str, tuple[int, float]]:
    """Per channel: pending rows (waiting or in flight), and seconds the oldest due one
    has waited.

    Each status is read apart, through its own partial index (`notifications_due`,
    `notifications_leased`), so the gauge reads the queue, not the whole delivery log:
    the status is written into the statement, where the planner can match it to an
    index's predicate."""
    due_since = sa.func.min(sa.case((_t.c.not_before <= now, _t.c.not_before)))
    counts: dict[str, int] = {}
    oldest: dict[str, datetime] = {}
    for status in (Status.PENDING, Status.SENDING):
        rows = await session.execute(
            sa.select(_t.c.channel, sa.func.count(), due_since)
            .where(_t.c.status == sa.literal_column(f"'{status.value}'"))
            .group_by(_t.c.channel)
        )
        for channel, count, since in rows:
            counts[channel] = counts.get(channel, 0) + int(count)
            if since is not None:
                oldest[channel] = min(since, oldest.get(channel, since))
    return {
        channel: (
            count,
            max((now - oldest[channel]).total_seconds(), 0.0) if channel in oldest else 0.0,
        )
        for channel, count in counts.items()
    }


async def purge_bodies(session: AsyncSession, created_before: datetime, now: datetime) -> int:
    """Drop the bodies and clear addresses of settled rows written before a time."""
    result = await session.execute(
        sa.update(_t)
        .where(
            _t.c.purged_at.is_(None),
            _t.c.created_at < created_before,
            _t.c.status.in_([s.value for s in FINAL]),
        )
        .values(content=None, recipient=None, purged_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def erase_dossiers(
    session: AsyncSession, dossier_codes: Collection[str], reason: str, now: datetime
) -> list[tuple[str, str]]:
    """Delete what these dossiers' rows hold of their applicants; returns the (channel,
    message type) of each citizen row withdrawn.

    Citizen rows not sent yet are withdrawn; every citizen row loses its body, address,
    address digest and masked address. Settled officials' rows lose their body (it may
    name the applicant) but keep the unit's address, which a withdrawn alert's
    correction goes to; officials' rows still to send keep both and go. What counting
    and audit need stays: channel, type, status, reason, times. Three statements
    whatever the number of dossiers (retention erases them by the thousand).
    """
    if not dossier_codes:
        return []
    erased = among(_t.c.dossier_code, sorted(set(dossier_codes)))
    citizen = sa.and_(erased, _t.c.audience == Audience.CITIZEN)
    result = await session.execute(
        sa.update(_t)
        .where(citizen, _t.c.status == Status.PENDING)
        .values(status=Status.WITHDRAWN, reason=reason)
        .returning(_t.c.channel, _t.c.message_type)
    )
    withdrawn = [(row.channel, row.message_type) for row in result]
    purged_at = sa.func.coalesce(_t.c.purged_at, now)
    await session.execute(
        sa.update(_t)
        .where(citizen)
        .values(
            content=None,
            recipient=None,
            recipient_hash=None,
            recipient_masked=None,
            purged_at=purged_at,
        )
    )
    await session.execute(
        sa.update(_t)
        .where(
            erased,
            _t.c.audience != Audience.CITIZEN,
            _t.c.status.in_([s.value for s in FINAL]),
            _t.c.content.is_not(None),
        )
        .values(content=None, purged_at=purged_at)
    )
    return withdrawn


async def list_messages(
    session: AsyncSession,
    *,
    dossier_code: str | None = None,
    recipient_hash: bytes | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Rows of the log for a dossier or a recipient, newest first, without bodies."""
    query = sa.select(
        _t.c.public_id,
        _t.c.dossier_code,
        _t.c.unit_code,
        _t.c.agency_code,
        _t.c.audience,
        _t.c.message_type,
        _t.c.channel,
        _t.c.status,
        _t.c.reason,
        _t.c.recipient_masked,
        _t.c.template_version,
        _t.c.attempts,
        _t.c.not_before,
        _t.c.created_at,
        _t.c.sent_at,
        _t.c.delivered_at,
        _t.c.failed_at,
        _t.c.purged_at,
    )
    if dossier_code is not None:
        query = query.where(_t.c.dossier_code == dossier_code)
    if recipient_hash is not None:
        query = query.where(_t.c.recipient_hash == recipient_hash)
    rows = await session.execute(query.order_by(_t.c.id.desc()).limit(limit))
    return [dict(row._mapping) for row in rows]


async def find_for_receipt(
    session: AsyncSession, channel: str, provider_id: str, reference: str | None
) -> dict[str, Any] | None:
    """The row a receipt is about (by provider id, else by our key), locked."""
    match = _t.c.provider_message_id == provider_id
    if reference:
        match = sa.or_(match, _t.c.idempotency_key == reference)
    row = (
        await session.execute(
            sa.select(_t).where(_t.c.channel == channel, match).limit(1).with_for_update()
        )
    ).first()
    return dict(row._mapping) if row else None


async def mark_receipt(
    session: AsyncSession,
    row_id: int,
    status: Status,
    provider_id: str,
    reason: str | None,
    at: datetime,
) -> None:
    """Record a receipt's verdict on a row."""
    values: dict[str, Any] = {
        "status": status,
        "provider_message_id": sa.func.coalesce(_t.c.provider_message_id, provider_id),
    }
    if status is Status.DELIVERED:
        values |= {"delivered_at": at, "sent_at": sa.func.coalesce(_t.c.sent_at, at)}
    else:
        values |= {"failed_at": at, "reason": reason}
    await session.execute(sa.update(_t).where(_t.c.id == row_id).values(values))


async def withdraw_pending(
    session: AsyncSession,
    reason: str,
    *,
    source_event_id: str | None = None,
    message_type: str,
    unit_codes: Sequence[str] = (),
) -> list[tuple[str, str | None, str]]:
    """Mark rows not sent yet as withdrawn, by source event or by unit; never sent after.

    Returns (channel, unit code, source event id) of each. A row a sender holds
    (`sending`) is not touched: it is treated as gone out.
    """
    query = sa.update(_t).where(_t.c.status == Status.PENDING, _t.c.message_type == message_type)
    if source_event_id is not None:
        query = query.where(_t.c.source_event_id == source_event_id)
    if unit_codes:
        query = query.where(_t.c.unit_code.in_(list(unit_codes)))
    result = await session.execute(
        query.values(status=Status.WITHDRAWN, reason=reason).returning(
            _t.c.channel, _t.c.unit_code, _t.c.source_event_id
        )
    )
    return [(row.channel, row.unit_code, row.source_event_id) for row in result]


async def told_of(session: AsyncSession, source_event_id: str, message_type: str) -> list[Told]:
    """The messages of a source event that went out (or are being handed to a gateway)."""
    rows = await session.execute(
        sa.select(_t.c.unit_code, _t.c.channel, _t.c.recipient, _t.c.sent_at, _t.c.created_at)
        .where(
            _t.c.source_event_id == source_event_id,
            _t.c.message_type == message_type,
            _t.c.status.in_(_OUT),
        )
        .order_by(_t.c.id)
    )
    return [Told(**row._mapping) for row in rows]


async def count_messages(
    session: AsyncSession, since: datetime | None = None
) -> list[tuple[str, str, int]]:
    """How many rows of the log per message type and status (written since a time)."""
    query = sa.select(_t.c.message_type, _t.c.status, sa.func.count()).group_by(
        _t.c.message_type, _t.c.status
    )
    if since is not None:
        query = query.where(_t.c.created_at >= since)
    rows = await session.execute(query.order_by(_t.c.message_type, _t.c.status))
    return [(message_type, status, int(count)) for message_type, status, count in rows]
