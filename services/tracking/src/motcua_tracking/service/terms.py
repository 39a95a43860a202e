"""The contract's procedure terms (carried by DossierReceived) in the domain's terms."""

from __future__ import annotations

from motcua.events import ProcedureTerms as ContractTerms
from motcua.events import ProcessingTime as ContractTime
from motcua_tracking.domain import ProcedureTerms, ProcessingTime, StepAllotment, TimeUnit

__all__ = ["domain_terms"]


def domain_terms(terms: ContractTerms) -> ProcedureTerms:
    """Domain terms; the procedure's cut-off (None: the agency's) is kept as given."""
    return ProcedureTerms(
        code=terms.code,
        processing_time=_time(terms.processing_time),
        steps=tuple(
            StepAllotment(step.code, step.name, step.unit_role, _time(step.allotted))
            for step in terms.steps
        ),
        cutoff=terms.late_cutoff,
    )


def _time(limit: ContractTime) -> ProcessingTime:
    return ProcessingTime(TimeUnit(limit.unit), limit.amount)
