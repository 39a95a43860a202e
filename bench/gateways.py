"""The services' HTTP client of the gateways (`motcua.http.GatewayClient`), beside httpx
(what notify used before) in the same run.

uv run python -m bench gateways [--messages 4000] [--concurrency 32] [--rounds 3]

The fake SMS gateway (`motcua_notify.adapters.channels.fake_gateway`) runs in its own
uvicorn process on loopback; this process sends the same SMS requests (JSON body, API key
header, timeout) through `GatewayClient` and through an `httpx.AsyncClient`, round after
round in turn, `--concurrency` requests in flight. CPU is this process's time per request
(getrusage): the sender's cost, which notify pays for every SMS, Zalo message and webhook.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable

import httpx

from bench.procstat import own_cpu
from bench.report import write_section
from bench.stack import serve_fake
from motcua.http import GatewayAnswer, GatewayClient

Send = Callable[[int], Awaitable[None]]
HTTPX = "httpx (notify before; 20 connections kept alive)"
APP = "motcua_notify.adapters.channels.fake_gateway:create_app"


def _body(i: int) -> dict[str, object]:
    text = "UBND xa Tan Phu: da tiep nhan ho so, hen tra ket qua 16:30 ngay 10/03/2026."
    return {"to": "+84912345678", "text": text, "encoding": "gsm7", "client_ref": f"k-{i}"}


async def _round(send: Send, messages: int, concurrency: int) -> tuple[float, float]:
    """Requests a second and CPU µs a request of one round."""
    slots = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with slots:
            await send(i)

    started, cpu = time.perf_counter(), own_cpu()
    await asyncio.gather(*(one(i) for i in range(messages)))
    wall, spent = time.perf_counter() - started, own_cpu() - cpu
    return messages / wall, 1e6 * spent / messages


async def run(args: argparse.Namespace, url: str) -> dict[str, list[tuple[float, float]]]:
    ours = GatewayClient()
    theirs = httpx.AsyncClient()  # as notify had it: 20 connections kept alive
    pooled = httpx.AsyncClient(limits=httpx.Limits(max_keepalive_connections=100))
    headers = {"X-Api-Key": "bench"}

    async def with_ours(i: int) -> None:
        answer = await ours.post_json(url, _body(i), headers, 10.0)
        assert isinstance(answer, GatewayAnswer) and answer.json()["message_id"], answer

    def with_httpx(client: httpx.AsyncClient) -> Send:
        async def send(i: int) -> None:
            timeout = httpx.Timeout(10.0, connect=3.0)
            response = await client.post(url, json=_body(i), headers=headers, timeout=timeout)
            assert response.json()["message_id"]

        return send

    senders: dict[str, Send] = {
        HTTPX: with_httpx(theirs),
        "httpx, 100 connections kept alive": with_httpx(pooled),
        "GatewayClient": with_ours,
    }
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in senders}
    try:
        for send in senders.values():  # connections opened, code warm
            await _round(send, 200, args.concurrency)
        for _ in range(args.rounds):
            for name, send in senders.items():
                results[name].append(await _round(send, args.messages, args.concurrency))
    finally:
        await ours.close()
        await theirs.aclose()
        await pooled.aclose()
    return results


def report(args: argparse.Namespace, results: dict[str, list[tuple[float, float]]]) -> str:
    base = statistics.median(cpu for _, cpu in results[HTTPX])
    lines = [
        "## Notify's gateway client",
        "",
        f"`uv run --frozen python -m bench gateways --messages {args.messages}"
        f" --concurrency {args.concurrency} --rounds {args.rounds}`: the same SMS requests to"
        " the fake gateway (its own uvicorn process, loopback) through the services'"
        " `GatewayClient` (aiohttp, `motcua.http`) and through httpx (as notify used it,"
        " and with as many connections kept alive as are in flight), rounds in turn;"
        " medians of the rounds. CPU is the sending process's time a request.",
        "",
        "| client | requests/s | CPU µs a request | CPU ratio to httpx |",
        "|---|---:|---:|---:|",
    ]
    for name in results:
        rate = statistics.median(r for r, _ in results[name])
        cpu = statistics.median(c for _, c in results[name])
        lines.append(f"| {name} | {rate:,.0f} | {cpu:,.0f} | {cpu / base:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench gateways")
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args(argv or [])
    body = report(args, asyncio.run(_against_the_fake(args)))
    print(body)
    if args.write:
        write_section("gateways", body)


async def _against_the_fake(args: argparse.Namespace) -> dict[str, list[tuple[float, float]]]:
    gateway, url = await serve_fake(APP, "/_messages")
    try:
        return await run(args, f"{url}/sms")
    finally:
        gateway.terminate()
        await gateway.wait()
