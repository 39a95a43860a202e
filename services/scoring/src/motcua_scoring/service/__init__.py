"""Use cases of the scoring service: absorbing events, reading indicators, the live feed."""

from motcua_scoring.service.absorb import Absorber
from motcua_scoring.service.day_turn import DayTurn, day_turn_step
from motcua_scoring.service.gauges import gauge_step, refresh_gauges
from motcua_scoring.service.publisher import FeedPublisher
from motcua_scoring.service.reading import Reader
from motcua_scoring.service.stream import (
    ChangeFilter,
    ChangeHub,
    PrunedAway,
    SentFigures,
    prune_step,
)

__all__ = [
    "Absorber",
    "ChangeFilter",
    "ChangeHub",
    "DayTurn",
    "FeedPublisher",
    "PrunedAway",
    "Reader",
    "SentFigures",
    "day_turn_step",
    "gauge_step",
    "prune_step",
    "refresh_gauges",
]
