"""Rasa server CPU per message by turn index, and its peak RSS, for long conversations.

A quick before/after measure for the tail (issue 14) on a busy machine: wall-clock
latency moves with other processes, the server's own CPU time much less. It serves one
model (with the action server, a SQLite tracker store in a temporary folder), sends long
conversations one message at a time through the REST channel (127.0.0.1 only), and reads
the server's CPU time (the summed `/proc/<pid>/task/*/schedstat` run time, in ns) before
and after every message.

    python -m scripts.bench.tail --model models/candidates/X.tar.gz --turns 50 --conversations 4

Prints JSON: CPU ms per message by turn range, mean over all, peak RSS (VmHWM) in MB after
loading and at the end, and the load average before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

import requests

from scripts.bench.load import WEBHOOK
from scripts.bench.memory import group_members, peak_rss_mb
from scripts.bench.serving import ignore_tracker_store_overrides, write_endpoints
from scripts.bench.workload import build_conversations, examples_by_intent
from scripts.paths import ROOT
from scripts.serving.services import action_server, free_port, rasa_server

RANGES = ((1, 1), (1, 10), (46, 50), (96, 100), (146, 150), (251, 300))
HELD_OUT = ROOT / "tests" / "nlu"


def group_cpu_ns(pgid: int) -> int:
    """Run time so far of every live thread of process group `pgid`, in ns (Linux schedstat)."""
    total = 0
    for pid in group_members(pgid):
        for task in Path(f"/proc/{pid}/task").glob("*/schedstat"):
            try:
                total += int(task.read_text().split()[0])
            except (OSError, ValueError, IndexError):
                continue  # the thread ended meanwhile
    return total


def by_range(samples: Sequence[Tuple[int, float]], ranges: Sequence[Tuple[int, int]] = RANGES) -> Dict[str, float]:
    """Mean of (turn, ms) samples for each turn range present, keyed "first-last" (e.g. "46-50")."""
    means = {}
    for first, last in ranges:
        values = [ms for turn, ms in samples if first <= turn <= last]
        if values:
            means[f"{first}-{last}"] = round(statistics.mean(values), 1)
    return means


def converse(url: str, pgid: int, conversations: Sequence[List[str]]) -> List[Tuple[int, float]]:
    """Sends the conversations one message at a time; returns (turn, server CPU ms) per message.

    Raises:
        requests.HTTPError: the server did not answer a message with 200.
    """
    samples = []
    with requests.Session() as session:
        for number, messages in enumerate(conversations):
            sender = f"tail-{os.getpid()}-{number}"
            for turn, text in enumerate(messages, start=1):
                before = group_cpu_ns(pgid)
                response = session.post(url + WEBHOOK, json={"sender": sender, "message": text}, timeout=60)
                response.raise_for_status()
                samples.append((turn, (group_cpu_ns(pgid) - before) / 1e6))
    return samples


def measure(model: Path, turns: int, count: int, port: int = 0, seed: int = 6) -> Dict[str, Any]:
    """Serves `model` and measures `count` conversations of `turns` held-out messages (see the module).

    The action server listens on `port` and the Rasa server on `port` + 1 (0: free ports).
    """
    ignore_tracker_store_overrides()
    conversations = build_conversations(examples_by_intent(HELD_OUT), count + 1, (turns, turns), seed)
    with tempfile.TemporaryDirectory(prefix="tail-") as folder:
        action_port, rasa_port = (port, port + 1) if port else (free_port(), free_port())
        endpoints = write_endpoints(ROOT / "endpoints.yml", f"http://127.0.0.1:{action_port}/webhook",
                                    Path(folder) / "endpoints.yml")
        with action_server(action_port, Path(folder) / "actions.log"), \
                rasa_server(model, rasa_port, str(endpoints), Path(folder) / "rasa.log") as server:
            url = f"http://127.0.0.1:{rasa_port}"
            loaded_rss = peak_rss_mb(server.pid)
            load_before = os.getloadavg()
            converse(url, server.pid, [conversations[0][:5]])  # warm-up: first-message costs
            start = time.monotonic()
            samples = converse(url, server.pid, conversations[1:])
            return {
                "model": model.name,
                "conversations": count,
                "turns": turns,
                "cpu_ms_by_turn": by_range(samples),
                "cpu_ms_mean": round(statistics.mean(ms for _, ms in samples), 1),
                "peak_rss_mb_loaded": loaded_rss,
                "peak_rss_mb_end": peak_rss_mb(server.pid),
                "elapsed_s": round(time.monotonic() - start, 1),
                "load_average": [round(load_before[0], 1), round(os.getloadavg()[0], 1)],
            }


def main() -> None:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--turns", type=int, default=50)
    parser.add_argument("--conversations", type=int, default=4)
    parser.add_argument("--port", type=int, default=0, help="action server port; Rasa on the next")
    args = parser.parse_args()
    print(json.dumps(measure(args.model, args.turns, args.conversations, args.port)))


if __name__ == "__main__":
    main()
