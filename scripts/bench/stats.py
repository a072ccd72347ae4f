"""Summaries of measured latencies."""

from __future__ import annotations

import math
from typing import Dict, Iterable, Sequence, Tuple


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile of `values`, interpolated linearly between ranks (as numpy does).

    Args:
        values: the measurements, in any order (e.g. latencies in ms).
        q: the percentile, 0 to 100.

    Returns:
        A value in the units of `values`.

    Raises:
        ValueError: `values` is empty or `q` is outside 0..100.
    """
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is outside 0..100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency_summary(latencies_ms: Sequence[float]) -> Dict[str, float]:
    """Count, mean, p50, p95, p99 and max of latencies in ms.

    Returns:
        {"n": int, "mean_ms", "p50_ms", "p95_ms", "p99_ms", "max_ms": float, rounded to 0.1 ms};
        only {"n": 0} when there are no latencies.
    """
    if not latencies_ms:
        return {"n": 0}
    summary = {f"p{q}_ms": percentile(latencies_ms, q) for q in (50, 95, 99)}
    summary.update(mean_ms=sum(latencies_ms) / len(latencies_ms), max_ms=max(latencies_ms))
    return {"n": len(latencies_ms), **{k: round(v, 1) for k, v in summary.items()}}


TURN_BUCKETS = ((1, 1), (2, 5), (6, 10), (11, 15), (16, 20))


def by_turn(latencies: Iterable[Tuple[int, float]]) -> Dict[str, Dict[str, float]]:
    """Latency summaries by turn index, in buckets of turns.

    Args:
        latencies: (1-based turn index of the message in its conversation, latency in ms).

    Returns:
        {"1": latency_summary, "2-5": ..., "6-10": ..., "11-15": ..., "16-20": ...}.
    """
    pairs = list(latencies)
    return {
        (f"{low}" if low == high else f"{low}-{high}"): latency_summary([ms for turn, ms in pairs if low <= turn <= high])
        for low, high in TURN_BUCKETS
    }
