"""Scoring counts dossiers without knowing who handed them in: it never subscribes to the
applicants' topic, which the broker denies it anyway (docs/privacy.md)."""

from __future__ import annotations

from motcua.events.topics import APPLICANTS
from motcua_scoring.settings import ScoringSettings


def test_scoring_reads_no_personal_data_topic() -> None:
    topics = ScoringSettings().topics.model_dump().values()

    assert APPLICANTS.name not in topics
    assert APPLICANTS.readers is not None and "scoring" not in APPLICANTS.readers
