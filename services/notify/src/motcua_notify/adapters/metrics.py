"""Notify's Prometheus metrics. Labels are bounded: channel, message type, reason, status.

Never an address, a dossier code or anything personal.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge

__all__ = [
    "ALERTS_ALREADY_ENDED",
    "ALERT_WITHDRAWALS",
    "ERASED_UNSENT",
    "ERASURES",
    "FAILED",
    "OLDEST_PENDING_AGE",
    "PARKED",
    "PENDING",
    "QUEUED",
    "RECEIPTS",
    "RETRIED",
    "SENT",
    "SKIPPED",
    "WITHDRAWN",
]

_LABELS = ["channel", "message_type"]

QUEUED = Counter(
    "motcua_notify_queued_total", "Messages written to the delivery log for sending", _LABELS
)
SENT = Counter("motcua_notify_sent_total", "Messages a gateway or receiver took", _LABELS)
RETRIED = Counter(
    "motcua_notify_retried_total",
    "Temporary failures put back in the queue with a backoff",
    [*_LABELS, "reason"],
)
FAILED = Counter(
    "motcua_notify_failed_total",
    "Messages failed for good (a NotificationFailed is published)",
    [*_LABELS, "reason"],
)
SKIPPED = Counter(
    "motcua_notify_skipped_total",
    "Messages not sent by rule (no consent, channel disabled)",
    [*_LABELS, "reason"],
)
WITHDRAWN = Counter(
    "motcua_notify_withdrawn_total",
    "Messages never sent because the alert they carried was withdrawn",
    _LABELS,
)
ALERT_WITHDRAWALS = Counter(
    "motcua_notify_alert_withdrawals_total",
    "Alerts withdrawn by tracking, by what notify had done with them "
    "(corrected: someone was told and gets a correction; cancelled: not sent yet; "
    "before_alert: the withdrawal came first)",
    ["message_type", "outcome"],
)
ALERTS_ALREADY_ENDED = Counter(
    "motcua_notify_alerts_already_ended_total",
    "Due-soon and overdue alerts sent to no one: their step or dossier had ended before "
    "tracking learnt the alert was due (a late upload, a history import)",
    ["message_type"],
)
RECEIPTS = Counter(
    "motcua_notify_receipts_total", "Delivery receipts from gateways", ["channel", "outcome"]
)
PENDING = Gauge(
    "motcua_notify_pending_messages", "Messages waiting to be sent (due or not)", ["channel"]
)
OLDEST_PENDING_AGE = Gauge(
    "motcua_notify_oldest_pending_age_seconds",
    "How long the oldest due message has waited since it became due",
    ["channel"],
)
PARKED = Gauge(
    "motcua_notify_parked_dossiers",
    "Dossiers whose citizen messages (events parked, or the receipt) wait for the "
    "applicant's contacts (ApplicantRecorded); an erased applicant is waited for no more",
)
ERASURES = Counter(
    "motcua_notify_erasures_total",
    "Applicants erased (ApplicantErased) by reason: retention ended, or on request",
    ["reason"],
)
ERASED_UNSENT = Counter(
    "motcua_notify_erased_unsent_total",
    "Citizen messages never sent because their applicant was erased first",
    _LABELS,
)
