"""The look-up limit's policy: free failures, then waits that double up to a ceiling,
forgotten a while after the last failure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from motcua_tracking.domain.lookup_limits import Failures, LookupLimits, after_failure, wait

LIMITS = LookupLimits(3, timedelta(seconds=2), timedelta(seconds=60), timedelta(hours=1))
NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)


def fail(times: int, at: datetime = NOW) -> Failures | None:
    record: Failures | None = None
    for _ in range(times):
        record = after_failure(LIMITS, record, at)
    return record


def test_the_free_failures_never_make_anyone_wait() -> None:
    assert wait(LIMITS, None, NOW) == timedelta(0)
    assert wait(LIMITS, fail(3), NOW) == timedelta(0)


def test_each_failure_beyond_them_doubles_the_wait_up_to_the_ceiling() -> None:
    waits = [wait(LIMITS, fail(n), NOW).total_seconds() for n in range(4, 11)]
    assert waits == [2, 4, 8, 16, 32, 60, 60]


def test_the_wait_runs_out_and_the_record_is_forgotten() -> None:
    record = fail(5)
    assert wait(LIMITS, record, NOW + timedelta(seconds=3)) == timedelta(seconds=1)
    assert wait(LIMITS, record, NOW + timedelta(seconds=4)) == timedelta(0)
    later = NOW + timedelta(hours=1)
    assert after_failure(LIMITS, record, later) == Failures(1, later, None)
