"""Memory of a server process group, read from /proc (Linux)."""

from __future__ import annotations

from pathlib import Path
from typing import List

PROC = Path("/proc")


def group_members(pgid: int) -> List[int]:
    """The pids of the live processes in process group `pgid`."""
    members = []
    for stat in PROC.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended meanwhile
        if int(fields[2]) == pgid:  # fields after "(comm)": state, ppid, pgrp, ...
            members.append(int(stat.parent.name))
    return members


def _sum_status_field(pgid: int, field: str) -> float:
    total_kb = 0
    for pid in group_members(pgid):
        try:
            status = (PROC / str(pid) / "status").read_text()
        except OSError:
            continue
        total_kb += next((int(line.split()[1]) for line in status.splitlines() if line.startswith(field + ":")), 0)
    return round(total_kb / 1024, 1)


def peak_rss_mb(pgid: int) -> float:
    """The summed peak resident memory (VmHWM) of the processes in process group `pgid`, in MB.

    Services are started in their own session (scripts.serving.services), so the group id is
    the server's pid and the group holds any worker processes it forked.

    Returns:
        MB (1 MB = 2**20 bytes), 0.0 if the group has no live process.
    """
    return _sum_status_field(pgid, "VmHWM")


def rss_mb(pgid: int) -> float:
    """The summed resident memory (VmRSS) of process group `pgid` now, in MB (see `peak_rss_mb`)."""
    return _sum_status_field(pgid, "VmRSS")
