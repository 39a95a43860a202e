"""Scoring counts dossiers without knowing who handed them in: it never subscribes to the
applicants' topic, which the broker denies it anyway (docs/privacy.md). Of the dossier and
deadline events, it reads only the types it counts."""

from __future__ import annotations

from motcua.events import (
    DOSSIER_EVENTS,
    TRACKING_EVENTS,
    ApologyFiled,
    ApologyRequired,
    DossierEscalated,
    EventRejected,
    StepVerdictGiven,
)
from motcua.events.envelope import event_classes
from motcua.events.topics import APPLICANTS
from motcua_scoring.service.translation import COUNTED_TYPES
from motcua_scoring.settings import ScoringSettings


def test_scoring_reads_no_personal_data_topic() -> None:
    topics = ScoringSettings().topics.model_dump().values()

    assert APPLICANTS.name not in topics
    assert APPLICANTS.readers is not None and "scoring" not in APPLICANTS.readers


def test_scoring_reads_only_the_event_types_it_counts() -> None:
    """Its consumer passes over the other types unread: steps, escalations, rejections,
    and intake's filed apology (counted once, as tracking's `ApologyIssued`)."""
    read = (DOSSIER_EVENTS, TRACKING_EVENTS)
    on_its_topics = {cls.event_type for cls in event_classes() if cls.topic in read}

    assert COUNTED_TYPES.issubset(on_its_topics)
    assert on_its_topics - COUNTED_TYPES == {
        ApologyFiled.event_type,
        StepVerdictGiven.event_type,
        ApologyRequired.event_type,
        DossierEscalated.event_type,
        EventRejected.event_type,
    }
