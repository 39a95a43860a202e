"""The envelope every event travels in, the event base class and the type registry."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID, uuid4

import orjson
from pydantic import AwareDatetime, BaseModel, ConfigDict, SerializeAsAny, ValidationError

from motcua.events.topics import TopicSpec

__all__ = [
    "Envelope",
    "Event",
    "InvalidEvent",
    "decode",
    "encode",
    "event_class",
    "event_classes",
]


class InvalidEvent(ValueError):
    """A message that is not a valid event of the contract; carries a readable reason."""


class Event(BaseModel):
    """Base of every event payload: frozen, and tolerant of fields added by newer producers."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    topic: ClassVar[TopicSpec]

    _registry: ClassVar[dict[tuple[str, int], type[Event]]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "event_type" in cls.__dict__:
            key = (cls.event_type, cls.schema_version)
            if key in Event._registry:
                raise TypeError(f"event type {key} is declared twice")
            Event._registry[key] = cls

    def upcast(self) -> Event:
        """This event in its type's current schema version; an older version's model
        overrides it, so consumers only ever handle the current one."""
        return self

    def partition_key(self, envelope: Envelope) -> str:
        """The Kafka key: the dossier code, so one dossier's events stay in order."""
        if envelope.dossier_code is None:
            raise InvalidEvent(f"{self.event_type} needs a dossier code as its key")
        return envelope.dossier_code


def event_class(event_type: str, schema_version: int = 1) -> type[Event]:
    """The payload model registered for an event type and version."""
    try:
        return Event._registry[(event_type, schema_version)]
    except KeyError:
        raise InvalidEvent(f"unknown event type {event_type!r} v{schema_version}") from None


def event_classes() -> list[type[Event]]:
    """Every registered payload model, sorted by type and version."""
    return [Event._registry[key] for key in sorted(Event._registry)]


class Envelope(BaseModel):
    """An event with its metadata, as published on Kafka (JSON)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_id: UUID
    event_type: str
    schema_version: int
    occurred_at: AwareDatetime
    recorded_at: AwareDatetime
    dossier_code: str | None
    agency_code: str | None
    correlation_id: UUID
    causation_id: UUID | None
    producer: str
    data: SerializeAsAny[Event]

    @classmethod
    def wrap(
        cls,
        data: Event,
        *,
        producer: str,
        occurred_at: datetime,
        now: datetime,
        dossier_code: str | None,
        agency_code: str | None,
        caused_by: Envelope | None = None,
        correlation_id: UUID | None = None,
        event_id: UUID | None = None,
    ) -> Envelope:
        """A new envelope; correlation follows the causing event unless given."""
        if caused_by is not None and correlation_id is None:
            correlation_id = caused_by.correlation_id
        new_id = event_id or uuid4()
        return cls(
            event_id=new_id,
            event_type=data.event_type,
            schema_version=data.schema_version,
            occurred_at=occurred_at,
            recorded_at=now,
            dossier_code=dossier_code,
            agency_code=agency_code,
            correlation_id=correlation_id or new_id,
            causation_id=caused_by.event_id if caused_by else None,
            producer=producer,
            data=data,
        )

    @property
    def key(self) -> str:
        """The Kafka key of this event."""
        return self.data.partition_key(self)

    @property
    def topic(self) -> str:
        """The topic this event is published to."""
        return self.data.topic.name


def encode(envelope: Envelope) -> bytes:
    """Serialise an envelope to its wire form (UTF-8 JSON)."""
    return envelope.model_dump_json().encode()


def decode(raw: bytes | str) -> Envelope:
    """Parse and validate a wire message; raises InvalidEvent with the reason."""
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidEvent(f"not JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise InvalidEvent("an event must be a JSON object")
    model = event_class(str(obj.get("event_type")), _version(obj.get("schema_version")))
    try:
        data = model.model_validate(obj.get("data")).upcast()
    except ValidationError as exc:
        raise InvalidEvent(_describe(exc, prefix="data.")) from None
    obj["data"], obj["schema_version"] = data, data.schema_version
    try:
        return Envelope.model_validate(obj)
    except ValidationError as exc:
        raise InvalidEvent(_describe(exc)) from None


def _version(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise InvalidEvent(f"schema_version must be an integer, got {value!r}")


def _describe(exc: ValidationError, prefix: str = "") -> str:
    parts = []
    for error in exc.errors(include_url=False):
        where = prefix + ".".join(str(p) for p in error["loc"]) or "(root)"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)
