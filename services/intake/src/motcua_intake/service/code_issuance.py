"""Dossier codes issued from the per-agency daily sequences (`<agency>-YYMMDD-NNNN`).

A batch takes its numbers in one statement for all its agencies and days (`INSERT … ON
CONFLICT DO UPDATE`, whose row locks keep concurrent batches from sharing a number). A
number whose code is taken already (a counter used it as its own code) is skipped: the
dossiers that drew one take the next numbers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from motcua_intake.adapters import dossier_store
from motcua_intake.domain.clock_checks import local_date
from motcua_intake.domain.codes import format_dossier_codes

__all__ = ["issue_codes"]


async def issue_codes(
    conn: AsyncConnection,
    receptions: Sequence[tuple[str, datetime]],
    taken: Collection[str],
    verify: bool,
) -> list[str]:
    """A new code for each (agency, reception time), in order, dated on the local day of
    the reception.

    Codes in `taken` are skipped, and with `verify` so are codes already stored (a
    counter's own code committed since the batch read its dossiers).
    """
    codes = [""] * len(receptions)
    used = set(taken)
    waiting = list(range(len(receptions)))
    while waiting:
        by_day: dict[tuple[str, date], list[int]] = defaultdict(list)
        for index in waiting:
            agency, received_at = receptions[index]
            by_day[(agency, local_date(received_at))].append(index)
        counts = Counter({day: len(group) for day, group in by_day.items()})
        last = await dossier_store.reserve_sequences(conn, counts)
        for (agency, day), group in by_day.items():
            first = last[(agency, day)] - len(group) + 1
            for index, code in zip(
                group, format_dossier_codes(agency, day, first, len(group)), strict=True
            ):
                codes[index] = code
        issued = [codes[index] for index in waiting]
        clashes = used.intersection(issued)
        if verify:
            clashes |= await dossier_store.existing_codes(conn, issued)
        used.update(code for code in issued if code not in clashes)
        waiting = [index for index in waiting if codes[index] in clashes]
    return codes
