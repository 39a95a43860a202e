from datetime import UTC, datetime

import pytest

from motcua_notify.domain.contexts import ReceiptContext
from motcua_notify.domain.idempotency import idempotency_key
from motcua_notify.domain.messages import Channel, MessageType
from motcua_notify.domain.outbound import OutboundMessage
from motcua_notify.templates import load_registry


@pytest.fixture(scope="session")
def registry():
    return load_registry()


@pytest.fixture
def receipt() -> ReceiptContext:
    return ReceiptContext(
        applicant_name="Nguyễn Văn An",
        dossier_code="H12.22-250303-0001",
        procedure_name="Đăng ký khai sinh",
        receiving_unit="UBND xã Đông Anh",
        received_at=datetime(2025, 3, 3, 3, 15, tzinfo=UTC),
        appointment_at=datetime(2025, 3, 10, 9, 30, tzinfo=UTC),
        collection_place="Bộ phận một cửa xã Đông Anh",
        lookup_url="https://dichvucong.hanoi.gov.vn",
    )


@pytest.fixture
def outbound(registry, receipt):
    """Build an OutboundMessage for the receipt on a channel, to a recipient."""

    def build(channel: Channel, recipient: str, event_id: str = "evt-1") -> OutboundMessage:
        rendered = registry.render(MessageType.RECEIPT, channel, receipt)
        code, kind = receipt.dossier_code, MessageType.RECEIPT
        key = idempotency_key(code, event_id, recipient, channel, kind)
        return OutboundMessage(
            key,
            receipt.dossier_code,
            MessageType.RECEIPT,
            channel,
            recipient,
            rendered.content,
            rendered.version,
        )

    return build
