"""Bearer tokens: officials read dossiers, administrators also load calendar decisions.

No or malformed `Authorization` header: 401. A token that is not one of this route's: 403.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import SecretStr

from motcua_portal.entrypoints.problems import Problem
from motcua_portal.settings import ApiSettings

__all__ = ["AdminDep", "OfficialDep"]

_bearer = HTTPBearer(auto_error=False)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _settings(request: Request) -> ApiSettings:
    api: ApiSettings = request.app.state.settings.api
    return api


def _matches(token: str, *accepted: SecretStr | None) -> bool:
    return any(
        secret is not None
        and hmac.compare_digest(token.encode(), secret.get_secret_value().encode())
        for secret in accepted
    )


def _token(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or not credentials.credentials:
        raise Problem(
            401,
            "unauthenticated",
            "A bearer token is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return credentials.credentials


def require_official(request: Request, credentials: Credentials) -> None:
    """Officials and administrators."""
    api = _settings(request)
    if not _matches(_token(credentials), api.official_token, api.admin_token):
        raise Problem(403, "forbidden", "This token may not read the sync state")


def require_admin(request: Request, credentials: Credentials) -> None:
    """Administrators only."""
    if not _matches(_token(credentials), _settings(request).admin_token):
        raise Problem(403, "forbidden", "This token may not repair or map")


OfficialDep = Annotated[None, Depends(require_official)]
AdminDep = Annotated[None, Depends(require_admin)]
