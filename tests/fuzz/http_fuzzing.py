"""Fuzzing a service's HTTP API from its own OpenAPI document (schemathesis).

Each service's test module says only what is particular to its service, in a
`ServiceFuzz` named `FUZZ`: the document of an app built for it (nothing connects until
a lifespan starts), so pytest gets one test per operation, named by its method and path,
and how to build the app the requests go to, on the module's own database, topics and
consumer groups (the `served` fixture starts it). The requests go to `LiveApp`, which
forwards them to that app; schemathesis runs its lifespan in its event loop thread.

Every response must be no server error, documented for its operation (status, media
type, body schema) and, for every 4xx and 5xx, the project's problem document.
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.types import Receive, Scope, Send

from motcua.http import PROBLEM_JSON, Problem
from motcua.settings import DatabaseSettings, KafkaSettings
from motcua.testing.topics import Topics

__all__ = [
    "CHECKS",
    "WITHOUT_CREDENTIALS",
    "WITH_CREDENTIALS",
    "FuzzRun",
    "LiveApp",
    "ServiceFuzz",
    "call_and_check",
    "call_without_credentials",
    "fuzz_schema",
    "secured",
]

# Bounded and reproducible: the same examples on every run, nothing kept between runs.
WITH_CREDENTIALS = settings(
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=list(HealthCheck),
)
WITHOUT_CREDENTIALS = settings(WITH_CREDENTIALS, max_examples=5)

STARTUP_SECONDS = 120
_CREDENTIAL_HEADERS = ("authorization", "x-api-key")
_CONFIG = {
    "generation": {
        "mode": "all",
        "with-security-parameters": False,
        "deterministic": True,
    },
    "phases": {
        "examples": {"enabled": True},
        "coverage": {"enabled": True},
        "fuzzing": {"enabled": True},
        "stateful": {"enabled": False},
    },
    "request-timeout": 10,
    "max-stream-events": 1,
}
_VALID_ONLY = {
    **_CONFIG,
    "generation": {**_CONFIG["generation"], "mode": "positive"},
    "phases": {
        "examples": {"enabled": True},
        "coverage": {"enabled": False},
        "fuzzing": {"enabled": True},
        "stateful": {"enabled": False},
    },
}


@schemathesis.serializer("application/x-ndjson")
def _ndjson(ctx: Any, value: Any) -> dict[str, Any]:
    """Intake's imports: a text of JSON lines (anything else as JSON, to be refused)."""
    if isinstance(value, bytes):
        return {"data": value}
    text = value if isinstance(value, str) else json.dumps(value)
    return {"data": text.encode()}


class LiveApp:
    """An ASGI app forwarding to the app a fixture started.

    Schemathesis ends the lifespans it started after every test, and a service's
    lifespan runs once: so the served app's lifespan is run here instead, in a task of
    the event loop the requests come in on (its database pool belongs to that loop),
    started by the first request (`serving` sends one) and stopped when the fixture's
    block ends.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.target: FastAPI | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._started = asyncio.Event()
        self._stop = asyncio.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _no_lifespan(receive, send)
            return
        if self.target is None:
            raise RuntimeError(f"{self.name} is not started: request its fixture")
        if self._task is None:
            self._loop = asyncio.get_running_loop()
            self._started, self._stop = asyncio.Event(), asyncio.Event()
            self._task = self._loop.create_task(self._run(self.target))
        await asyncio.wait(
            [asyncio.ensure_future(self._started.wait()), self._task],
            return_when=asyncio.FIRST_COMPLETED,
        )
        if self._task.done():
            self._task.result()  # the lifespan failed: raise why
            raise RuntimeError(f"{self.name} stopped")
        await self.target(scope, receive, send)

    async def _run(self, app: FastAPI) -> None:
        async with app.router.lifespan_context(app):
            self._started.set()
            await self._stop.wait()

    @contextmanager
    def serving(self, app: FastAPI) -> Iterator[FastAPI]:
        """Forward to `app` until the block ends, then stop its lifespan.

        The lifespan starts (migrations, the broker) on a first `/health`, given longer
        than the fuzzed requests are."""
        self.target = app
        try:
            with asgi.get_client(self) as client:
                alive = client.get("/health", timeout=STARTUP_SECONDS)
            assert alive.status_code == 200, alive.text
            yield app
        finally:
            loop, task = self._loop, self._task
            if loop is not None and task is not None:
                loop.call_soon_threadsafe(self._stop.set)
                asyncio.run_coroutine_threadsafe(asyncio.wait([task]), loop).result(60)
                task.result()
            self.target, self._loop, self._task = None, None, None


async def _no_lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        await send({"type": message["type"] + ".complete"})
        if message["type"] == "lifespan.shutdown":
            return


def fuzz_schema(document: FastAPI, live: LiveApp, *, valid_only: bool = False) -> Any:
    """The schemathesis schema of `document`'s OpenAPI, its requests sent to `live`
    (`valid_only`: requests that conform to the document, for the pass without
    credentials, which then must be what is refused)."""
    config = schemathesis.Config.from_dict(_VALID_ONLY if valid_only else _CONFIG)
    openapi = _homogeneous_tuples(copy.deepcopy(document.openapi()))
    schema = schemathesis.openapi.from_dict(openapi, config=config)
    schema.app = live
    return schema


def _homogeneous_tuples(node: Any) -> Any:
    """`prefixItems` of one repeated schema as `items` (the same arrays): schemathesis
    4.32 turns a 3.1 response schema's `prefixItems` into a Draft 4 `items` list, then
    refuses that as invalid Draft 2020-12."""
    if isinstance(node, dict):
        prefix = node.get("prefixItems")
        if isinstance(prefix, list) and prefix and "items" not in node and _same(prefix):
            del node["prefixItems"]
            node["items"] = prefix[0]
        for value in node.values():
            _homogeneous_tuples(value)
    elif isinstance(node, list):
        for value in node:
            _homogeneous_tuples(value)
    return node


def _same(items: list[Any]) -> bool:
    return all(item == items[0] for item in items)


def _problem_document(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx and 5xx is `application/problem+json` in the project's shape."""
    status = response.status_code
    if status < 400:
        return None
    media_type = response.headers.get("content-type", [""])[0]
    assert media_type == PROBLEM_JSON, f"{status} answered as {media_type!r}: {response.text!r}"
    body = json.loads(response.content)
    problem = Problem.model_validate(body)
    assert problem.status == status, body
    assert problem.type == f"urn:motcua:problem:{problem.code}", body
    assert problem.title == HTTPStatus(status).phrase, body
    assert problem.detail, body
    for field in problem.errors:
        assert field.pointer.startswith("/"), body
    headers = {name.lower() for name in response.headers}
    if status == 401:
        assert "www-authenticate" in headers, f"401 without WWW-Authenticate: {body}"
    if status == 405:
        assert "allow" in headers, f"405 without Allow: {body}"
    if status == 429:
        assert "retry-after" in headers, f"429 without Retry-After: {body}"
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    _problem_document,
]


