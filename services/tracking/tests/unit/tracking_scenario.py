"""What the tracking unit tests share: the time zone, the default rules, `at()` for a moment
of 2026 in Vietnam and a five-day procedure of four steps."""

from __future__ import annotations

from datetime import datetime

from motcua_tracking.domain import (
    ProcedureTerms,
    ProcessingTime,
    Rules,
    StepAllotment,
    vietnam_time_zone,
)

VN = vietnam_time_zone()
RULES = Rules()
FIVE_STEPS = ProcedureTerms(
    "P-5",
    ProcessingTime.working_days(5),
    (
        StepAllotment("TN", "Reception", "one_stop", ProcessingTime.working_days("0.5")),
        StepAllotment("XL", "Specialist", "department", ProcessingTime.working_days("3.5")),
        StepAllotment("KY", "Sign-off", "leader", ProcessingTime.working_days("0.5")),
        StepAllotment("TKQ", "Result", "one_stop", ProcessingTime.working_days("0.5")),
    ),
)
"""5 working days: reception ½, specialist 3½, sign-off ½, result ½."""


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of 2026 in Vietnam."""
    return datetime(2026, month, day, hour, minute, tzinfo=VN)
