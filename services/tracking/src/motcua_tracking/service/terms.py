"""The contract's procedure terms (carried by DossierReceived) in the domain's terms.

A procedure's `late_cutoff` of None means it has no cut-off (the contract's meaning,
`motcua.events.ProcedureTerms`): a reception counts from its own instant, one outside
office hours from the next opening (brief, decision 8). It is never replaced by the
agency's cut-off of the settings, which only applies to terms that name none.
"""

from __future__ import annotations

from functools import lru_cache

from motcua.events import ProcedureTerms as ContractTerms
from motcua.events import ProcessingTime as ContractTime
from motcua_tracking.domain import ProcedureTerms, ProcessingTime, StepAllotment, TimeUnit
from motcua_tracking.domain.deadlines import NO_CUTOFF

__all__ = ["domain_terms"]


@lru_cache(maxsize=4096)
def domain_terms(terms: ContractTerms) -> ProcedureTerms:
    """Domain terms, with the procedure's cut-off or `NO_CUTOFF` when it has none.

    Both are immutable values, so the terms of a revision are translated once (a batch's
    receptions share a few revisions): hashing the contract's terms costs a twentieth of
    translating them."""
    return ProcedureTerms(
        code=terms.code,
        processing_time=_time(terms.processing_time),
        steps=tuple(
            StepAllotment(step.code, step.name, step.unit_role, _time(step.allotted))
            for step in terms.steps
        ),
        cutoff=NO_CUTOFF if terms.late_cutoff is None else terms.late_cutoff,
    )


def _time(limit: ContractTime) -> ProcessingTime:
    return ProcessingTime(TimeUnit(limit.unit), limit.amount)
