"""Suggesting the national procedure a local one is, by name (an administrator confirms)."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Suggestion", "normalise", "suggest"]


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A national procedure that may be the local one, with how alike their names are."""

    code: str
    name: str
    score: float


def normalise(name: str) -> str:
    """Lower case, no diacritics (đ → d), single spaces: names typed differently still meet."""
    decomposed = unicodedata.normalize("NFD", name.casefold().replace("đ", "d"))
    bare = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(bare.split())


def suggest(
    local_name: str, national: Iterable[tuple[str, str]], limit: int = 5, cutoff: float = 0.5
) -> list[Suggestion]:
    """The national procedures `(code, name)` whose names are most like `local_name`."""
    wanted = normalise(local_name)
    scored = [
        Suggestion(
            code, name, round(difflib.SequenceMatcher(None, wanted, normalise(name)).ratio(), 3)
        )
        for code, name in national
    ]
    alike = [s for s in scored if s.score >= cutoff]
    return sorted(alike, key=lambda s: (-s.score, s.code))[:limit]
