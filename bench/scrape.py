"""Samples read off a service's `/metrics` page, line by line.

The benchmarks poll pages of 400–530 lines, some twice a second, for a few values. Each
wanted sample is read off its own line (name, labels, value; prometheus_client writes no
timestamps): parsing every line with `prometheus_client`'s parser took 25 ms a page with
the cores saturated, up to a quarter of a core taken from the pipeline under measurement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

__all__ = ["sums"]


def sums(text: str, names: Iterable[str]) -> dict[str, float]:
    """Per sample name wanted (`motcua_outbox_backlog_events`,
    `motcua_consumer_events_total`, ...), the sum of its values over every label set; a
    name absent from the page is absent from the result."""
    wanted = tuple(names)
    found: dict[str, float] = defaultdict(float)
    for line in text.splitlines():
        if line.startswith(wanted):
            name = line.split("{", 1)[0].split(" ", 1)[0]
            if name in wanted:
                found[name] += float(line.rsplit(" ", 1)[1])
    return dict(found)
