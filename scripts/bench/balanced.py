"""The load of `make bench` through the balancer of `make scale`, with 1 and with 2 Rasa servers.

    python -m scripts.bench.balanced [--servers 1 2] [--action-servers 1] [--concurrency 32]
                                     [--conversations 96] [--quick]

For each number of Rasa servers it starts the whole scale set (scripts.serving.scale:
nginx, PostgreSQL, Redis, action servers) on free ports, warms every Rasa server up
directly, sends the bench's conversations (10-20 held-out messages each) through
nginx at the given concurrency, and stops the set. Prints progress, a table and the
throughput ratio; writes results/balanced-<time>.json. Load goes to 127.0.0.1 only
and every level is bounded in time.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path
from typing import Any, Dict, List

from scripts.bench.load import run_level
from scripts.bench.machine import CpuMeter, group_cpu_s
from scripts.bench.memory import peak_rss_mb
from scripts.bench.workload import build_conversations, examples_by_intent
from scripts.paths import ROOT
from scripts.serving.scale import Scale

TEST_NLU = ROOT / "tests" / "nlu"
TURNS = (10, 20)
TIME_LIMIT_S = 240.0


def measure(model: Path, servers: int, action_servers: int, concurrency: int, conversations: List[List[str]],
            warmup: List[str], progress) -> Dict[str, Any]:
    """One load level through nginx in front of `servers` Rasa servers.

    Returns:
        load.Level.summary() + {"rasa_servers", "action_servers", "server_cpu_ms_per_msg" (all Rasa servers
        together, per answered message), "others_cpu_share" (0..1), "peak_rss_mb_per_server"}.
    """
    with Scale(model, servers, action_servers, progress=progress) as scale:
        for url in scale.rasa_urls:
            run_level(url, [warmup], 1, 120.0)
        pgids = [s.pid for s in scale.rasa]
        meter, cpu_s = CpuMeter(pgids), sum(group_cpu_s(p) for p in pgids)
        progress(f"Load: {len(conversations)} conversations, {concurrency} at a time, through nginx")
        summary = dataclasses.asdict(run_level(scale.url, conversations, concurrency, TIME_LIMIT_S).summary())
        answered = summary["messages"] - summary["failed"]
        cpu_ms = (sum(group_cpu_s(p) for p in pgids) - cpu_s) * 1000 / max(answered, 1)
        return {**summary, "rasa_servers": servers, "action_servers": action_servers,
                "server_cpu_ms_per_msg": round(cpu_ms, 1), "others_cpu_share": meter.others_share(),
                "peak_rss_mb_per_server": [peak_rss_mb(p) for p in pgids]}


def table(results: List[Dict[str, Any]]) -> str:
    """The results as a markdown table, with the throughput relative to the first row."""
    rows = ["| Rasa servers | Action servers | Messages | Failed | msg/s | × first | p50 | p95 | p99 | "
            "Server CPU per message | Others |", "|" + "---|" * 11]
    for r in results:
        lat = r["latency"]
        rows.append(f"| {r['rasa_servers']} | {r['action_servers']} | {r['messages']} | {r['failed']} | "
                    f"{r['throughput_msg_s']} | {r['throughput_msg_s'] / results[0]['throughput_msg_s']:.2f} | "
                    f"{lat['p50_ms']} ms | {lat['p95_ms']} ms | {lat['p99_ms']} ms | {r['server_cpu_ms_per_msg']} ms | "
                    f"{r['others_cpu_share']:.0%} |")
    return "\n".join(rows)


def main() -> None:
    from scripts.learning.registry import train_and_promote_if_needed

    parser = argparse.ArgumentParser(description="The bench's load through nginx with 1 and 2 Rasa servers.")
    parser.add_argument("--servers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--action-servers", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--conversations", type=int, default=96)
    parser.add_argument("--quick", action="store_true", help="32 conversations: a trial, not comparable")
    args = parser.parse_args()
    started = time.monotonic()

    def progress(line: str) -> None:
        print(f"[balanced {time.monotonic() - started:5.0f} s] {line}", flush=True)

    count = 32 if args.quick else args.conversations
    warmup, *conversations = build_conversations(examples_by_intent(TEST_NLU), count + 1, TURNS)
    model, results = train_and_promote_if_needed(), []
    for servers in args.servers:
        progress(f"{servers} Rasa server(s), {args.action_servers} action server(s)")
        results.append(measure(model, servers, args.action_servers, args.concurrency, conversations, warmup, progress))
        progress(f"  {results[-1]['throughput_msg_s']} msg/s, p95 {results[-1]['latency']['p95_ms']} ms")
    out = ROOT / "results" / f"balanced-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"quick": args.quick, "concurrency": args.concurrency, "results": results}, indent=2))
    print(table(results))
    print(f"\nWritten: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
