"""Where the benchmarks find Kafka and PostgreSQL: the same resolution as the tests."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Mapping

import httpx

from motcua.settings import KafkaSettings
from motcua.testing import eventually, free_port


def infrastructure() -> tuple[KafkaSettings, str]:
    """(Kafka, signed in as the operator; database base URL) of the running local stack."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS") and os.environ.get("DATABASE_URL"):
        return KafkaSettings.from_environment(), os.environ["DATABASE_URL"].rstrip("/")
    from motcua_devstack.testing import resolve_infrastructure

    infra = resolve_infrastructure()
    return infra.kafka, infra.database_url.rstrip("/")


async def serve_fake(
    app: str, probe: str, env: Mapping[str, str] | None = None
) -> tuple[asyncio.subprocess.Process, str]:
    """A stand-in for the outside world (`module:factory`) served by uvicorn in its own
    process on a free loopback port: (the process, its base URL) once `GET probe` answers."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
        env={**os.environ, **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=url, timeout=5) as http:

        async def answers() -> bool:
            try:
                return (await http.get(probe)).status_code == 200
            except httpx.TransportError:
                return False

        try:
            await eventually(answers, within=20, what=f"{app} on {url}")
        except AssertionError:
            process.terminate()
            raise
    return process, url
