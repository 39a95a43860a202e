"""`motcua-topics` (the Kubernetes Job and docker-compose's one-shot) creates the topics of
the contract with their partitions, compaction and retention, on the real broker."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from motcua.events.topics import TopicSpec, all_topics
from motcua.messaging.provisioning import ensure_topics, topic_states

pytestmark = pytest.mark.infra


async def _configs(bootstrap_servers: str, topic: str) -> dict[str, str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
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
    bootstrap_servers: str,
) -> None:
    suffix = uuid.uuid4().hex[:10]
    compacted = TopicSpec(f"test.compacted.{suffix}.v1", partitions=3, compacted=True)
    kept = TopicSpec(f"test.kept.{suffix}.v1", partitions=2, retention_ms=-1)

    created = await ensure_topics(bootstrap_servers, [compacted, kept])
    again = await ensure_topics(bootstrap_servers, [compacted, kept])

    assert sorted(created) == sorted([compacted.name, kept.name])
    assert again == []
    states = await topic_states(bootstrap_servers, [compacted, kept])
    assert [s.partitions for s in states] == [3, 2]
    assert (await _configs(bootstrap_servers, compacted.name))["cleanup.policy"] == "compact"
    kept_configs = await _configs(bootstrap_servers, kept.name)
    assert (kept_configs["cleanup.policy"], kept_configs["retention.ms"]) == ("delete", "-1")


async def test_a_topic_whose_partitions_differ_from_the_contract_is_reported(
    bootstrap_servers: str,
) -> None:
    name = f"test.repartitioned.{uuid.uuid4().hex[:10]}.v1"
    await ensure_topics(bootstrap_servers, [TopicSpec(name, partitions=1)])

    (state,) = await topic_states(bootstrap_servers, [TopicSpec(name, partitions=6)])

    assert state.partitions == 1
    assert "DIFFERS" in state.line


def test_the_job_command_lists_every_topic_of_the_contract(bootstrap_servers: str) -> None:
    tool = Path(sys.executable).parent / "motcua-topics"
    done = subprocess.run(
        [str(tool), "create", "--bootstrap-servers", bootstrap_servers],
        capture_output=True,
        text=True,
        timeout=180,
    )

    assert done.returncode == 0, done.stderr
    listed = {line.split()[0]: line.split()[1] for line in done.stdout.splitlines()[1:]}
    assert listed == {spec.name: "ok" for spec in all_topics()}
