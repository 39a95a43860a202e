"""The broker checks who writes: every client signs in, and the ACLs of
`motcua.messaging.access` let a service write only its own topics and use only its own
consumer groups, and only the services that need it read the applicants' topic. Run
against the local stack's broker (its principals' passwords are in the stack's
credentials)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    KafkaError,
    TopicAuthorizationFailedError,
)
from pydantic import SecretStr

from motcua.events.topics import APPLICANTS, DOSSIER_EVENTS, INTAKE_COMMANDS, dead_letter_topic
from motcua.settings import KafkaSettings
from motcua.stackenv import read_env
from motcua_devstack.credentials import credentials, kafka_password
from motcua_devstack.layout import Layout

pytestmark = pytest.mark.infra


def as_principal(kafka: KafkaSettings, user: str, password: str | None = None) -> KafkaSettings:
    layout = Layout.discover()
    stack = read_env(layout.env_file).get("KAFKA_BOOTSTRAP_SERVERS")
    assert stack == kafka.bootstrap_servers, (
        f"the principals' passwords are those of the stack in {layout.state}, whose broker is "
        f"{stack}, not {kafka.bootstrap_servers}: set MOTCUA_STATE_DIR to the stack under test"
    )
    secret = password or kafka_password(credentials(layout), user)
    return kafka.model_copy(update={"sasl_username": user, "sasl_password": SecretStr(secret)})


@pytest.fixture
def broker(kafka_settings: KafkaSettings) -> KafkaSettings:
    assert kafka_settings.security_protocol != "PLAINTEXT", (
        "these tests need the local stack's broker, which asks every client to sign in"
    )
    return kafka_settings


async def write(kafka: KafkaSettings, topic: str) -> None:
    producer = AIOKafkaProducer(**kafka.client_options(), request_timeout_ms=10_000)
    try:
        await producer.start()
        await producer.send_and_wait(topic, b"{}", key=b"ACL-TEST")
    finally:
        await producer.stop()


async def join(kafka: KafkaSettings, topic: str, group: str) -> None:
    consumer = AIOKafkaConsumer(
        topic, **kafka.client_options(), group_id=group, auto_offset_reset="latest"
    )
    try:
        await consumer.start()
        await consumer.getmany(timeout_ms=2000)
        await consumer.commit()
    finally:
        await consumer.stop()


async def test_a_service_writes_its_own_topics_and_no_one_else_s(broker: KafkaSettings) -> None:
    tracking = as_principal(broker, "tracking")

    await write(tracking, dead_letter_topic("tracking").name)
    with pytest.raises(TopicAuthorizationFailedError):
        await write(tracking, dead_letter_topic("intake").name)


async def test_only_counter_software_and_operators_send_intake_commands(
    broker: KafkaSettings,
) -> None:
    await write(as_principal(broker, "counter"), INTAKE_COMMANDS.name)
    with pytest.raises(TopicAuthorizationFailedError):
        await write(as_principal(broker, "notify"), INTAKE_COMMANDS.name)
    with pytest.raises(TopicAuthorizationFailedError):
        await write(as_principal(broker, "counter"), dead_letter_topic("intake").name)


async def test_a_consumer_group_belongs_to_its_service(broker: KafkaSettings) -> None:
    scoring = as_principal(broker, "scoring")
    topic = dead_letter_topic("scoring").name
    suffix = uuid.uuid4().hex[:8]

    await join(scoring, topic, f"scoring.acl-test-{suffix}")
    with pytest.raises(GroupAuthorizationFailedError):
        await join(scoring, topic, f"tracking.acl-test-{suffix}")


async def test_a_client_that_does_not_sign_in_or_signs_in_wrongly_is_refused(
    broker: KafkaSettings,
) -> None:
    anonymous = KafkaSettings(bootstrap_servers=broker.bootstrap_servers)
    wrong = as_principal(broker, "intake", password="not-the-password")

    for refused in (anonymous, wrong):
        with pytest.raises((KafkaConnectionError, KafkaError)):
            async with asyncio.timeout(30):
                await write(refused, dead_letter_topic("intake").name)


async def read(kafka: KafkaSettings, topic: str) -> None:
    consumer = AIOKafkaConsumer(**kafka.client_options(), enable_auto_commit=False)
    try:
        await consumer.start()
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        await consumer.seek_to_beginning(partition)
        await consumer.getmany(timeout_ms=2000)
    finally:
        await consumer.stop()


async def test_only_the_services_that_need_the_applicant_read_its_topic(
    broker: KafkaSettings,
) -> None:
    for reader in ("intake", *(APPLICANTS.readers or ())):
        await read(as_principal(broker, reader), APPLICANTS.name)
    with pytest.raises(TopicAuthorizationFailedError):
        async with asyncio.timeout(30):
            await read(as_principal(broker, "scoring"), APPLICANTS.name)
    # Scoring still reads every other topic.
    await read(as_principal(broker, "scoring"), DOSSIER_EVENTS.name)
