"""Fixtures of the portal tests."""

from __future__ import annotations

import pytest
from portal_life import Life


@pytest.fixture
def life() -> Life:
    return Life()
