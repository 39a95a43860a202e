"""While a service runs, its start-up objects are out of the collector's reach."""

import gc

from motcua.runtime import _long_lived_heap


def test_what_start_up_built_is_frozen_while_the_service_runs_and_released_after() -> None:
    before = gc.get_threshold()

    with _long_lived_heap.held():
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] > before[0]

    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


def test_with_two_apps_in_one_process_the_heap_is_released_when_the_last_stops() -> None:
    before = gc.get_threshold()

    with _long_lived_heap.held():
        second = _long_lived_heap.held()
        second.__enter__()
    assert gc.get_freeze_count() > 0

    second.__exit__(None, None, None)
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before
