"""Who is calling, the same way in every service.

401 means no credentials or credentials nobody knows (with a `WWW-Authenticate`
challenge); 403 means known credentials without the right to this route.
"""

# No `from __future__ import annotations`: FastAPI reads these dependencies' annotations,
# which name closure variables, at run time.
import hmac
from collections.abc import Awaitable, Callable, Collection, Mapping
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import SecretStr

from motcua.http.problems import ProblemError

__all__ = [
    "Identify",
    "allowing",
    "forbidden",
    "one_of",
    "role_of_token",
    "token_caller",
    "unauthenticated",
]

C = TypeVar("C")
Identify = Callable[[Request, str], Awaitable[C | None]]
BEARER = "Bearer"
BEARER_OR_KEY = 'Bearer, ApiKey header="X-API-Key"'

_bearer = HTTPBearer(auto_error=False, description="A token or key, as a bearer token.")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="An agency's API key.")
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
ApiKeyDep = Annotated[str | None, Depends(_api_key)]


def unauthenticated(code: str, detail: str, challenge: str = BEARER) -> ProblemError:
    """401: no credentials, or credentials nobody knows."""
    return ProblemError(401, code, detail, headers={"WWW-Authenticate": challenge})


def forbidden(detail: str, code: str = "forbidden") -> ProblemError:
    """403: the caller is known but may not do this."""
    return ProblemError(403, code, detail)


def token_caller(
    identify: Identify[C], *, api_key_header: bool = False
) -> Callable[..., Awaitable[C]]:
    """A dependency giving the caller of the request's bearer token (or, with
    `api_key_header`, of its `X-API-Key`): 401 when there is none or `identify` knows
    none."""
    challenge = BEARER_OR_KEY if api_key_header else BEARER

    async def resolve(request: Request, token: str | None) -> C:
        if not token:
            raise unauthenticated("not_authenticated", "send credentials", challenge)
        caller = await identify(request, token)
        if caller is None:
            raise unauthenticated(
                "invalid_credentials", "these credentials are not valid", challenge
            )
        return caller

    async def bearer_caller(request: Request, bearer: BearerDep) -> C:
        return await resolve(request, bearer.credentials if bearer else None)

    async def bearer_or_key_caller(request: Request, bearer: BearerDep, key: ApiKeyDep) -> C:
        return await resolve(request, key or (bearer.credentials if bearer else None))

    return bearer_or_key_caller if api_key_header else bearer_caller


def allowing(
    caller: Callable[..., Awaitable[C]],
    may: Callable[[C], bool],
    detail: str,
    code: str = "forbidden",
) -> Callable[..., Awaitable[C]]:
    """A dependency on `caller` that answers 403 unless `may(caller)`."""

    async def allowed(found: Annotated[C, Depends(caller)]) -> C:
        if not may(found):
            raise forbidden(detail, code)
        return found

    return allowed


def role_of_token(
    tokens: Callable[[Request], Mapping[str, SecretStr | None]],
) -> Identify[str]:
    """Identify a caller by the role whose configured token it sends (compared in
    constant time); roles without a token are never matched."""

    async def identify(request: Request, token: str) -> str | None:
        given = token.encode()
        matching = [
            role
            for role, secret in tokens(request).items()
            if secret is not None
            and secret.get_secret_value()
            and hmac.compare_digest(given, secret.get_secret_value().encode())
        ]
        return matching[0] if matching else None

    return identify


def one_of(roles: Collection[str]) -> Callable[[str], bool]:
    """Whether a role is among `roles`."""
    return lambda role: role in roles
