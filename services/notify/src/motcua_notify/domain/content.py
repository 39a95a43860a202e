"""Rendered message bodies, one shape per channel."""

from collections.abc import Mapping
from dataclasses import dataclass

from motcua_notify.domain.sms import SmsEncoding, SmsSize, measure, unaccented

__all__ = ["EmailContent", "MessageContent", "SmsContent", "WebhookContent", "ZnsContent"]


@dataclass(frozen=True)
class EmailContent:
    subject: str
    html: str
    text: str


@dataclass(frozen=True)
class SmsContent:
    text: str

    @property
    def size(self) -> SmsSize:
        """Encoding and segment count of the text as it stands."""
        return measure(self.text)

    @property
    def encoding(self) -> SmsEncoding:
        """The encoding the text needs."""
        return self.size.encoding

    def unaccented(self) -> "SmsContent":
        """The same message without diacritics, for gateways limited to GSM-7."""
        return SmsContent(unaccented(self.text))


@dataclass(frozen=True)
class ZnsContent:
    """A Zalo ZNS message: a template approved by Zalo and its named parameters."""

    template_id: str
    params: Mapping[str, str]


@dataclass(frozen=True)
class WebhookContent:
    payload: Mapping[str, object]


MessageContent = EmailContent | SmsContent | ZnsContent | WebhookContent
