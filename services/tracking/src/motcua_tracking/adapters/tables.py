"""Tracking's own tables (the messaging tables come from the common package).

Timers are rows with a partial index on `fire_at` over the pending ones (`fired_at IS
NULL`): finding what is due never scans the open dossiers, however many there are.
Cancelled timers are deleted; a fired timer keeps the alerts published for it
(`alerts`: type, event id, unit, step), so they can be withdrawn. Rows of a dossier's
timers are only written while its dossier row is locked, so the consumer and any
number of timer loops never collide.

`dossier_events` keeps every incoming event applied to a dossier (its envelope), in
arrival order (`seq`), so a late-arriving event can be folded in by replaying them.
Nothing there names a person: the applicant travels on its own topic.

`applicant_digests` holds the one thing tracking keeps of an applicant, the keyed digest
of the phone's last digits the citizen look-up compares, until an erasure; an erased row
keeps only when it was erased, so a re-read older record does not bring the digest back.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    Table,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

__all__ = [
    "AGENCY_OFFICES",
    "APPLICANT_DIGESTS",
    "CALENDAR_DECISIONS",
    "DOSSIERS",
    "DOSSIER_EVENTS",
    "LOOKUP_FAILURES",
    "PROCEDURES",
    "TIMERS",
    "metadata",
]

metadata = MetaData()


def _instant(name: str, *, nullable: bool = True) -> Column[object]:
    return Column(name, DateTime(timezone=True), nullable=nullable)


DOSSIERS = Table(
    "dossiers",
    metadata,
    Column("code", Text, primary_key=True),
    Column("agency_code", Text, nullable=False),
    Column("status", SmallInteger, nullable=False),
    Column("is_open", Boolean, nullable=False),
    _instant("received_at", nullable=False),
    _instant("due_at"),
    _instant("horizon_at"),
    Column("document", JSONB, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Index("dossiers_open_horizon", "horizon_at", postgresql_where=text("is_open")),
)

TIMERS = Table(
    "timers",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("dossier_code", Text, nullable=False),
    Column("scope", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("step_seq", Integer, nullable=False),
    Column("share_percent", SmallInteger, nullable=False),
    _instant("due_at", nullable=False),
    _instant("fire_at", nullable=False),
    _instant("fired_at"),
    Column("alerts", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Index("timers_pending", "fire_at", postgresql_where=text("fired_at IS NULL")),
    Index("timers_dossier", "dossier_code"),
)

DOSSIER_EVENTS = Table(
    "dossier_events",
    metadata,
    Column("seq", BigInteger, Identity(), primary_key=True),
    Column("dossier_code", Text, nullable=False),
    _instant("occurred_at", nullable=False),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("envelope", JSONB, nullable=False),
    Index("dossier_events_dossier", "dossier_code", "seq"),
)

APPLICANT_DIGESTS = Table(
    "applicant_digests",
    metadata,
    Column("dossier_code", Text, primary_key=True),
    Column("phone_hash", Text),
    _instant("erased_at"),
)

PROCEDURES = Table(
    "procedures",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("competent_agency", Text, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("terms", JSONB, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
)

CALENDAR_DECISIONS = Table(
    "calendar_decisions",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("document", JSONB, nullable=False),
    Column("revision", BigInteger, nullable=False),
    _instant("loaded_at", nullable=False),
)

AGENCY_OFFICES = Table(
    "agency_offices",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("office_hours", JSONB, nullable=False),
    Column("late_cutoff", Text),
    Column("retired_at", DateTime(timezone=True)),
    Column("merged_into", Text),
    Column("merged_on", Date),
    Column("revision", Integer, nullable=False),
    Column("seq", BigInteger, nullable=False, server_default=text("nextval('agency_offices_seq')")),
)

LOOKUP_FAILURES = Table(
    "lookup_failures",
    metadata,
    Column("subject", Text, primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_at", DateTime(timezone=True), nullable=False),
    Column("blocked_until", DateTime(timezone=True)),
)
