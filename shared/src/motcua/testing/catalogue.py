"""Receptions as intake writes them, and the catalogue revisions they name, for tests and
benchmarks that play intake's part.

A reception names its procedure's revision; intake publishes the revision on the catalogue
topic before any reception names it. `reception(terms, ...)` gives a `DossierReceived`
naming a revision of `terms`, and `revisions_named(envelopes)` the `ProcedureUpdated`
envelopes of the revisions some receptions name, to publish (or apply) first. Each
distinct set of terms of a code is its own revision, numbered from its content, so tests
sharing a database, or run again on one, never give two terms one revision.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from motcua.catalogue import Procedures
from motcua.events import DossierReceived, Envelope, ProcedureUpdated
from motcua.events.values import ProcedureTerms, ProcessingTime, ProcessStep

__all__ = [
    "BUILDING_PERMIT",
    "procedures_named",
    "reception",
    "revision_of",
    "revision_published",
    "revisions_named",
    "terms_named",
    "working_days",
]

_KNOWN: dict[tuple[str, int], ProcedureTerms] = {}


def working_days(amount: str) -> ProcessingTime:
    """A time allotted in working days (`"0.5"`: half a day)."""
    return ProcessingTime(unit="working_days", amount=Decimal(amount))


BUILDING_PERMIT = ProcedureTerms(
    code="1.001234",
    name="Cấp giấy phép xây dựng",
    field="Xây dựng",
    processing_time=working_days("5"),
    steps=(
        ProcessStep(
            code="TN", name="Tiếp nhận", unit_role="one_stop", allotted=working_days("0.5")
        ),
        ProcessStep(
            code="XL", name="Thẩm định", unit_role="department", allotted=working_days("3.5")
        ),
        ProcessStep(code="KY", name="Ký duyệt", unit_role="leader", allotted=working_days("0.5")),
        ProcessStep(
            code="TKQ", name="Trả kết quả", unit_role="one_stop", allotted=working_days("0.5")
        ),
    ),
)
"""A building permit: 5 working days, in four steps (reception ½, appraisal 3½, sign-off ½,
the result ½)."""


def revision_of(terms: ProcedureTerms) -> int:
    """The revision number `terms` are published under (from their content)."""
    digest = hashlib.sha256(terms.model_dump_json().encode()).digest()
    revision = int.from_bytes(digest[:4], "big") % 2_000_000_000 + 1
    _KNOWN[(terms.code, revision)] = terms
    return revision


def reception(terms: ProcedureTerms, **fields: Any) -> DossierReceived:
    """A `DossierReceived` naming the revision of `terms` (other fields as given)."""
    return DossierReceived(
        procedure_code=terms.code, procedure_revision=revision_of(terms), **fields
    )


def terms_named(received: DossierReceived) -> ProcedureTerms:
    """The terms of the revision a reception from `reception` names."""
    return _KNOWN[(received.procedure_code, received.procedure_revision)]


def revision_published(
    terms: ProcedureTerms, at: datetime, competent_agency: str = "STP"
) -> Envelope:
    """The catalogue's `ProcedureUpdated` envelope of `terms`' revision, as intake writes it."""
    event = ProcedureUpdated(
        procedure=terms, competent_agency=competent_agency, revision=revision_of(terms)
    )
    return Envelope.wrap(
        event, producer="intake", occurred_at=at, now=at, dossier_code=None, agency_code=None
    )


def revisions_named(envelopes: Iterable[Envelope]) -> list[Envelope]:
    """The catalogue envelopes of the revisions the receptions among `envelopes` name (each
    once; receptions whose terms are not from `reception` are passed over)."""
    found: dict[tuple[str, int], Envelope] = {}
    for envelope in envelopes:
        data = envelope.data
        if not isinstance(data, DossierReceived) or data.copied_terms is not None:
            continue
        named = (data.procedure_code, data.procedure_revision)
        terms = _KNOWN.get(named)
        if terms is not None and named not in found:
            found[named] = revision_published(terms, envelope.occurred_at)
    return list(found.values())


def procedures_named(envelopes: Iterable[Envelope]) -> Procedures:
    """The terms of the revisions the receptions among `envelopes` name, as a service would
    look them up after reading the catalogue (for tests of pure service logic)."""
    return Procedures(
        {
            (e.data.procedure_code, e.data.procedure_revision): terms_named(e.data)
            for e in envelopes
            if isinstance(e.data, DossierReceived) and e.data.copied_terms is None
        }
    )
