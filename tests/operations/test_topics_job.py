"""`motcua-topics` (the Kubernetes Job and docker-compose's one-shot) creates the topics of
the contract with their partitions, compaction and retention, on the real broker."""

from __future__ import annotations

import shlex
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from motcua.events.topics import TopicSpec, all_topics
from motcua.messaging.access import grants
from motcua.messaging.provisioning import acl_script, ensure_topics, topic_states
from motcua.settings import KafkaSettings

pytestmark = pytest.mark.infra
ROOT = Path(__file__).resolve().parents[2]


async def _configs(kafka_settings: KafkaSettings, topic: str) -> dict[str, str]:
    admin = AIOKafkaAdminClient(**kafka_settings.client_options())
    await admin.start()
    try:
        (response,) = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topic)]
        )
    finally:
        await admin.close()
    (resource,) = response.resources
    return {entry[0]: entry[1] for entry in resource[4]}


async def test_topics_are_created_with_partitions_compaction_and_retention(
    kafka_settings: KafkaSettings,
) -> None:
    suffix = uuid.uuid4().hex[:10]
    compacted = TopicSpec(f"test.compacted.{suffix}.v1", partitions=3, compacted=True)
    kept = TopicSpec(f"test.kept.{suffix}.v1", partitions=2, retention_ms=-1)

    created = await ensure_topics(kafka_settings, [compacted, kept])
    again = await ensure_topics(kafka_settings, [compacted, kept])

    assert sorted(created) == sorted([compacted.name, kept.name])
    assert again == []
    states = await topic_states(kafka_settings, [compacted, kept])
    assert [s.partitions for s in states] == [3, 2]
    assert (await _configs(kafka_settings, compacted.name))["cleanup.policy"] == "compact"
    kept_configs = await _configs(kafka_settings, kept.name)
    assert (kept_configs["cleanup.policy"], kept_configs["retention.ms"]) == ("delete", "-1")


async def test_a_topic_whose_partitions_differ_from_the_contract_is_reported(
    kafka_settings: KafkaSettings,
) -> None:
    name = f"test.repartitioned.{uuid.uuid4().hex[:10]}.v1"
    await ensure_topics(kafka_settings, [TopicSpec(name, partitions=1)])

    (state,) = await topic_states(kafka_settings, [TopicSpec(name, partitions=6)])

    assert state.partitions == 1
    assert "DIFFERS" in state.line


def test_the_job_command_lists_every_topic_of_the_contract(kafka_settings: KafkaSettings) -> None:
    tool = Path(sys.executable).parent / "motcua-topics"
    done = subprocess.run(
        [str(tool), "create", "--bootstrap-servers", kafka_settings.bootstrap_servers],
        capture_output=True,
        text=True,
        timeout=180,
    )

    assert done.returncode == 0, done.stderr
    listed = {line.split()[0]: line.split()[1] for line in done.stdout.splitlines()[1:]}
    assert listed == {spec.name: "ok" for spec in all_topics()}


def test_the_compose_acl_script_is_the_one_the_access_rules_give() -> None:
    committed = ROOT / "deploy" / "kafka" / "compose" / "acls.sh"
    expected = acl_script("kafka:9092", "/opt/kafka/bin/kafka-acls.sh", "/tmp/admin.properties")
    assert committed.read_text() == expected, (
        "regenerate: uv run motcua-topics acls --bootstrap-servers kafka:9092 "
        "--command-config /tmp/admin.properties > deploy/kafka/compose/acls.sh"
    )
    for grant in grants():
        assert shlex.join(grant.arguments()) in expected
