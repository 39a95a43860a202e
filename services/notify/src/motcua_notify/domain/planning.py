"""What one message becomes on each channel: a send to queue, a skip or a failure, with why.

Planning happens when the triggering event is applied, so every outcome is written
to the delivery log at once: a missing consent, contact or template is never
discovered (or lost) later.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from motcua_notify.domain.contacts import ContactFailure, Recipient, address_for
from motcua_notify.domain.content import MessageContent
from motcua_notify.domain.contexts import MessageContext
from motcua_notify.domain.idempotency import idempotency_key
from motcua_notify.domain.messages import Channel, MessageType
from motcua_notify.domain.quiet_hours import QuietHours, earliest_send_time
from motcua_notify.domain.rendering import SmsTooLongError, TemplateRegistry

__all__ = ["MessageRequest", "PlanReason", "PlanStatus", "PlannedMessage", "plan", "withdrawn"]


class PlanStatus(StrEnum):
    PENDING = "pending"
    SKIPPED = "skipped"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"


class PlanReason(StrEnum):
    CHANNEL_DISABLED = "channel_disabled"
    NO_TEMPLATE = "no_template"
    TEMPLATE_ERROR = "template_error"
    SMS_TOO_LONG = "sms_too_long"


@dataclass(frozen=True)
class MessageRequest:
    """One message to one recipient, on whichever of `channels` the recipient can take.

    `scope` is the dossier code (or a unit's digest scope) and `source_event_id` the
    event it answers: with the address, channel and type they make the idempotency key.
    """

    message_type: MessageType
    scope: str
    source_event_id: str
    context: MessageContext
    recipient: Recipient
    channels: frozenset[Channel]
    quiet_sms: bool = False


@dataclass(frozen=True)
class PlannedMessage:
    """One row of the delivery log, as first written."""

    message_type: MessageType
    channel: Channel
    status: PlanStatus
    reason: str | None
    address: str | None
    idempotency_key: str
    content: MessageContent | None
    template_version: int | None
    not_before: datetime


def withdrawn(message: PlannedMessage, reason: str) -> PlannedMessage:
    """The message never to be sent: its alert was withdrawn before it went out."""
    if message.status is not PlanStatus.PENDING:
        return message
    return replace(message, status=PlanStatus.WITHDRAWN, reason=reason)


def plan(
    registry: TemplateRegistry,
    request: MessageRequest,
    now: datetime,
    quiet: QuietHours,
    disabled: Iterable[Channel] = (),
) -> list[PlannedMessage]:
    """Return one planned message per channel of the request, in channel order."""
    off = frozenset(disabled)
    return [_plan_one(registry, request, c, now, quiet, off) for c in sorted(request.channels)]


def _plan_one(
    registry: TemplateRegistry,
    request: MessageRequest,
    channel: Channel,
    now: datetime,
    quiet: QuietHours,
    disabled: frozenset[Channel],
) -> PlannedMessage:
    address = address_for(request.recipient, channel)
    known = address if isinstance(address, str) and channel not in disabled else None
    key = idempotency_key(
        request.scope,
        request.source_event_id,
        address if isinstance(address, str) else "",
        channel,
        request.message_type,
    )

    def outcome(status: PlanStatus, reason: str | None) -> PlannedMessage:
        return PlannedMessage(
            request.message_type, channel, status, reason, known, key, None, None, now
        )

    if address is ContactFailure.NO_CONSENT:
        return outcome(PlanStatus.SKIPPED, address.value)
    if isinstance(address, ContactFailure):
        return outcome(PlanStatus.FAILED, address.value)
    if channel in disabled:
        return outcome(PlanStatus.SKIPPED, PlanReason.CHANNEL_DISABLED.value)
    if channel not in registry.channels_for(request.message_type):
        return outcome(PlanStatus.FAILED, PlanReason.NO_TEMPLATE.value)
    try:
        rendered = registry.render(request.message_type, channel, request.context)
    except SmsTooLongError:
        return outcome(PlanStatus.FAILED, PlanReason.SMS_TOO_LONG.value)
    except Exception:
        # A template that cannot render this context is recorded, never raised.
        return outcome(PlanStatus.FAILED, PlanReason.TEMPLATE_ERROR.value)
    at = earliest_send_time(now, quiet) if channel is Channel.SMS and request.quiet_sms else now
    return PlannedMessage(
        request.message_type,
        channel,
        PlanStatus.PENDING,
        None,
        address,
        key,
        rendered.content,
        rendered.version,
        at,
    )
