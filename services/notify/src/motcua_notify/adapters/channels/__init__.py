"""Delivery channels: email over SMTP, SMS and Zalo ZNS over HTTP, signed webhooks."""

from motcua_notify.adapters.channels.channel import Channel
from motcua_notify.adapters.channels.http_sms import HttpSmsChannel
from motcua_notify.adapters.channels.smtp_email import SmtpEmailChannel, SmtpSettings
from motcua_notify.adapters.channels.webhook import WebhookChannel, signature
from motcua_notify.adapters.channels.zalo_zns import ZaloZnsChannel

__all__ = [
    "Channel",
    "HttpSmsChannel",
    "SmtpEmailChannel",
    "SmtpSettings",
    "WebhookChannel",
    "ZaloZnsChannel",
    "signature",
]
