"""Notify's templates: a message rendered by the registry, beside Jinja's defaults.

uv run python -m bench rendering [--renders 3000] [--rounds 5] [--write]

Notify renders every message it records (`motcua_notify.domain.rendering`): a receipt by
email (subject, HTML, text), SMS and Zalo is three renders. The baseline renders the same
parts, with the same variables, from the registry's own environment with Jinja's default
globals put back, fetching each template from the environment at every render, and
measures the SMS as the registry does; both run in this process, round after round in turn. The
figure is this process's CPU time for the three (getrusage), the best round of each.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from jinja2.defaults import DEFAULT_NAMESPACE

from bench.procstat import own_cpu
from bench.report import write_section
from motcua_notify.domain.contexts import ReceiptContext, as_variables
from motcua_notify.domain.messages import Channel, MessageType
from motcua_notify.domain.rendering import _environment, _part_name
from motcua_notify.domain.sms import measure
from motcua_notify.templates import load_registry

_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.ZALO)
_RECEIPT = ReceiptContext(
    "Nguyễn Văn An",
    "000.00.12.H12-260303-0001",
    "Đăng ký khai sinh",
    "UBND xã Đông Anh",
    datetime(2026, 3, 3, 9, 15, tzinfo=_ZONE),
    datetime(2026, 3, 10, 16, 30, tzinfo=_ZONE),
    "Bộ phận một cửa xã Đông Anh",
    "https://dichvucong.hanoi.gov.vn",
)


def _registry() -> Callable[[], None]:
    registry = load_registry()

    def render() -> None:
        for channel in _CHANNELS:
            registry.render(MessageType.RECEIPT, channel, _RECEIPT)

    return render


def _defaults() -> Callable[[], None]:
    registry = load_registry()
    latest = [
        registry.spec(MessageType.RECEIPT, c, registry.latest_version(MessageType.RECEIPT, c))
        for c in _CHANNELS
    ]
    # The registry's own environment, with the globals Jinja gives every environment.
    env = _environment(latest)
    env.globals.update(DEFAULT_NAMESPACE)

    def render() -> None:
        variables = as_variables(_RECEIPT)
        for spec in latest:
            parts = {p: env.get_template(_part_name(spec, p)).render(variables) for p in spec.parts}
            if spec.channel is Channel.SMS:
                measure(" ".join(parts["text"].split()))

    return render


def _round(render: Callable[[], None], renders: int) -> float:
    started = own_cpu()
    for _ in range(renders):
        render()
    return (own_cpu() - started) / renders * 1e6


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench rendering")
    parser.add_argument("--renders", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args(argv or [])
    ways = {"registry": _registry(), "Jinja's defaults": _defaults()}
    best = dict.fromkeys(ways, float("inf"))
    for render in ways.values():
        _round(render, args.renders // 10)  # warm up
    for _ in range(args.rounds):
        for name, render in ways.items():
            best[name] = min(best[name], _round(render, args.renders))
    baseline = best["Jinja's defaults"]
    body = "\n".join(
        [
            "## Notify's templates",
            "",
            f"`uv run --frozen python -m bench rendering --renders {args.renders} --rounds"
            f" {args.rounds}`: a receipt rendered by email, SMS and Zalo (every part of the"
            " three templates), CPU µs for the three, best round of each, in one process:",
            "",
            "| renderer | µs for the three | ratio to Jinja's defaults |",
            "|---|---:|---:|",
            *(f"| {n} | {v:,.1f} | {v / baseline:.2f} |" for n, v in best.items()),
        ]
    )
    print(body)
    if args.write:
        write_section("rendering", body)
