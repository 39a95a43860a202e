"""Use cases of the tracking service: applying events, firing timers, calendars, look-ups.

They share one `TrackingContext` (clock, calendar book, stores) and keep their state
through the ports of `service.stores`."""

from motcua_tracking.service.calendars import CalendarBook, DecisionInForce
from motcua_tracking.service.context import TrackingContext
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
    "TrackingContext",
    "phone_digest",
]
