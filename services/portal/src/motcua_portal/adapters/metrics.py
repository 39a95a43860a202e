"""The portal service's metrics. Labels are bounded: operation, outcome, error code, state;
never a dossier code or anything personal."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

__all__ = [
    "AWAITING_APPLICANT",
    "BACKLOG",
    "CALLS",
    "CALL_SECONDS",
    "FAILURES",
    "OLDEST_PENDING",
    "OUT_OF_SYNC",
    "SYNCED",
    "SYNC_LAG",
    "failure_label",
]

SYNC_LAG = Histogram(
    "motcua_portal_sync_lag_seconds",
    "From a change's arrival at the service to the portal acknowledging the dossier's state "
    "(real seconds, also under a simulated clock)",
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600),
)
SYNCED = Counter("motcua_portal_synced_dossiers_total", "Dossier states the portal acknowledged")
FAILURES = Counter(
    "motcua_portal_sync_failures_total",
    "Dossier sync attempts that failed, by the portal's error code",
    ["code"],
)
BACKLOG = Gauge(
    "motcua_portal_sync_backlog_dossiers", "Dossiers waiting in the sync queue", ["state"]
)
AWAITING_APPLICANT = Gauge(
    "motcua_portal_awaiting_applicant",
    "Dossiers held because their reception is known but their applicant record has not "
    "arrived (intake.applicants.v1)",
)
OLDEST_PENDING = Gauge(
    "motcua_portal_sync_oldest_pending_seconds",
    "Real seconds the oldest change not yet acknowledged has waited",
)
OUT_OF_SYNC = Gauge(
    "motcua_portal_out_of_sync_dossiers",
    "Dossiers whose latest state the portal has not acknowledged",
)
CALLS = Counter(
    "motcua_portal_calls_total", "Calls to the national portal", ["operation", "outcome"]
)
CALL_SECONDS = Histogram(
    "motcua_portal_call_seconds",
    "Duration of one call to the national portal",
    ["operation"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


def failure_label(code: str) -> str:
    """A bounded label for a portal error code: short codes as they are, the rest `other`."""
    cleaned = code.strip().lower()
    if len(cleaned) <= 16 and all(c.isalnum() or c in "-_" for c in cleaned):
        return cleaned or "none"
    return "other"
