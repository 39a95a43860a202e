"""Wrong answers to citizens' look-ups are counted in PostgreSQL: shared by every
instance, kept across a restart, per client and per code, and a stranger's guesses never
keep the real citizen (who has not failed) from their dossier."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from test_dossier_tracking import at

from motcua_tracking.service import TooManyAttempts

pytestmark = pytest.mark.infra

STRANGER, CITIZEN = "203.0.113.66", "198.51.100.7"


async def wrong_answers(lookups, code: str, client: str, times: int) -> int:
    """Wrong answers until refused; returns how many were answered (404-like None)."""
    answered = 0
    for _ in range(times):
        try:
            assert await lookups.citizen(code, "0000", client) is None
        except TooManyAttempts:
            break
        answered += 1
    return answered


async def test_a_stranger_is_slowed_but_the_citizen_gets_through(harness, intake, clock):
    code = intake.new_code()
    await harness.apply(
        intake.received(code, at(3, 2, 9)),
        intake.applicant(code, at(3, 2, 9), phone="+84 912 34 5678"),
    )

    assert await wrong_answers(harness.lookups, code, STRANGER, 10) == 4
    with pytest.raises(TooManyAttempts) as limited:
        await harness.lookups.citizen(code, "5678", STRANGER)
    assert limited.value.retry_after == 2
    view = await harness.lookups.citizen(code, "5678", CITIZEN)
    assert view is not None and view.code == code


async def test_a_code_under_attack_slows_only_clients_that_failed_themselves(
    harness, intake, clock
):
    code = intake.new_code()
    await harness.apply(
        intake.received(code, at(3, 2, 9)),
        intake.applicant(code, at(3, 2, 9), phone="+84 912 34 5678"),
    )
    # Eleven addresses, one wrong guess each: the code's free failures (10) are spent.
    for n in range(11):
        assert await wrong_answers(harness.lookups, code, f"203.0.113.{n}", 1) == 1
    # A guesser's address that failed once now waits for the code's delay.
    with pytest.raises(TooManyAttempts):
        await harness.lookups.citizen(code, "0000", "203.0.113.3")
    # The citizen, who never failed, is not held up.
    assert await harness.lookups.citizen(code, "5678", CITIZEN) is not None


async def test_failures_are_shared_by_instances_and_kept_across_a_restart(
    make_harness, intake, clock
):
    first = await make_harness()
    code = intake.new_code()
    await first.apply(
        intake.received(code, at(3, 2, 9)),
        intake.applicant(code, at(3, 2, 9), phone="+84 912 34 5678"),
    )
    assert await wrong_answers(first.lookups, code, STRANGER, 2) == 2
    second = await make_harness()  # another instance on the same database
    assert await wrong_answers(second.lookups, code, STRANGER, 5) == 2
    await first.engine.dispose()
    restarted = await make_harness()
    with pytest.raises(TooManyAttempts):
        await restarted.lookups.citizen(code, "5678", STRANGER)
    clock.advance(seconds=3)
    assert await restarted.lookups.citizen(code, "5678", STRANGER) is not None


async def test_unknown_codes_count_the_same_and_nothing_of_the_address_is_stored(harness, intake):
    assert await wrong_answers(harness.lookups, intake.new_code(), STRANGER, 10) == 4
    async with harness.engine.connect() as conn:
        subjects = (await conn.execute(text("SELECT subject FROM lookup_failures"))).scalars()
        stored = " ".join(subjects)
    assert STRANGER not in stored and "203.0.113" not in stored
