"""Use cases of the tracking service: applying events, firing timers, calendars, look-ups."""

from motcua_tracking.service.calendars import CalendarBook, DecisionInForce
from motcua_tracking.service.decisions import DecisionLoaded, DecisionLoader
from motcua_tracking.service.lookups import Lookups, TooManyAttempts
from motcua_tracking.service.timers import TimerLoop
from motcua_tracking.service.tracking import DossierTracker, phone_digest

__all__ = [
    "CalendarBook",
    "DecisionInForce",
    "DecisionLoaded",
    "DecisionLoader",
    "DossierTracker",
    "Lookups",
    "TimerLoop",
    "TooManyAttempts",
    "phone_digest",
]
