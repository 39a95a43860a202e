import asyncio
import hashlib
import hmac
import json
import logging

import pytest

from motcua.http import GatewayClient
from motcua_notify.adapters.channels.http_sms import HttpSmsChannel
from motcua_notify.adapters.channels.webhook import WebhookChannel
from motcua_notify.adapters.channels.zalo_zns import ZaloZnsChannel
from motcua_notify.domain.content import WebhookContent
from motcua_notify.domain.messages import Channel, MessageType
from motcua_notify.domain.outbound import (
    Accepted,
    Delivered,
    OutboundMessage,
    PermanentFailure,
    TemporaryFailure,
)

PHONE = "+84912345689"
SECRET = b"khoa-bi-mat-cua-don-vi"
pytestmark = pytest.mark.timeout(30)


@pytest.fixture
async def sender():
    client = GatewayClient()
    yield client
    await client.close()


async def set_mode(client, gateway, mode, times=1):
    await client.post(f"{gateway}/_mode", json={"mode": mode, "times": times})


async def recorded(client, gateway):
    return (await client.get(f"{gateway}/_messages")).json()


def sms_channel(sender, base_url):
    return HttpSmsChannel(sender, base_url, api_key="sms-key", timeout=2.0)


def zalo_channel(sender, base_url):
    return ZaloZnsChannel(sender, access_token="zalo-token", base_url=base_url, timeout=2.0)


def webhook_message(url):
    payload = {"type": "overdue", "title": "Hồ sơ H12-250303-0001 đã quá hạn xử lý"}
    return OutboundMessage(
        "w" * 64,
        "H12-250303-0001",
        MessageType.OVERDUE,
        Channel.WEBHOOK,
        url,
        WebhookContent(payload),
        1,
    )


# SMS


async def test_sms_is_accepted_with_the_gateway_message_id(gateway, client, outbound, sender):
    message = outbound(Channel.SMS, PHONE)

    result = await sms_channel(sender, gateway).send(message)

    [received] = await recorded(client, gateway)
    assert isinstance(result, Accepted)
    assert result.provider_message_id.startswith("sms-")
    assert received["endpoint"] == "sms"
    assert received["headers"]["x-api-key"] == "sms-key"
    assert received["body"] == {
        "to": PHONE,
        "text": message.content.text,
        "encoding": "ucs2",
        "client_ref": message.idempotency_key,
    }
    assert "hẹn trả kết quả 16:30 ngày 10/03/2025" in received["body"]["text"]


async def test_sms_rate_limited_then_accepted(gateway, client, outbound, sender):
    channel = sms_channel(sender, gateway)
    await set_mode(client, gateway, "rate_limit", times=1)

    first = await channel.send(outbound(Channel.SMS, PHONE))
    second = await channel.send(outbound(Channel.SMS, PHONE))

    assert first == TemporaryFailure("rate_limited", 1.0)
    assert isinstance(second, Accepted)


async def test_sms_server_error_is_temporary(gateway, client, outbound, sender):
    await set_mode(client, gateway, "fail")

    assert await sms_channel(sender, gateway).send(outbound(Channel.SMS, PHONE)) == (
        TemporaryFailure("gateway_error_500")
    )


async def test_sms_bad_request_is_permanent(gateway, client, outbound, sender):
    await set_mode(client, gateway, "reject")

    assert await sms_channel(sender, gateway).send(outbound(Channel.SMS, PHONE)) == (
        PermanentFailure("rejected_400")
    )


async def test_sms_garbage_answer_is_permanent(gateway, client, outbound, sender):
    await set_mode(client, gateway, "garbage")

    assert await sms_channel(sender, gateway).send(outbound(Channel.SMS, PHONE)) == (
        PermanentFailure("gateway_garbage")
    )


async def test_unreachable_gateway_is_temporary(client, outbound, unused_port, sender):
    channel = sms_channel(sender, f"http://127.0.0.1:{unused_port}")

    assert await channel.send(outbound(Channel.SMS, PHONE)) == TemporaryFailure("connection_error")


async def test_silent_gateway_times_out_as_temporary(client, outbound, sender):
    async def never_answer(reader, writer):
        await asyncio.sleep(5)
        writer.close()

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    channel = HttpSmsChannel(sender, f"http://127.0.0.1:{port}", "k", timeout=0.2)

    result = await channel.send(outbound(Channel.SMS, PHONE))
    server.close()

    assert result == TemporaryFailure("timeout")


