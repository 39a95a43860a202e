"""Running a coroutine to completion from synchronous code.

The stack is driven from a command line (no event loop) and from test set-up,
which may already run inside pytest-asyncio's loop; there the coroutine gets a
loop of its own in a worker thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["run_blocking"]

T = TypeVar("T")


def run_blocking(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` and return its result, whether or not a loop is running here."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="motcua-stack") as pool:
        return pool.submit(asyncio.run, coroutine).result()
