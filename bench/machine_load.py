"""How busy the machine was with other work while the benchmark ran (Linux /proc only).

On a small shared machine a test suite running next to the benchmark can double its latencies;
this makes such a run visible instead of leaving a mysterious number in RESULTS.md.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

SAMPLE_EVERY_S = 2.0
TICKS_PER_S = os.sysconf("SC_CLK_TCK")


@dataclass
class _Seen:
    command: str
    first: int
    last: int


@dataclass
class MachineLoad:
    """Samples every process's CPU counters in the background; `summary()` reports on others'.

    `is_ours(pid, cmdline)` says which processes belong to the benchmark. Processes that start
    and end between two samples are missed, so the figure is a lower bound.
    """

    is_ours: Callable[[int, str], bool]
    _seen: dict[int, _Seen] = field(default_factory=dict)
    _task: asyncio.Task[None] | None = None
    _started: float = 0.0

    def start(self) -> None:
        self._started = _uptime()
        self._sample()
        self._task = asyncio.create_task(self._sample_forever())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self._sample()

    def summary(self) -> str:
        elapsed_s = max(_uptime() - self._started, 1e-9)
        used: dict[str, float] = {}
        for seen in self._seen.values():
            seconds = (seen.last - seen.first) / TICKS_PER_S
            if seconds > 0:
                used[seen.command] = used.get(seen.command, 0.0) + seconds
        capacity_s = elapsed_s * (os.cpu_count() or 1)
        total = sum(used.values()) / capacity_s
        top = sorted(used.items(), key=lambda item: -item[1])[:3]
        names = ", ".join(f"{name} {seconds / capacity_s:.0%}" for name, seconds in top)
        return f"other processes used {total:.0%} of all CPUs" + (f" ({names})" if names else "")

    async def _sample_forever(self) -> None:
        while True:
            await asyncio.sleep(SAMPLE_EVERY_S)
            self._sample()

    def _sample(self) -> None:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue  # the process ended while we looked
            if self.is_ours(pid, cmdline):
                continue
            fields = stat.rpartition(")")[2].split()
            ticks = int(fields[11]) + int(fields[12])
            seen = self._seen.get(pid)
            if seen is None:
                # A process first seen mid-run counts from its start, which began after ours.
                new = pid_started_after(fields, self._started)
                seen = _Seen(command=_short(cmdline, stat), first=0 if new else ticks, last=ticks)
                self._seen[pid] = seen
            seen.last = ticks


def pid_started_after(fields: list[str], started: float) -> bool:
    return int(fields[19]) / TICKS_PER_S > started


def _uptime() -> float:
    return float(Path("/proc/uptime").read_text().split()[0])


def _short(cmdline: str, stat: str) -> str:
    """`pytest tests/events` rather than the interpreter's full path."""
    words = cmdline.split()
    if not words:
        return stat[stat.find("(") + 1 : stat.rfind(")")]  # kernel thread
    interesting = [w for w in words if not w.startswith("-")]
    if "python" in Path(words[0]).name and len(interesting) > 1:
        interesting = interesting[1:]
    return " ".join(Path(interesting[0]).name.split() + interesting[1:2])[:40]
