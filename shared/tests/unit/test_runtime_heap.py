"""While a service runs, its start-up objects are out of the collector's reach."""

import gc

from motcua.runtime import _GC_THRESHOLDS, _LongLivedHeap


def test_what_start_up_built_is_frozen_while_the_service_runs_and_released_after() -> None:
    heap, before = _LongLivedHeap(), gc.get_threshold()

    with heap.held():
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == _GC_THRESHOLDS

    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


def test_with_two_apps_in_one_process_the_heap_is_released_when_the_last_stops() -> None:
    heap, before = _LongLivedHeap(), gc.get_threshold()

    with heap.held():
        second = heap.held()
        second.__enter__()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == _GC_THRESHOLDS

    second.__exit__(None, None, None)
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before
