"""Which DVCQG status (TrangThaiHoSo, 1–10) each event leaves a dossier in.

The statuses come from the one lifecycle table of the project (`motcua.lifecycle`:
withdrawal at the citizen's request 7, a stop 8, refusal after appraisal 9); this module
holds, as data, which events are steps of the portal's progress history and which field
names an event's variant.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from motcua.lifecycle import LifecycleStep, step_of
from motcua.lifecycle import status_after as lifecycle_status_after
from motcua.vocabulary import DossierStatus

__all__ = ["EVENT_STATUS", "STEP_EVENTS", "VARIANT_FIELDS", "status_after"]

# The field that splits an event type into lifecycle steps.
VARIANT_FIELDS: Mapping[str, str] = MappingProxyType(
    {"dossier.refused": "stage", "dossier.withdrawn": "kind"}
)

# Every event (and variant) that is a step of the portal's progress history.
_PROGRESS: tuple[tuple[str, str | None], ...] = (
    ("dossier.received", None),
    ("dossier.refused", "reception"),
    ("dossier.refused", "appraisal"),
    ("dossier.transferred", None),
    ("dossier.supplement-requested", None),
    ("dossier.supplement-received", None),
    ("dossier.financial-obligation-set", None),
    ("dossier.financial-obligation-paid", None),
    ("dossier.processing-finished", None),
    ("dossier.result-returned", None),
    ("dossier.withdrawn", "withdrawn"),
    ("dossier.withdrawn", "stopped"),
    ("dossier.apology-filed", None),
)

EVENT_STATUS: Mapping[tuple[str, str | None], LifecycleStep] = MappingProxyType(
    {key: step_of(*key) for key in _PROGRESS}
)
"""Each progress event's lifecycle step, whose rule gives the status (None: unchanged)."""

STEP_EVENTS = frozenset(event_type for event_type, _ in EVENT_STATUS)

_DEFAULT_VARIANT: Mapping[str, str] = MappingProxyType(
    {"dossier.refused": "reception", "dossier.withdrawn": "withdrawn"}
)


def status_after(
    event_type: str, data: Mapping[str, object], current: DossierStatus
) -> DossierStatus:
    """The status after an event; raises KeyError for an event that is not a step."""
    field = VARIANT_FIELDS.get(event_type)
    variant = None
    if field is not None:
        variant = str(data.get(field) or _DEFAULT_VARIANT[event_type])
    return lifecycle_status_after(current, EVENT_STATUS[(event_type, variant)])
