"""The procedure revisions a reader of receptions keeps, and the terms a reception follows.

A `dossier.received` names its procedure by code and catalogue revision instead of
copying it. Every service that needs the terms (tracking's deadlines, scoring's fields,
notify's receipt) keeps each revision the catalogue topic publishes in its own table
`procedure_revisions` (`keep_revisions`, from its catalogue subscriber), and looks up the
revisions a batch of events names (`procedures_for`). A reception read before its
revision has arrived (the two topics are read by separate consumers) raises
`ProcedureNotYetKnown`: the consumer rewinds the batch and reads it again after a pause,
never dead-letters it. Revisions never change once published, so any copy is exact.

A service's migration calls `create_procedure_revisions(op.get_bind())`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from motcua.events import DossierReceived, Envelope, ProcedureUpdated
from motcua.events.values import ProcedureTerms
from motcua.messaging.consumer import NotYetApplicable

__all__ = [
    "PROCEDURE_REVISIONS",
    "ProcedureNotYetKnown",
    "Procedures",
    "create_procedure_revisions",
    "drop_procedure_revisions",
    "keep_revisions",
    "procedures_for",
]

_metadata = sa.MetaData()
PROCEDURE_REVISIONS = sa.Table(
    "procedure_revisions",
    _metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("revision", sa.Integer, primary_key=True),
    sa.Column("terms", JSONB, nullable=False),
)

Revision = tuple[str, int]


class ProcedureNotYetKnown(NotYetApplicable):
    """Receptions name procedure revisions this service has not read yet."""

    def __init__(self, missing: Iterable[Revision]) -> None:
        self.missing = sorted(missing)
        named = ", ".join(f"{code} revision {revision}" for code, revision in self.missing)
        super().__init__(f"waiting for the catalogue's {named}")


@dataclass(frozen=True, slots=True)
class Procedures:
    """The terms of the revisions a batch of events names."""

    revisions: Mapping[Revision, ProcedureTerms]

    def of(self, received: DossierReceived) -> ProcedureTerms:
        """The terms `received` follows: the revision it names, or those it carried."""
        if received.copied_terms is not None:
            return received.copied_terms
        return self.revisions[(received.procedure_code, received.procedure_revision)]


def create_procedure_revisions(bind: sa.Connection) -> None:
    """Create the table (a service's migration)."""
    PROCEDURE_REVISIONS.create(bind)


def drop_procedure_revisions(bind: sa.Connection) -> None:
    """Drop the table (the migration's downgrade)."""
    PROCEDURE_REVISIONS.drop(bind)


async def keep_revisions(
    conn: AsyncConnection | AsyncSession, envelopes: Sequence[Envelope]
) -> None:
    """Keep every revision among `envelopes` (a revision read again changes nothing)."""
    rows = {
        (e.data.procedure.code, e.data.revision): e.data.procedure.model_dump(mode="json")
        for e in envelopes
        if isinstance(e.data, ProcedureUpdated)
    }
    if not rows:
        return
    await conn.execute(
        pg_insert(PROCEDURE_REVISIONS)
        .values(
            [
                {"code": code, "revision": revision, "terms": terms}
                for (code, revision), terms in rows.items()
            ]
        )
        .on_conflict_do_nothing()
    )


async def procedures_for(
    conn: AsyncConnection | AsyncSession, envelopes: Sequence[Envelope]
) -> Procedures:
    """The terms of every revision the receptions among `envelopes` name; raises
    `ProcedureNotYetKnown` when one has not been read from the catalogue yet."""
    named = {
        (e.data.procedure_code, e.data.procedure_revision)
        for e in envelopes
        if isinstance(e.data, DossierReceived) and e.data.copied_terms is None
    }
    if not named:
        return Procedures({})
    pairs = sa.tuple_(PROCEDURE_REVISIONS.c.code, PROCEDURE_REVISIONS.c.revision)
    rows = await conn.execute(
        sa.select(
            PROCEDURE_REVISIONS.c.code, PROCEDURE_REVISIONS.c.revision, PROCEDURE_REVISIONS.c.terms
        ).where(pairs.in_(sorted(named)))
    )
    found = {(r.code, r.revision): ProcedureTerms.model_validate(r.terms) for r in rows}
    if missing := named - found.keys():
        raise ProcedureNotYetKnown(missing)
    return Procedures(found)
