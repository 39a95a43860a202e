"""Integration tests follow events to Kafka: the app runs its outbox relay (component tests
read what was staged from the outbox instead, with the relay off)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest

from motcua.settings import OutboxSettings


@pytest.fixture
def start_intake(
    start_intake: Callable[..., AbstractAsyncContextManager[Any]],
) -> Callable[..., AbstractAsyncContextManager[Any]]:
    """As the suite's, with the outbox relay on unless a test says otherwise."""

    def start(**overrides: Any) -> AbstractAsyncContextManager[Any]:
        return start_intake(**{"outbox": OutboxSettings(), **overrides})

    return start
