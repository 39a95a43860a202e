"""Every Kafka topic of the system, in one place.

Topics are versioned (`<owner>.<name>.v1`). Each consuming service owns a
dead-letter topic (`<service>.dlq.v1`) and a redrive topic (`<service>.redrive.v1`)
that only it reads, so putting a dead letter back never disturbs other consumers.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AGENCIES",
    "APPLICANTS",
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
    extra: tuple[tuple[str, str], ...] = ()
    """Further topic-level settings, as (name, value) pairs."""
    readers: tuple[str, ...] | None = None
    """The services allowed to read it besides its owner; None: every service."""

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
        configs.update(self.extra)
        return configs


DOSSIER_EVENTS = TopicSpec("intake.dossier-events.v1", partitions=6, retention_ms=-1)
_DAY_MS = 24 * 3600 * 1000
APPLICANTS = TopicSpec(
    "intake.applicants.v1",
    partitions=6,
    compacted=True,
    extra=(
        # An erased record's older values are cleaned away within a day of the erasure:
        # segments roll daily and are compacted at most a day after they are written.
        ("segment.ms", str(_DAY_MS)),
        ("max.compaction.lag.ms", str(_DAY_MS)),
        ("min.cleanable.dirty.ratio", "0.1"),
    ),
    readers=("tracking", "notify", "portal"),
)
"""The applicant's personal data, one record per dossier; the only topic that carries it.

Compacted and keyed by dossier code: intake writes `ApplicantRecorded` at reception and
`ApplicantErased` when the retention ends or an erasure is requested, after which
compaction leaves only the erasure. Only the services that need a citizen's contacts read
it (docs/privacy.md)."""
CATALOGUE = TopicSpec("intake.procedures.v1", partitions=3, retention_ms=-1)
"""Every revision of every procedure, keyed by procedure code and kept for ever: a
reception names the revision its deadlines follow, and a reader replaying the dossier log
from its start must find each one (not compacted: compaction would keep only the newest)."""
AGENCIES = TopicSpec("intake.agencies.v1", partitions=3, compacted=True)
INTAKE_COMMANDS = TopicSpec("intake.commands.v1", partitions=6, retention_ms=7 * _DAY_MS)
"""Commands carry registrations with personal data: kept a week, long enough to replay."""
TRACKING_EVENTS = TopicSpec("tracking.deadline-events.v1", partitions=6, retention_ms=-1)
INDICATORS = TopicSpec("scoring.indicators.v1", partitions=3, compacted=True)
NOTIFICATION_EVENTS = TopicSpec("notify.notification-events.v1", partitions=3)


def dead_letter_topic(service: str) -> TopicSpec:
    """The dead-letter topic of a consuming service: kept 30 days (a dead letter may carry
    personal data; the service's own dead-letter table is what an operator redrives from)."""
    return TopicSpec(f"{service}.dlq.v1", partitions=1, retention_ms=30 * _DAY_MS)


def redrive_topic(service: str) -> TopicSpec:
    """The topic a service re-reads dead letters from after a redrive."""
    return TopicSpec(f"{service}.redrive.v1", partitions=1)


def all_topics() -> list[TopicSpec]:
    """Every topic the local stack and deployments create."""
    topics = [
        DOSSIER_EVENTS,
        APPLICANTS,
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
