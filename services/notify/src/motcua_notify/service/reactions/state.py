"""Reactions that only keep the dossier's view up to date: no one is told.

A hand-over moves the dossier to another unit and step (its due time with it, and any
overdue alert no longer stands for the new holder); a changed deadline moves the due time
of a step, or the appointment of the whole dossier.
"""

from __future__ import annotations

from dataclasses import replace

from motcua.events import DeadlineChanged, DossierTransferred
from motcua_notify.domain.dossiers import FactKind
from motcua_notify.service.reactions.scene import Outcome, Scene, new_appointment, on

__all__: list[str] = []


@on(DossierTransferred)
def _on_transferred(s: Scene, data: DossierTransferred) -> Outcome:
    step = data.step_code or s.view.current_step
    due = s.view.step_dues.get(step) if step else None
    view = s.view.updated(
        s.at,
        {
            FactKind.HOLDER: {"holding_unit": data.to_unit, "current_step": step},
            FactKind.DUE: {"due_at": due or s.view.appointment_at or s.view.due_at},
            FactKind.OVERDUE: {"overdue": False},
        },
    )
    return view, []


@on(DeadlineChanged)
def _on_deadline_changed(s: Scene, data: DeadlineChanged) -> Outcome:
    if data.new_due_at is None:
        return s.view, []
    if data.scope == "step" and data.step_code:
        dues = {**s.view.step_dues, data.step_code: data.new_due_at}
        view = replace(s.view, step_dues=dues)
        if data.step_code == s.view.current_step:
            view = view.updated(s.at, {FactKind.DUE: {"due_at": data.new_due_at}})
        return view, []
    return s.view.updated(s.at, new_appointment(data.new_due_at)), []
