"""What every factory of events for tests shares: a dossier code of its own, and an event
in the envelope its producer publishes it in. Receptions and the catalogue revisions they
name come from `motcua.testing.catalogue`."""

from __future__ import annotations

import secrets
from datetime import datetime

from motcua.events import Envelope, Event

__all__ = ["new_dossier_code", "wrap"]


def new_dossier_code(agency: str = "STP", day: str = "260302") -> str:
    """A dossier code of `agency` received on `day` (YYMMDD), unique in practice."""
    return f"{agency}-{day}-{secrets.randbelow(10**8):08d}"


def wrap(
    data: Event,
    *,
    code: str | None,
    at: datetime,
    agency: str | None = "STP",
    producer: str | None = None,
    recorded_at: datetime | None = None,
) -> Envelope:
    """`data` as `producer` (by default its topic's owner) publishes it: about dossier
    `code` of `agency`, happened `at` and recorded then (or at `recorded_at`)."""
    return Envelope.wrap(
        data,
        producer=producer or data.topic.owner,
        occurred_at=at,
        now=recorded_at or at,
        dossier_code=code,
        agency_code=agency,
    )
