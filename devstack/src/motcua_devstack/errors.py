"""The one error the local stack raises: its message tells the user what to do."""

from __future__ import annotations

__all__ = ["StackError"]


class StackError(RuntimeError):
    """The stack cannot do what was asked; the message names the fix."""
