"""Every Kafka topic of the system, in one place.

Topics are versioned (`<owner>.<name>.v1`). Each consuming service owns a
dead-letter topic (`<service>.dlq.v1`) and a redrive topic (`<service>.redrive.v1`)
that only it reads, so putting a dead letter back never disturbs other consumers.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AGENCIES",
    "CATALOGUE",
    "DOSSIER_EVENTS",
    "INDICATORS",
    "INTAKE_COMMANDS",
    "NOTIFICATION_EVENTS",
    "SERVICES",
    "TRACKING_EVENTS",
    "TopicSpec",
    "all_topics",
    "dead_letter_topic",
    "redrive_topic",
]

SERVICES = ("intake", "tracking", "scoring", "notify", "portal")


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """A topic with the settings it is created with."""

    name: str
    partitions: int
    compacted: bool = False
    retention_ms: int | None = None

    @property
    def owner(self) -> str:
        """The service that writes the topic (its name's first part); the broker's ACLs let
        no one else, and consumers dead-letter events that name another producer."""
        return self.name.split(".", 1)[0]

    def configs(self) -> dict[str, str]:
        """Topic-level broker configuration."""
        configs = {"cleanup.policy": "compact" if self.compacted else "delete"}
        if self.retention_ms is not None:
            configs["retention.ms"] = str(self.retention_ms)
        return configs


DOSSIER_EVENTS = TopicSpec("intake.dossier-events.v1", partitions=6, retention_ms=-1)
CATALOGUE = TopicSpec("intake.procedures.v1", partitions=3, compacted=True)
AGENCIES = TopicSpec("intake.agencies.v1", partitions=3, compacted=True)
INTAKE_COMMANDS = TopicSpec("intake.commands.v1", partitions=6)
TRACKING_EVENTS = TopicSpec("tracking.deadline-events.v1", partitions=6, retention_ms=-1)
INDICATORS = TopicSpec("scoring.indicators.v1", partitions=3, compacted=True)
NOTIFICATION_EVENTS = TopicSpec("notify.notification-events.v1", partitions=3)


def dead_letter_topic(service: str) -> TopicSpec:
    """The dead-letter topic of a consuming service."""
    return TopicSpec(f"{service}.dlq.v1", partitions=1, retention_ms=-1)


def redrive_topic(service: str) -> TopicSpec:
    """The topic a service re-reads dead letters from after a redrive."""
    return TopicSpec(f"{service}.redrive.v1", partitions=1)


def all_topics() -> list[TopicSpec]:
    """Every topic the local stack and deployments create."""
    topics = [
        DOSSIER_EVENTS,
        CATALOGUE,
        AGENCIES,
        INTAKE_COMMANDS,
        TRACKING_EVENTS,
        INDICATORS,
        NOTIFICATION_EVENTS,
    ]
    for service in SERVICES:
        topics += [dead_letter_topic(service), redrive_topic(service)]
    return topics
