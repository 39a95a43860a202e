"""The scoring service's own Prometheus metrics. Labels are bounded: a reason from a
fixed list, or an agency code; never a dossier code or a person."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

__all__ = [
    "AGENCY_LATE",
    "AGENCY_ON_TIME",
    "AGENCY_OPEN",
    "AGENCY_OVERDUE",
    "AGENCY_OVERDUE_ALERTS",
    "AGENCY_REAPPOINTMENTS",
    "ANOMALIES",
    "FEED_PASS_KEYS",
    "FEED_PASS_SECONDS",
    "INDICATOR_CHANGES",
    "STREAM_CLIENTS",
]

ANOMALIES = Counter(
    "motcua_scoring_anomalies_total",
    "Events counted as far as possible but reported as odd, by reason",
    ["reason"],
)
INDICATOR_CHANGES = Counter(
    "motcua_scoring_indicator_changes_total",
    "Indicator changes written to the change log and staged for the compacted topic",
)
AGENCY_OPEN = Gauge(
    "motcua_scoring_open_dossiers", "Dossiers received and not ended, now", ["agency"]
)
AGENCY_OVERDUE = Gauge(
    "motcua_scoring_overdue_dossiers",
    "Open dossiers whose appointment day has passed, now",
    ["agency"],
)
AGENCY_ON_TIME = Gauge(
    "motcua_scoring_on_time_ratio",
    "Early or on time over resolved, this month (NaN when nothing was resolved)",
    ["agency"],
)
AGENCY_LATE = Gauge(
    "motcua_scoring_resolved_late_dossiers",
    "Dossiers resolved late this month, with or without an apology (`apology`)",
    ["agency", "apology"],
)
AGENCY_REAPPOINTMENTS = Gauge(
    "motcua_scoring_reappointments",
    "Re-appointed dossiers that ended this month, the new appointment kept or broken",
    ["agency", "outcome"],
)
AGENCY_OVERDUE_ALERTS = Gauge(
    "motcua_scoring_overdue_alerts",
    "Overdue alerts tracking sent this month, and those it withdrew (`state`)",
    ["agency", "state"],
)
STREAM_CLIENTS = Gauge(
    "motcua_scoring_stream_clients", "Server-Sent Events clients connected to this process"
)
FEED_PASS_SECONDS = Histogram(
    "motcua_scoring_feed_pass_seconds",
    "Time of one publisher pass: evaluate owed keys, append, stage, clear",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
FEED_PASS_KEYS = Histogram(
    "motcua_scoring_feed_pass_keys",
    "Keys published by one publisher pass",
    buckets=(1, 10, 50, 100, 250, 500, 1000, 2500, 5000),
)
