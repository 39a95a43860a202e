"""The error responses routes document in OpenAPI (as problems, by `motcua.http`)."""

from __future__ import annotations

from typing import Any

from motcua.http import problem_responses

__all__ = ["problems"]


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error statuses besides the standard ones."""
    return problem_responses(413, *statuses)
