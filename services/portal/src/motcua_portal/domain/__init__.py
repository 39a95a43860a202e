"""The portal service's pure domain: facts, the rebuilt history, the portal's payloads,
reply reading, backoff and name matching. No I/O, never reads the clock."""

from motcua_portal.domain.backoff import next_attempt_at
from motcua_portal.domain.facts import Fact, in_order, moment
from motcua_portal.domain.history import DossierHistory, Fee, Step, Supplement, rebuild
from motcua_portal.domain.matching import Suggestion, normalise, suggest
from motcua_portal.domain.payloads import (
    NationalProcedure,
    digest,
    portal_date,
    progress_entries,
    record,
    without_applicant,
)
from motcua_portal.domain.replies import Outcome, Reply, ReplyRules, error_code, read_reply
from motcua_portal.domain.statuses import EVENT_STATUS, STEP_EVENTS, status_after

__all__ = [
    "EVENT_STATUS",
    "STEP_EVENTS",
    "DossierHistory",
    "Fact",
    "Fee",
    "NationalProcedure",
    "Outcome",
    "Reply",
    "ReplyRules",
    "Step",
    "Suggestion",
    "Supplement",
    "digest",
    "error_code",
    "in_order",
    "moment",
    "next_attempt_at",
    "normalise",
    "portal_date",
    "progress_entries",
    "read_reply",
    "rebuild",
    "record",
    "status_after",
    "suggest",
    "without_applicant",
]
