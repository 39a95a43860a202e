"""What a process costs, read from /proc: CPU time, its children's, peak memory."""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    """This process's CPU seconds so far, user and system (getrusage)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True, slots=True)
class Window:
    """CPU shares (% of one core) of each process over one measuring window."""

    shares: dict[str, float]
    seconds: float
    load: tuple[float, float]  # 1-minute load average at the start and the end
    busy: float  # the whole machine's busy share of all its cores, in %


def _stat(pid: int) -> list[str]:
    raw = Path(f"/proc/{pid}/stat").read_text()
    return raw[raw.rindex(")") + 2 :].split()  # fields from the 3rd (state) on


def ticks(pid: int, *, reaped: bool = False) -> int:
    """utime + stime (+ cutime + cstime: children that ended and were waited for)."""
    fields = _stat(pid)
    own = int(fields[11]) + int(fields[12])
    return own + (int(fields[13]) + int(fields[14]) if reaped else 0)


def children(parent: int) -> list[int]:
    """The live children of `parent`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat(int(entry.name))[1]) == parent:
                    found.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    return found


def tree_ticks(pid: int) -> int:
    """A process, its live children and the children it has reaped (PostgreSQL backends)."""
    total = ticks(pid, reaped=True)
    for child in children(pid):
        try:
            total += ticks(child)
        except OSError:
            continue  # ended meanwhile: counted in the parent's cutime from now on
    return total


def machine() -> tuple[int, int]:
    """(busy, total) jiffies of all cores since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def load() -> float:
    """The 1-minute load average."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


class CpuMeter:
    """CPU seconds of named processes (PostgreSQL: with its backends) between two reads."""

    def __init__(self, pids: dict[str, int], tree: frozenset[str] = frozenset({"postgres"})):
        self.pids = pids
        self._readers: dict[str, Callable[[int], int]] = {
            name: tree_ticks if name in tree else ticks for name in pids
        }
        self._start: dict[str, int] = {}
        self._machine: tuple[int, int] = (0, 0)
        self._began = 0.0
        self._load = 0.0

    def start(self) -> None:
        """Begin the window."""
        self._load, self._machine = load(), machine()
        self._start = {name: self._readers[name](pid) for name, pid in self.pids.items()}
        self._began = time.monotonic()

    def seconds(self) -> dict[str, float]:
        """CPU seconds of each process since `start`."""
        return {
            name: (self._readers[name](pid) - self._start[name]) / TICKS
            for name, pid in self.pids.items()
        }

    def window(self) -> Window:
        """CPU shares (% of a core) since `start`, with the machine's load and busy share."""
        used = self.seconds()
        elapsed = time.monotonic() - self._began
        busy_end, total_end = machine()
        busy = 100.0 * (busy_end - self._machine[0]) / max(total_end - self._machine[1], 1)
        shares = {name: 100.0 * s / elapsed for name, s in used.items()}
        return Window(shares, elapsed, (self._load, load()), busy)


def measure(pids: dict[str, int], seconds: float) -> Window:
    """CPU share of each process over `seconds` of wall time."""
    meter = CpuMeter(pids)
    meter.start()
    time.sleep(seconds)
    return meter.window()
