"""Where services get `now` from."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from motcua.clock import (
    ClockSettings,
    ManualClock,
    SimulatedClock,
    SystemClock,
    clock_speed,
    make_clock,
)

START = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)


def test_a_simulated_clock_runs_faster_from_its_anchor_and_stands_still_at_its_stop() -> None:
    anchor = time.time() - 100  # started 100 real seconds ago
    running = SimulatedClock(START, speed=600, anchor=anchor)
    assert running.now() >= START + timedelta(hours=16)  # 100 s x 600 = 16 h 40 min
    stopped = SimulatedClock(START, speed=600, anchor=anchor, stop=START + timedelta(hours=10))
    assert stopped.now() == START + timedelta(hours=10)


def test_settings_choose_the_clock_and_refuse_simulation_in_production() -> None:
    assert isinstance(make_clock(ClockSettings()), SystemClock)
    simulated = ClockSettings(mode="simulated", start=START, speed=60, anchor=0.0)
    assert isinstance(make_clock(simulated), SimulatedClock)
    with pytest.raises(ValidationError, match="never allowed in production"):
        ClockSettings(mode="simulated", start=START, environment="production")
    with pytest.raises(ValidationError, match="needs a start"):
        ClockSettings(mode="simulated")


def test_a_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock(START)
    assert clock.advance(hours=2) == START + timedelta(hours=2)
    clock.set(START)
    assert clock.now() == START


def test_a_clock_tells_how_fast_it_runs_against_real_time() -> None:
    assert clock_speed(SimulatedClock(START, speed=600)) == 600
    assert clock_speed(SystemClock()) == clock_speed(ManualClock(START)) == 1
