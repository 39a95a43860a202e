"""Which unit a late dossier is attributed to.

A step overran when the office time it took (from its handover to its finish, or to
`now` while still open) exceeds its allotment. Time between one step's finish and the
next step's start is nobody's. The responsible unit is the unit of the first step, in
the order the steps started, that overran: the dossier was already behind its plan
after it, and later units are judged on their own allotments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from motcua_tracking.domain.calendar import WorkingCalendar
from motcua_tracking.domain.deadlines import ProcessingTime, end_position

__all__ = ["Attribution", "Overrun", "StepRun", "attribute_lateness"]


@dataclass(frozen=True)
class StepRun:
    """A step as it actually ran (finished_at None: still in progress)."""

    code: str
    unit: str
    allotted: ProcessingTime
    started_at: datetime
    finished_at: datetime | None = None


@dataclass(frozen=True)
class Overrun:
    """A step that used more office time than allotted."""

    code: str
    unit: str
    allotted: timedelta
    used: timedelta

    @property
    def excess(self) -> timedelta:
        """Office time beyond the allotment."""
        return self.used - self.allotted


@dataclass(frozen=True)
class Attribution:
    """The overrunning steps, in the order they started."""

    overruns: tuple[Overrun, ...]

    @property
    def responsible_unit(self) -> str | None:
        """The unit of the first step that overran, if any."""
        return self.overruns[0].unit if self.overruns else None

    @property
    def units(self) -> tuple[str, ...]:
        """Every unit that overran a step, first offender first, without repeats."""
        return tuple(dict.fromkeys(item.unit for item in self.overruns))


def attribute_lateness(
    calendar: WorkingCalendar, runs: Sequence[StepRun], now: datetime
) -> Attribution:
    """The steps that overran their allotment, judged at `now` for unfinished ones."""
    overruns: list[Overrun] = []
    for run in sorted(runs, key=lambda item: item.started_at):
        start = calendar.position(run.started_at)
        allotted = end_position(calendar, start, run.allotted) - start
        used = calendar.position(run.finished_at or now) - start
        if used > allotted:
            overruns.append(
                Overrun(
                    run.code,
                    run.unit,
                    timedelta(seconds=allotted),
                    timedelta(seconds=used),
                )
            )
    return Attribution(tuple(overruns))
