"""A test's own topics, one for each thing the services carry, and a service's own name
(so its own consumer groups): tests never touch the system's topics nor share a group.

`topics.wire(TopicSettings)` gives any service's topic settings on the test's topics: each
field is named for what its topic carries (`procedures` is the catalogue, and tracking's
`publish_to` its events)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

from motcua.events.envelope import Envelope
from motcua.events.topics import (
    AGENCIES,
    APPLICANTS,
    CATALOGUE,
    DOSSIER_EVENTS,
    INDICATORS,
    NOTIFICATION_EVENTS,
    TRACKING_EVENTS,
    TopicSpec,
    dead_letter_topic,
    redrive_topic,
)
from motcua.settings import KafkaSettings
from motcua.testing.servers import create_topics

__all__ = ["PARTITIONS", "Topics", "make_topics", "new_service"]

Settings = TypeVar("Settings", bound=BaseModel)

PARTITIONS: dict[str, int] = {
    "dossier_events": 3,
    "applicants": 3,
    "tracking_events": 3,
    "catalogue": 1,
    "agencies": 1,
    "indicators": 1,
    "notifications": 1,
}
"""The partitions of each of a test's topics: the streams of dossiers are spread, the
tables of reference (catalogue, agencies) and the outputs read whole are not."""

_FIELDS = {"procedures": "catalogue", "publish_to": "tracking_events"}
_ROLES = {
    DOSSIER_EVENTS.name: "dossier_events",
    APPLICANTS.name: "applicants",
    TRACKING_EVENTS.name: "tracking_events",
    CATALOGUE.name: "catalogue",
    AGENCIES.name: "agencies",
    INDICATORS.name: "indicators",
    NOTIFICATION_EVENTS.name: "notifications",
}


@dataclass(frozen=True)
class Topics:
    """The names of one test's topics, by what they carry."""

    dossier_events: str
    applicants: str
    tracking_events: str
    catalogue: str
    agencies: str
    indicators: str
    notifications: str

    @property
    def procedures(self) -> str:
        """The catalogue topic, as the consuming services call it."""
        return self.catalogue

    def by_role(self) -> dict[str, str]:
        """Each topic's name by what it carries."""
        return dataclasses.asdict(self)

    def of(self, envelope: Envelope) -> str:
        """The test's topic for an event: the one standing for the system's topic it is
        published to."""
        return str(getattr(self, _ROLES[envelope.topic]))

    def wire(self, settings_type: type[Settings], **overrides: Any) -> Settings:
        """`settings_type` (a service's topic settings) with each of its topics on this
        test's (keyword arguments set fields as given)."""
        roles = self.by_role()
        values = {
            field: roles[_FIELDS.get(field, field)]
            for field in settings_type.model_fields
            if _FIELDS.get(field, field) in roles
        }
        return settings_type(**(values | overrides))


async def make_topics(
    kafka: KafkaSettings,
    label: str = "",
    *,
    compacted: Mapping[str, tuple[tuple[str, str], ...]] | None = None,
) -> Topics:
    """Create a test's topics (`test.<label><role>.<unique>.v1`, partitioned by
    `PARTITIONS`); `compacted` makes some roles' topics compacted, with these topic-level
    settings."""
    run = uuid.uuid4().hex[:10]
    names = {role: f"test.{label}{role.replace('_', '-')}.{run}.v1" for role in PARTITIONS}
    compacted = compacted or {}
    await create_topics(
        kafka,
        [
            TopicSpec(
                names[role],
                partitions,
                compacted=role in compacted,
                extra=compacted.get(role, ()),
            )
            for role, partitions in PARTITIONS.items()
        ],
    )
    return Topics(**names)


async def new_service(kafka: KafkaSettings, service: str, *, as_is: bool = False) -> str:
    """A name for a service under test, `<service>-<unique>` (its own consumer groups) or
    `service` itself if `as_is`, with its redrive and dead-letter topics created."""
    name = service if as_is else f"{service}-{uuid.uuid4().hex[:8]}"
    await create_topics(kafka, [dead_letter_topic(name), redrive_topic(name)])
    return name