async def test_logs_show_a_masked_phone_and_no_text(gateway, client, outbound, caplog, sender):
    caplog.set_level(logging.INFO, logger="motcua_notify")
    message = outbound(Channel.SMS, PHONE)

    await sms_channel(sender, gateway).send(message)

    assert "+84*******89" in caplog.text
    assert PHONE not in caplog.text
    assert "tiếp nhận" not in caplog.text


async def test_delivery_receipt_is_posted_to_the_callback(gateway, client, outbound, sender):
    callback = f"{gateway}/webhook/receipts"
    await client.post(f"{gateway}/_config", json={"callback_url": callback})
    message = outbound(Channel.SMS, PHONE)

    result = await sms_channel(sender, gateway).send(message)

    for _ in range(100):
        receipts = [
            m for m in await recorded(client, gateway) if m["endpoint"] == "webhook/receipts"
        ]
        if receipts:
            break
        await asyncio.sleep(0.02)
    assert receipts[0]["body"]["message_id"] == result.provider_message_id
    assert receipts[0]["body"]["reference"] == message.idempotency_key
    assert receipts[0]["body"]["status"] == "delivered"


# Zalo ZNS


async def test_zns_sends_template_and_params(gateway, client, outbound, sender):
    message = outbound(Channel.ZALO, PHONE)

    result = await zalo_channel(sender, gateway).send(message)

    [received] = await recorded(client, gateway)
    assert isinstance(result, Accepted)
    assert result.provider_message_id.startswith("zns-")
    assert received["endpoint"] == "zalo"
    assert received["headers"]["access_token"] == "zalo-token"
    assert received["body"]["phone"] == "84912345689"
    assert received["body"]["template_id"] == "motcua_receipt_v1"
    assert received["body"]["tracking_id"] == message.idempotency_key
    assert received["body"]["template_data"]["ten_cong_dan"] == "Nguyễn Văn An"
    assert received["body"]["template_data"]["hen_tra_ket_qua"] == "16:30 ngày 10/03/2025"


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("rate_limit", TemporaryFailure("rate_limited", 1.0)),
        ("fail", TemporaryFailure("gateway_error_500")),
        ("reject", PermanentFailure("invalid_phone")),
        ("garbage", PermanentFailure("gateway_garbage")),
    ],
)
async def test_zns_failures(gateway, client, outbound, mode, expected, sender):
    await set_mode(client, gateway, mode)
    channel = zalo_channel(sender, gateway)

    assert await channel.send(outbound(Channel.ZALO, PHONE)) == expected
    assert isinstance(await channel.send(outbound(Channel.ZALO, PHONE)), Accepted)


# Webhook


async def test_webhook_is_signed_and_delivered(gateway, client, sender):
    message = webhook_message(f"{gateway}/webhook/qlvb")

    result = await WebhookChannel(sender, SECRET, timeout=2.0).send(message)

    [received] = await recorded(client, gateway)
    assert result == Delivered()
    assert received["body"]["title"] == "Hồ sơ H12-250303-0001 đã quá hạn xử lý"
    timestamp = received["headers"]["x-motcua-timestamp"]
    signed = timestamp.encode() + b"." + received["raw"].encode("utf-8")
    expected = hmac.new(SECRET, signed, hashlib.sha256).hexdigest()
    assert received["headers"]["x-motcua-signature"] == f"sha256={expected}"
    assert json.loads(received["raw"]) == dict(message.content.payload)


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("rate_limit", TemporaryFailure("rate_limited", 1.0)),
        ("fail", TemporaryFailure("gateway_error_500")),
        ("reject", PermanentFailure("rejected_400")),
    ],
)
async def test_webhook_failures(gateway, client, mode, expected, sender):
    await set_mode(client, gateway, mode)
    channel = WebhookChannel(sender, SECRET, timeout=2.0)

    assert await channel.send(webhook_message(f"{gateway}/webhook/qlvb")) == expected


async def test_rate_limit_applies_n_times_then_recovers(gateway, client, outbound, sender):
    await set_mode(client, gateway, "rate_limit", times=2)
    channel = sms_channel(sender, gateway)

    results = [await channel.send(outbound(Channel.SMS, PHONE)) for _ in range(3)]

    assert [type(r) for r in results] == [TemporaryFailure, TemporaryFailure, Accepted]
