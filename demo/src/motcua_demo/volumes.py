"""How many dossiers each office receives on each played day.

Offices differ as real ones do: a ward's one-stop centre handling civil status and
certifications sees a queue every morning, a provincial department a few files a day.
The skew is drawn from the run's seed (log-normal weights, one office picked as the
busiest centre), and Mondays are busier than Fridays.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import date

from motcua_demo.stories import Office

WEEKDAY_FACTOR = (1.25, 1.05, 1.0, 0.95, 0.75)
"""Monday's queue after the weekend, thinning towards Friday afternoon."""


def office_weights(rng: random.Random, offices: Sequence[Office]) -> dict[str, float]:
    """Each office's share of the province's dossiers (they add up to 1)."""
    widest = max(len(o.procedures) for o in offices)
    weights = {}
    for office in offices:
        weight = math.exp(rng.gauss(0, 0.5))
        department = 2 * len(office.procedures) < widest  # a specialised department
        weights[office.code] = weight * (0.5 if department else 1.5)
    centres = sorted(o.code for o in offices if len(o.procedures) == widest)
    weights[rng.choice(centres)] *= 2.5
    total = sum(weights.values())
    return {code: weight / total for code, weight in weights.items()}


def daily_volumes(
    rng: random.Random, offices: Sequence[Office], days: Sequence[date], per_office: int
) -> dict[str, list[int]]:
    """Per office code, the dossiers it receives on each of `days` (at least one a week).

    `per_office` is the average per office and day, so the province receives about
    `per_office × offices × days` in all.
    """
    shares = office_weights(rng, offices)
    province = per_office * len(offices)
    volumes: dict[str, list[int]] = {}
    for office in offices:
        mean = shares[office.code] * province
        counts = [
            max(0, round(rng.gauss(mean * WEEKDAY_FACTOR[day.weekday()], math.sqrt(mean))))
            for day in days
        ]
        if not any(counts):
            counts[0] = 1
        volumes[office.code] = counts
    return volumes
