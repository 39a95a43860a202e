"""Bearer tokens: officials read the sync state, administrators also repair and map.

No token or one that is not configured: 401. A known token without the right: 403.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends, Request
from pydantic import SecretStr

from motcua.http import allowing, one_of, role_of_token, token_caller
from motcua_portal.settings import ApiSettings

__all__ = ["AdminDep", "OfficialDep"]


def _tokens(request: Request) -> Mapping[str, SecretStr | None]:
    api: ApiSettings = request.app.state.settings.api
    return {"admin": api.admin_token, "official": api.official_token}


_operator = token_caller(role_of_token(_tokens))
_official = allowing(
    _operator, one_of({"official", "admin"}), "this token may not read the sync state"
)
_admin = allowing(_operator, one_of({"admin"}), "this token may not repair or map")

OfficialDep = Annotated[str, Depends(_official)]
AdminDep = Annotated[str, Depends(_admin)]
