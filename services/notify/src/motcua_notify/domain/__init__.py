"""Pure notification logic: message types, contexts, templates, SMS sizing, timing, contacts."""

from motcua.clock import VIETNAM
from motcua_notify.domain.contacts import (
    ContactFailure,
    Recipient,
    address_for,
    mask,
    normalise_email,
    normalise_phone,
)
from motcua_notify.domain.content import (
    EmailContent,
    MessageContent,
    SmsContent,
    WebhookContent,
    ZnsContent,
)
from motcua_notify.domain.contexts import (
    CONTEXT_TYPES,
    ApologyContext,
    ApologyRequiredContext,
    DailyDigestContext,
    DigestEntry,
    DueSoonContext,
    EscalationContext,
    MessageContext,
    OverdueContext,
    ReceiptContext,
    RefusalContext,
    ResultReadyContext,
    StopNoticeContext,
    SupplementRequestContext,
)
from motcua_notify.domain.idempotency import idempotency_key
from motcua_notify.domain.local_time import format_local
from motcua_notify.domain.messages import Audience, Channel, MessageType
from motcua_notify.domain.outbound import (
    Accepted,
    Delivered,
    OutboundMessage,
    PermanentFailure,
    SendResult,
    TemporaryFailure,
)
from motcua_notify.domain.quiet_hours import QuietHours, earliest_send_time
from motcua_notify.domain.rendering import (
    Rendered,
    SmsPolicy,
    SmsTooLongError,
    TemplateRegistry,
    TemplateSpec,
    required_channels,
)
from motcua_notify.domain.sms import SmsEncoding, SmsSize, measure, segments, unaccented
from motcua_notify.domain.template_checks import TemplateError

__all__ = [
    "CONTEXT_TYPES",
    "VIETNAM",
    "Accepted",
    "ApologyContext",
    "ApologyRequiredContext",
    "Audience",
    "Channel",
    "ContactFailure",
    "DailyDigestContext",
    "Delivered",
    "DigestEntry",
    "DueSoonContext",
    "EmailContent",
    "EscalationContext",
    "MessageContent",
    "MessageContext",
    "MessageType",
    "OutboundMessage",
    "OverdueContext",
    "PermanentFailure",
    "QuietHours",
    "ReceiptContext",
    "Recipient",
    "RefusalContext",
    "Rendered",
    "ResultReadyContext",
    "SendResult",
    "SmsContent",
    "SmsEncoding",
    "SmsPolicy",
    "SmsSize",
    "SmsTooLongError",
    "StopNoticeContext",
    "SupplementRequestContext",
    "TemplateError",
    "TemplateRegistry",
    "TemplateSpec",
    "TemporaryFailure",
    "WebhookContent",
    "ZnsContent",
    "address_for",
    "earliest_send_time",
    "format_local",
    "idempotency_key",
    "mask",
    "measure",
    "normalise_email",
    "normalise_phone",
    "required_channels",
    "segments",
    "unaccented",
]
