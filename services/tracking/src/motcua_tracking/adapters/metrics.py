"""Tracking's operational metrics: bounded labels only (event types, kinds, codes)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

__all__ = [
    "ALERTS_FIRED",
    "ALERTS_WITHDRAWN",
    "EVENTS_APPLIED",
    "LOOKUPS",
    "REJECTIONS",
    "TIMERS_FIRED",
    "TIMERS_HELD",
    "TIMERS_PENDING",
    "TIMER_LAG",
]

TIMERS_PENDING = Gauge("motcua_tracking_timers_pending", "Alert timers waiting to fire")
TIMERS_HELD = Gauge(
    "motcua_tracking_timers_held",
    "1 while the timer loop waits for the dossier consumer to catch up (at start, or behind)",
)
TIMER_LAG = Histogram(
    "motcua_tracking_timer_lag_seconds",
    "Delay between a timer's fire time plus the alert grace and its firing",
    buckets=(0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10, 30, 60),
)
TIMERS_FIRED = Counter(
    "motcua_tracking_timers_fired_total", "Alert timers fired", ["scope", "kind"]
)
EVENTS_APPLIED = Counter(
    "motcua_tracking_events_applied_total", "Dossier events applied, by type", ["event_type"]
)
REJECTIONS = Counter(
    "motcua_tracking_rejections_total", "Dossier events refused, by code", ["code"]
)
ALERTS_FIRED = Counter(
    "motcua_tracking_alerts_fired_total",
    "Official alerts published (due-soon, overdue, apology-required, escalated)",
    ["kind", "scope"],
)
ALERTS_WITHDRAWN = Counter(
    "motcua_tracking_alerts_withdrawn_total",
    "Alerts withdrawn because a late-arriving earlier event proved them wrong",
    ["kind", "scope"],
)
LOOKUPS = Counter(
    "motcua_tracking_citizen_lookups_total",
    "Citizens' look-ups: found, not_found (wrong answer or unknown code), limited (429)",
    ["outcome"],
)
