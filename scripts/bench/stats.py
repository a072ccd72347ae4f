"""Summaries of measured latencies."""

from __future__ import annotations

from typing import Iterable, Sequence, Tuple

import numpy as np

from scripts.bench.results import ByTurn, Latency


def latency_summary(latencies_ms: Sequence[float]) -> Latency:
    """Count, mean, p50, p95, p99 and max of latencies in ms, rounded to 0.1 ms (only the count, 0, when none)."""
    if not latencies_ms:
        return Latency(n=0)
    summary = {f"p{q}_ms": float(np.percentile(latencies_ms, q)) for q in (50, 95, 99)}
    summary.update(mean_ms=sum(latencies_ms) / len(latencies_ms), max_ms=max(latencies_ms))
    return Latency(n=len(latencies_ms), **{k: round(v, 1) for k, v in summary.items()})


TURN_BUCKETS = ((1, 1), (2, 5), (6, 10), (11, 15), (16, 20), (21, 45), (46, 50))
FIRST_TURNS, LAST_TURNS = (1, 5), (46, 50)  # where a long conversation's parts are compared


def by_turn(latencies: Iterable[Tuple[int, float]]) -> ByTurn:
    """Latency summaries by turn index, in buckets of turns.

    Args:
        latencies: (1-based turn index of the message in its conversation, latency in ms).

    Returns:
        {"1": latency_summary, "2-5": ..., ..., "46-50": ...} (a bucket without messages has n=0).
    """
    pairs = list(latencies)
    return {
        (f"{low}" if low == high else f"{low}-{high}"): latency_summary([ms for turn, ms in pairs if low <= turn <= high])
        for low, high in TURN_BUCKETS
    }
