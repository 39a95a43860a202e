"""The one interface every delivery channel implements."""

from typing import Protocol

from motcua_notify.domain import messages
from motcua_notify.domain.outbound import OutboundMessage, SendResult

__all__ = ["Channel"]


class Channel(Protocol):
    """Sends one rendered message and reports the outcome; never raises for delivery errors."""

    @property
    def name(self) -> messages.Channel:
        """Which channel this is (email, sms, zalo or webhook)."""
        ...

    async def send(self, message: OutboundMessage) -> SendResult:
        """Send one message; the result tells whether to retry."""
        ...
