"""The error responses routes document in OpenAPI."""

from __future__ import annotations

from typing import Any

from motcua_intake.entrypoints.http.schemas import Problem

__all__ = ["problems"]

_WHY = {
    400: "Malformed JSON",
    401: "No valid API key",
    403: "The key may not do this",
    404: "Not found",
    409: "Conflicts with the stored state",
    413: "Body too large",
    422: "Refused fields",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error statuses, as problem+json."""
    return {
        status: {
            "model": Problem,
            "description": _WHY[status],
            "content": {"application/problem+json": {}},
        }
        for status in (401, 413, *statuses)
    }