def _without_credentials(case: Any) -> None:
    if case.headers:
        for name in list(case.headers):
            if name.lower() in _CREDENTIAL_HEADERS:
                del case.headers[name]


def call_and_check(case: Any, credentials: Mapping[str, str] | None = None) -> Any:
    """Send `case` with these credentials (only these) and check the response."""
    _without_credentials(case)
    response = case.call(headers=dict(credentials or {}))
    case.validate_response(response, checks=CHECKS)
    return response


def call_without_credentials(case: Any, challenge: str = "Bearer") -> Any:
    """Send `case` with no credentials: a documented 401 problem with a challenge (or
    the refusal that comes before routing: 404 for a path no route takes, such as one
    with a control character, and 422 for a control character in the query)."""
    _without_credentials(case)
    response = case.call()
    case.validate_response(response, checks=CHECKS)
    if response.status_code in (404, 422) and _refused_before_routing(response.json()):
        return response
    assert response.status_code == 401, (response.status_code, response.text)
    assert response.json()["code"] == "not_authenticated", response.text
    assert response.headers["www-authenticate"][0].startswith(challenge)
    return response


def _refused_before_routing(problem: dict[str, Any]) -> bool:
    if problem["status"] == 404:
        return problem["code"] == "not_found"
    fields = problem["errors"]
    return bool(fields) and all(
        f["code"] == "control_character" and f["pointer"].startswith("/query") for f in fields
    )


def secured(context: Any) -> bool:
    """Filter: operations that need credentials."""
    return bool(context.operation.definition.raw.get("security"))


@dataclass(frozen=True)
class FuzzRun:
    """What a fuzzed service runs on: its own name (so consumer groups), database and
    topics, on the real broker."""

    name: str
    database: DatabaseSettings
    kafka: KafkaSettings
    topics: Topics

    def common(self) -> dict[str, Any]:
        """The settings every service takes alike: `XSettings(**run.common(), ...)`."""
        return {"service_name": self.name, "database": self.database, "kafka": self.kafka}


Credentials = Mapping[str, str] | Callable[[Any], Mapping[str, str]]


class ServiceFuzz:
    """One service's fuzzing: the schemas of `document`'s OpenAPI (an app never started)
    and `build`, which makes the app the requests go to for a `FuzzRun`."""

    def __init__(
        self, service: str, document: FastAPI, build: Callable[[FuzzRun], FastAPI]
    ) -> None:
        self.service = service
        self.build = build
        self.live = LiveApp(service)
        self.schema = fuzz_schema(document, self.live)
        self.valid = fuzz_schema(document, self.live, valid_only=True)

    def tests(self, credentials: Credentials) -> tuple[Callable[..., None], Callable[..., None]]:
        """The module's two tests: every answer is documented, to requests with
        `credentials` (or those `credentials(case)` gives), and every operation that needs
        credentials answers 401 without them."""

        @self.schema.parametrize()
        @WITH_CREDENTIALS
        def test_every_answer_is_documented(case: Any, served: None) -> None:
            call_and_check(case, credentials(case) if callable(credentials) else credentials)

        @self.valid.include(secured).parametrize()
        @WITHOUT_CREDENTIALS
        def test_no_credentials_is_401(case: Any, served: None) -> None:
            call_without_credentials(case)

        return test_every_answer_is_documented, test_no_credentials_is_401
