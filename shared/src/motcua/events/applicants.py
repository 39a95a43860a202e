"""The applicant's personal data (compacted topic `intake.applicants.v1`, keyed by dossier code).

The only events that carry a citizen's name, identity number, contacts and address.
Dossier events name none of it; a consumer that needs it (tracking's look-up digest,
notify's recipients, portal's DVCQG record) keeps its own copy only until
`ApplicantErased` arrives. See docs/privacy.md.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from motcua.events.envelope import Event
from motcua.events.topics import APPLICANTS, TopicSpec
from motcua.events.values import Applicant, Proxy

__all__ = ["ApplicantErased", "ApplicantEvent", "ApplicantRecorded"]


class ApplicantEvent(Event):
    """An event of a dossier's applicant record."""

    topic: ClassVar[TopicSpec] = APPLICANTS


class ApplicantRecorded(ApplicantEvent):
    """The applicant (and proxy) of a dossier, as handed in at reception."""

    event_type: ClassVar[str] = "applicant.recorded"

    applicant: Applicant
    proxy: Proxy | None = None


class ApplicantErased(ApplicantEvent):
    """The applicant's personal data of a dossier is gone: its retention ended, or an
    administrator erased it on the citizen's request. Every copy must be deleted."""

    event_type: ClassVar[str] = "applicant.erased"

    reason: Literal["retention", "request"]
