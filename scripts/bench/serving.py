"""End-to-end speed and memory: Rasa servers under bounded load through the REST channel."""

from __future__ import annotations

import contextlib
import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, MutableMapping, Optional, Sequence

import yaml

from scripts.bench.load import run_level
from scripts.bench.machine import CpuMeter, group_cpu_s
from scripts.bench.memory import peak_rss_mb, rss_mb
from scripts.bench.results import LevelResult, Serving
from scripts.serving.services import free_port, rasa_server
from storage.tracker_store import ENV_PREFIX as TRACKER_STORE_ENV_PREFIX

WARMUP_TIME_LIMIT_S = 120.0


def write_endpoints(source: Optional[Path], action_url: str, target: Path) -> Path:
    """Copies an endpoints.yml (or none) to `target` for the benchmark; returns `target`.

    The action server is at `action_url`, and a SQLite tracker store writes to
    tracker.db beside `target` instead of the real conversations database. Everything
    else (tracker store class, lock store, ...) stays as the assistant ships it.
    """
    endpoints: Dict[str, Any] = {}
    if source is not None and source.is_file():
        endpoints = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    endpoints["action_endpoint"] = {"url": action_url, "token": "${ACTION_SERVER_TOKEN}"}  # see actions.server
    tracker_store = endpoints.get("tracker_store") or {}
    if tracker_store.get("dialect") == "sqlite":
        endpoints["tracker_store"] = {**tracker_store, "db": str(target.parent / f"{target.stem}-tracker.db")}
    target.write_text(yaml.safe_dump(endpoints, sort_keys=False), encoding="utf-8")
    return target


def ignore_tracker_store_overrides(environ: MutableMapping[str, str] = os.environ) -> None:
    """Drops the TRACKER_STORE_* variables (storage.tracker_store) from `environ`.

    They could point the benchmark's servers at the real conversations database;
    without them the servers use the endpoints file the benchmark wrote.
    """
    for name in [name for name in environ if name.startswith(TRACKER_STORE_ENV_PREFIX)]:
        del environ[name]


@dataclass(frozen=True)
class Served:
    """An assistant to serve: its model, endpoints.yml, server log, and its conversations.

    `warmup` conversations are sent one at a time before timing; `levels[i]` holds the
    conversations of the i-th load level.
    """

    model: Path
    endpoints: Path
    log_path: Path
    warmup: Sequence[List[str]]
    levels: Sequence[Sequence[List[str]]]


def measure_servers(
    assistants: Dict[str, Served], concurrency: Sequence[int], time_limit_s: float, other_pgids: Sequence[int] = ()
) -> Dict[str, Serving]:
    """Serves all assistants at once, each on a free port, and loads them in turns.

    At each concurrency every assistant gets its level right after the other, so a
    busy machine weighs on all of them alike. Only one is under load at a time.

    Args:
        assistants: by name.
        concurrency: conversations at a time, by level (as many as each `levels`).
        time_limit_s: bound of each level's duration in s.
        other_pgids: process groups of our other running services (the action server),
            counted as ours when measuring what other processes use.

    Returns:
        By name: the levels (with the CPU figures), the Rasa server's peak RSS and its RSS after the load.

    Raises:
        RuntimeError: a server did not start (see scripts.serving.services.Service.start).
    """
    with contextlib.ExitStack() as stack:
        urls, pgids = {}, list(other_pgids)
        for name, served in assistants.items():
            port = free_port()
            server = stack.enter_context(
                rasa_server(served.model, port=port, endpoints=str(served.endpoints), log_path=served.log_path)
            )
            urls[name] = f"http://localhost:{port}"
            pgids.append(server.pid)
        for name, served in assistants.items():
            run_level(urls[name], served.warmup, 1, WARMUP_TIME_LIMIT_S)
        levels: Dict[str, List[LevelResult]] = {name: [] for name in assistants}
        server_pgids = dict(zip(assistants, pgids[len(other_pgids):], strict=True))
        for index, n in enumerate(concurrency):
            for name, served in assistants.items():
                meter, cpu_s = CpuMeter(pgids), group_cpu_s(server_pgids[name])
                summary = run_level(urls[name], served.levels[index], n, time_limit_s).summary()
                answered = summary.messages - summary.failed
                cpu_ms = (group_cpu_s(server_pgids[name]) - cpu_s) * 1000 / answered if answered else None
                levels[name].append(dataclasses.replace(
                    summary, others_cpu_share=meter.others_share(),
                    server_cpu_ms_per_msg=None if cpu_ms is None else round(cpu_ms, 1)))
        return {name: Serving(levels[name], peak_rss_mb=peak_rss_mb(pgid), rss_mb=rss_mb(pgid))
                for name, pgid in server_pgids.items()}
