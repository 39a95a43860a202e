"""Helpers of the notify integration tests: waiting, and reading what was delivered."""

import asyncio
from email import message_from_bytes, policy
from email.message import EmailMessage

import httpx
from aiokafka import AIOKafkaConsumer
from prometheus_client import REGISTRY

from motcua.events import Envelope, decode
from motcua.settings import KafkaSettings

READ, ADMIN, RECEIPTS = "doc-nhat-ky", "quan-tri", "bien-nhan"


async def log_of(client: httpx.AsyncClient, notify, code: str) -> list[dict]:
    """A dossier's delivery log, as an official reads it (`GET /v1/notifications`)."""
    answer = await client.get(
        f"{notify.url}/v1/notifications",
        params={"dossier_code": code},
        headers={"Authorization": f"Bearer {READ}"},
    )
    assert answer.status_code == 200, answer.text
    items: list[dict] = answer.json()["items"]
    return items


def sample(name: str, labels: dict[str, str]) -> float:
    """A metric of the notify under test (run in this process), 0 before it was counted."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def mails(smtp_server) -> list[EmailMessage]:
    return [message_from_bytes(raw, policy=policy.default) for raw in smtp_server.recorder.messages]


def plain_text(mail: EmailMessage) -> str:
    return mail.get_body(("plain",)).get_content()


async def gateway_messages(client: httpx.AsyncClient, gateway: str) -> list[dict]:
    return (await client.get(f"{gateway}/_messages")).json()


async def read_events(kafka: KafkaSettings, topic: str, expected: int, within: float = 10) -> list:
    consumer = AIOKafkaConsumer(
        topic, **kafka.client_options(), auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    found: list[Envelope] = []
    try:
        deadline = asyncio.get_running_loop().time() + within
        while len(found) < expected and asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=200)).values():
                found += [decode(r.value) for r in records]
        return found
    finally:
        await consumer.stop()
