"""Prometheus metrics of the intake service; labels are bounded sets, never personal data."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

__all__ = [
    "APPLICANTS_ERASED",
    "COMMANDS_ACCEPTED",
    "COMMANDS_REJECTED",
    "HTTP_REQUESTS",
    "HTTP_SECONDS",
    "IMPORTS_RUNNING",
    "IMPORT_LINES",
    "WRITE_BATCH_SIZE",
]

HTTP_REQUESTS = Counter(
    "motcua_intake_http_requests_total",
    "HTTP requests by route template, method and status",
    ["route", "method", "status"],
)
HTTP_SECONDS = Histogram(
    "motcua_intake_http_request_seconds",
    "HTTP request duration by route template",
    ["route", "method"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60),
)
COMMANDS_ACCEPTED = Counter(
    "motcua_intake_commands_accepted_total",
    "Commands applied, by source (http, kafka, import) and command",
    ["source", "command"],
)
COMMANDS_REJECTED = Counter(
    "motcua_intake_commands_rejected_total",
    "Commands refused, by source and reason code",
    ["source", "reason"],
)
IMPORT_LINES = Counter(
    "motcua_intake_import_lines_total",
    "NDJSON import lines processed, by outcome (accepted, rejected)",
    ["outcome"],
)
IMPORTS_RUNNING = Gauge("motcua_intake_imports_running", "Imports in progress")
WRITE_BATCH_SIZE = Histogram(
    "motcua_intake_write_batch_size",
    "Commands committed together in one transaction",
    buckets=(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000),
)
APPLICANTS_ERASED = Counter(
    "motcua_intake_applicants_erased_total",
    "Applicants' personal data erased, by reason (retention, request)",
    ["reason"],
)
