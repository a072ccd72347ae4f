"""What the benchmark ran on, and how busy other processes kept the machine meanwhile."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import subprocess
import time
from pathlib import Path
from typing import Dict, Iterable

from scripts.bench.memory import group_members
from scripts.bench.results import Machine

CLOCK_TICKS_PER_S = os.sysconf("SC_CLK_TCK")
PACKAGES = ("rasa", "rasa-sdk", "spacy", "tensorflow", "sanic")


def _first_value(path: str, key: str) -> str:
    for line in Path(path).read_text().splitlines():
        if line.startswith(key):
            return line.split(":", 1)[1].strip()
    return "unknown"


def describe(root: Path) -> Machine:
    """Cores, memory, CPU model, OS, versions, the spaCy pipeline used and the git commit.

    Args:
        root: the project folder (for the git commit and the spaCy pipeline identity).
    """
    from scripts.learning.registry import spacy_pipeline

    pipeline = spacy_pipeline()
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=root, capture_output=True, text=True)
    return Machine(
        date=time.strftime("%Y-%m-%d %H:%M %Z"),
        git_commit=commit.stdout.strip() or "unknown",
        cpu_model=_first_value("/proc/cpuinfo", "model name"),
        cores=len(os.sched_getaffinity(0)),
        memory_gb=round(int(_first_value("/proc/meminfo", "MemTotal").split()[0]) / 2**20, 1),
        os=platform.platform(),
        python=platform.python_version(),
        versions={name: importlib.metadata.version(name) for name in PACKAGES},
        spacy_pipeline=pipeline,
        spacy_fallback=pipeline.startswith("blank:"),
    )


def _busy_ticks() -> int:
    """CPU time of the whole machine spent busy, in clock ticks, from /proc/stat."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
    return user + nice + system + irq + softirq + steal


def _process_ticks(pids: Iterable[int]) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total


def group_cpu_s(pgid: int) -> float:
    """CPU time (user + system) used so far by the live processes of process group `pgid`, in s."""
    return _process_ticks(group_members(pgid)) / CLOCK_TICKS_PER_S


class CpuMeter:
    """How much of the machine's CPU other processes use from now on.

    Our CPU time is that of this process with its finished children, and of the
    running process groups `pgids` (servers).

    Args:
        pgids: process groups of running servers to count as ours.
    """

    def __init__(self, pgids: Iterable[int] = ()) -> None:
        self._pgids = tuple(pgids)
        self._start = self._snapshot()

    def _snapshot(self) -> Dict[str, float]:
        own = os.times()
        own_ticks = (own.user + own.system + own.children_user + own.children_system) * CLOCK_TICKS_PER_S
        group_ticks = _process_ticks(pid for pgid in self._pgids for pid in group_members(pgid))
        return {"wall": time.monotonic(), "busy": _busy_ticks(), "ours": own_ticks + group_ticks}

    def others_share(self) -> float:
        """Share of all cores (0..1) that other processes used since this meter was made."""
        end = self._snapshot()
        capacity = (end["wall"] - self._start["wall"]) * CLOCK_TICKS_PER_S * len(os.sched_getaffinity(0))
        others = (end["busy"] - self._start["busy"]) - (end["ours"] - self._start["ours"])
        return round(min(max(others / capacity, 0.0), 1.0), 2) if capacity else 0.0
