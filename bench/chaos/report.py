"""The "Faults" section of BENCHMARKS.md."""

from __future__ import annotations

import argparse
from typing import Any

from bench.chaos.truth import Verdict


def render(
    args: argparse.Namespace,
    faults: list[Any],
    verdict: Verdict,
    reread: dict[str, float],
    seconds: float,
    ok: bool,
    bound: float,
) -> str:
    kind = "short" if args.short else "full"
    plural = "s" if args.instances > 1 else ""
    title = f"## Faults ({kind}, {args.instances} instance{plural} of each service)"
    command = ("make chaos-short" if args.short else "make chaos") + (
        " CHAOS_ARGS='--instances 2'" if args.instances == 2 else ""
    )
    paths = sorted({p for f in faults for p in f.recovery})
    lines = [
        title,
        "",
        f"`{command}` on its own stack (`.local-chaos/`), {seconds:.0f} s in all: "
        f"**{'PASSED' if ok else 'FAILED'}**. Seconds from the end of each fault to the first "
        f"success on each path (a kill ends when the process is killed, so its start-up "
        f"counts; a restart ends when the component answers again); pass is at most {bound:.0f} s. "
        "Re-read: events a consumer read again and skipped as already applied; "
        "–: the path carried no traffic before that fault.",
        "",
        "| fault | took | " + " | ".join(paths) + " | re-read |",
        "|---|---:|" + "---:|" * len(paths) + "---|",
    ]
    for fault in faults:
        cells = []
        for path in paths:
            if path not in fault.recovery:
                cells.append("–")  # no traffic on that path before the fault
                continue
            value = fault.recovery[path]
            cells.append("never" if value is None else f"{value:.1f}")
        again = ", ".join(f"{s} {n:.0f}" for s, n in sorted(fault.reread.items())) or "0"
        lines.append(f"| {fault.name} | {fault.took:.1f} | " + " | ".join(cells) + f" | {again} |")
    lines += ["", "After the drain, against the simulator's own record:", ""]
    for name, value in verdict.figures.items():
        lines.append(f"- {name}: {value}")
    if verdict.problems:
        lines += ["", "Problems: " + "; ".join(verdict.problems)]
        lines += [f"- {example}" for example in verdict.examples]
    return "\n".join(lines)
