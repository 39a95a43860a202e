"""Bearer token of the dossier-level lists: they name dossier codes (what a citizen's
look-up is guessed against), so officials only; the aggregates stay public.

No token or one that is not configured: 401.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends, Request
from pydantic import SecretStr

from motcua.http import role_of_token, token_caller
from motcua_scoring.settings import ApiSettings

__all__ = ["OfficialDep"]


def _tokens(request: Request) -> Mapping[str, SecretStr | None]:
    api: ApiSettings = request.app.state.settings.api
    return {"official": api.official_token}


OfficialDep = Annotated[str, Depends(token_caller(role_of_token(_tokens)))]
