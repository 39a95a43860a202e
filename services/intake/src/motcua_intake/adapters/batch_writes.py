"""Everything a batch of commands writes, in one statement (one round trip).

Data-modifying CTEs each take one array per column (`unnest`), so the batch's dossiers,
status changes, events, outbox rows, applicant records and idempotency records travel
together. An applicant's personal data goes only to the outbox (for the applicants'
topic); intake keeps a keyed digest of the identity number. A dossier
code that is already taken is skipped (`ON CONFLICT DO NOTHING`); the caller compares the
count returned with what it meant to insert. The outbox rows are written as
`motcua.messaging.outbox` writes many at once, sharing the events' id, key and payload
arrays with `dossier_events`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from motcua.messaging import OutboxColumns, outbox_insert_sql

__all__ = ["BatchWrites", "write_batch"]

_EVENTS_OUTBOX = outbox_insert_sql(
    event_ids="$10", topics="$15", keys="$9", shards="$16", payloads="$14"
)
_APPLICANTS_OUTBOX = outbox_insert_sql(
    event_ids="$26", topics="$27", keys="$22", shards="$28", payloads="$29"
)
_STATEMENT = f"""
WITH new_dossiers AS (
    INSERT INTO dossiers (code, agency_code, unit_code, procedure_code, status, received_at)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int2[],
                         $6::timestamptz[])
    ON CONFLICT (code) DO NOTHING
    RETURNING 1
), changed AS (
    UPDATE dossiers SET status = changes.status, updated_at = now()
    FROM unnest($7::text[], $8::int2[]) AS changes(code, status)
    WHERE dossiers.code = changes.code
), events AS (
    INSERT INTO dossier_events (dossier_code, event_id, event_type, occurred_at, status, envelope)
    SELECT * FROM unnest($9::text[], $10::uuid[], $11::text[], $12::timestamptz[], $13::int2[],
                         $14::bytea[])
), published AS (
    {_EVENTS_OUTBOX}
), remembered AS (
    INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response)
    SELECT * FROM unnest($17::text[], $18::text[], $19::bytea[], $20::int2[], $21::bytea[])
), applicants AS (
    INSERT INTO applicants (dossier_code, agency_code, id_digest, recorded_at)
    SELECT * FROM unnest($22::text[], $23::text[], $24::bytea[], $25::timestamptz[])
    ON CONFLICT (dossier_code) DO NOTHING
), personal AS (
    {_APPLICANTS_OUTBOX}
)
SELECT count(*) FROM new_dossiers
"""


@dataclass
class BatchWrites:
    """Column arrays of what one batch writes."""

    codes: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    procedures: list[str] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    received: list[datetime] = field(default_factory=list)
    changed_codes: list[str] = field(default_factory=list)
    changed_statuses: list[int] = field(default_factory=list)
    outbox: OutboxColumns = field(default_factory=OutboxColumns)
    """The events, recorded for their dossiers and owed to Kafka."""
    event_types: list[str] = field(default_factory=list)
    occurred: list[datetime] = field(default_factory=list)
    event_statuses: list[int] = field(default_factory=list)
    scopes: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    hashes: list[bytes] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    responses: list[bytes] = field(default_factory=list)
    applicant_outbox: OutboxColumns = field(default_factory=OutboxColumns)
    """The applicant records, owed to the applicants' topic (keyed by dossier code)."""
    applicant_agencies: list[str] = field(default_factory=list)
    id_digests: list[bytes | None] = field(default_factory=list)
    recorded: list[datetime] = field(default_factory=list)

    def dossier(
        self,
        code: str,
        agency: str,
        unit: str,
        procedure: str,
        status: int,
        received_at: datetime,
    ) -> None:
        """A new dossier."""
        self.codes.append(code)
        self.agencies.append(agency)
        self.units.append(unit)
        self.procedures.append(procedure)
        self.statuses.append(status)
        self.received.append(received_at)

    def change(self, code: str, status: int) -> None:
        """A new status for a stored dossier."""
        self.changed_codes.append(code)
        self.changed_statuses.append(status)

    def event(
        self, outbox_row: Mapping[str, Any], event_type: str, occurred_at: datetime, status: int
    ) -> None:
        """An event, recorded for its dossier and owed to Kafka (an `outbox_rows` row)."""
        self.outbox.add(outbox_row)
        self.event_types.append(event_type)
        self.occurred.append(occurred_at)
        self.event_statuses.append(status)

    def applicant(
        self,
        outbox_row: Mapping[str, Any],
        agency: str,
        id_digest: bytes | None,
        recorded_at: datetime,
    ) -> None:
        """A dossier's applicant record: owed to the applicants' topic, its digest kept."""
        self.applicant_outbox.add(outbox_row)
        self.applicant_agencies.append(agency)
        self.id_digests.append(id_digest)
        self.recorded.append(recorded_at)

    def remember(
        self, scope: str, key: str, request_hash: bytes, status: int, response: bytes
    ) -> None:
        """The answer given under an idempotency key."""
        self.scopes.append(scope)
        self.keys.append(key)
        self.hashes.append(request_hash)
        self.answers.append(status)
        self.responses.append(response)

    def parameters(self) -> tuple[Sequence[Any], ...]:
        events, applicants = self.outbox, self.applicant_outbox
        return (
            self.codes,
            self.agencies,
            self.units,
            self.procedures,
            self.statuses,
            self.received,
            self.changed_codes,
            self.changed_statuses,
            events.keys,
            events.event_ids,
            self.event_types,
            self.occurred,
            self.event_statuses,
            events.payloads,
            events.topics,
            events.shards,
            self.scopes,
            self.keys,
            self.hashes,
            self.answers,
            self.responses,
            applicants.keys,
            self.applicant_agencies,
            self.id_digests,
            self.recorded,
            applicants.event_ids,
            applicants.topics,
            applicants.shards,
            applicants.payloads,
        )


async def write_batch(conn: AsyncConnection, writes: BatchWrites) -> int:
    """Write the batch; returns how many of its new dossiers were inserted."""
    result = await conn.exec_driver_sql(_STATEMENT, writes.parameters())
    return int(result.scalar_one())
