"""The project's own Prometheus metrics (prefix `motcua_`), labelled by `app`: the service.

The label is not `service`, `job` or `instance`: a scrape configuration gives targets
those, and Prometheus would keep ours as `exported_service`. Labels are bounded sets
(app, topic, reason, channel, agency, loop): never a dossier code, a person or anything
personal.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

__all__ = [
    "CONSUMED",
    "CONSUMER_BATCH_SECONDS",
    "CONSUMER_LAG",
    "CONSUMER_RETRIES",
    "CONSUMER_WAITS",
    "DEAD_LETTERED",
    "DUPLICATES_SKIPPED",
    "LOOP_CONSECUTIVE_FAILURES",
    "LOOP_FAILURES",
    "LOOP_LAST_SUCCESS",
    "OUTBOX_BACKLOG",
    "OUTBOX_OLDEST_AGE",
    "OUTBOX_PUBLISHED",
    "OUTBOX_PUBLISH_ERRORS",
    "PASSED_OVER",
]

OUTBOX_PUBLISHED = Counter(
    "motcua_outbox_published_events_total", "Events the relay published", ["app"]
)
OUTBOX_PUBLISH_ERRORS = Counter(
    "motcua_outbox_publish_errors_total",
    "Relay passes that failed and will be retried",
    ["app"],
)
OUTBOX_BACKLOG = Gauge(
    "motcua_outbox_backlog_events", "Events written but not yet published", ["app"]
)
OUTBOX_OLDEST_AGE = Gauge(
    "motcua_outbox_oldest_pending_age_seconds", "Age of the oldest unpublished event", ["app"]
)
CONSUMED = Counter(
    "motcua_consumer_events_total", "Events whose effects were committed", ["app", "topic"]
)
DUPLICATES_SKIPPED = Counter(
    "motcua_consumer_duplicates_total",
    "Redelivered events skipped as already applied",
    ["app", "topic"],
)
PASSED_OVER = Counter(
    "motcua_consumer_passed_over_total",
    "Events of types the consumer does not apply, passed over unread",
    ["app", "topic"],
)
CONSUMER_RETRIES = Counter(
    "motcua_consumer_retries_total", "Retries of a failed event", ["app", "topic"]
)
CONSUMER_WAITS = Counter(
    "motcua_consumer_waits_total",
    "Batches read again because an event needs what its service has not read yet",
    ["app"],
)
DEAD_LETTERED = Counter(
    "motcua_dead_lettered_total", "Messages sent to the dead-letter topic", ["app", "reason"]
)
CONSUMER_LAG = Gauge(
    "motcua_consumer_lag_messages",
    "Messages behind the end of the partition after the last batch",
    ["app", "topic", "partition"],
)
CONSUMER_BATCH_SECONDS = Histogram(
    "motcua_consumer_batch_seconds",
    "Time to apply and commit one batch",
    ["app"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
LOOP_LAST_SUCCESS = Gauge(
    "motcua_loop_last_success_timestamp_seconds",
    "When a background loop last completed a pass (epoch seconds)",
    ["app", "loop"],
)
LOOP_CONSECUTIVE_FAILURES = Gauge(
    "motcua_loop_consecutive_failures",
    "Passes of a background loop that failed in a row (0 once a pass succeeds)",
    ["app", "loop"],
)
LOOP_FAILURES = Counter(
    "motcua_loop_failures_total", "Failed passes of a background loop", ["app", "loop"]
)
