"""Which DVCQG status (TrangThaiHoSo, 1–10) each event leaves a dossier in, held as data.

The keys are `(event type, variant)`; the variant tells apart events of one type that
end in different statuses (a withdrawal at the citizen's request is 7, a stop is 8).
`None` means the event is a step of the progress history that leaves the status as it
was (an apology). Events missing from the table are not progress steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from motcua.vocabulary import DossierStatus

__all__ = ["EVENT_STATUS", "STEP_EVENTS", "status_after"]

_S = DossierStatus

EVENT_STATUS: Mapping[tuple[str, str | None], DossierStatus | None] = MappingProxyType(
    {
        ("dossier.received", None): _S.RECEIVED,
        ("dossier.refused", None): _S.NOT_RECEIVED,
        ("dossier.transferred", None): _S.PROCESSING,
        ("dossier.supplement-requested", None): _S.SUPPLEMENT_REQUESTED,
        ("dossier.supplement-received", None): _S.PROCESSING,
        ("dossier.financial-obligation-set", None): _S.FINANCIAL_OBLIGATION,
        ("dossier.financial-obligation-paid", None): _S.PROCESSING,
        ("dossier.processing-finished", None): _S.PROCESSING_FINISHED,
        ("dossier.result-returned", None): _S.RESULT_RETURNED,
        ("dossier.withdrawn", "withdrawn"): _S.WITHDRAWAL_REQUESTED,
        ("dossier.withdrawn", "stopped"): _S.STOPPED,
        ("dossier.apology-filed", None): None,
    }
)

STEP_EVENTS = frozenset(event_type for event_type, _ in EVENT_STATUS)

# Fields naming the variant of an event type, where the table has variants.
_VARIANT_FIELD: Mapping[str, str] = MappingProxyType({"dossier.withdrawn": "kind"})


def status_after(
    event_type: str, data: Mapping[str, object], current: DossierStatus
) -> DossierStatus:
    """The status after an event; raises KeyError for an event that is not a step."""
    field = _VARIANT_FIELD.get(event_type)
    variant = str(data.get(field, "")) if field else None
    if field and (event_type, variant) not in EVENT_STATUS:
        variant = next(v for t, v in EVENT_STATUS if t == event_type)
    after = EVENT_STATUS[(event_type, variant)]
    return current if after is None else after
