"""`make report`: how the assistant is doing, from the tracker store of endpoints.yml.

    python -m scripts.reporting.report [--since YYYY-MM-DD] [--until YYYY-MM-DD]

Reads every stored conversation (SQLite tracker.db by default, PostgreSQL with the
server's TRACKER_STORE_* variables, see storage/tracker_store.py), with a progress bar,
and writes results/report-<today>/index.html (charts inside the page) and figures.csv,
then prints a short summary. How each figure is counted: docs/report.md.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import List, Optional

from rasa.core.tracker_store import TrackerStore
from tqdm import tqdm

from scripts.learning.registry import shown
from scripts.learning.review import fallback_thresholds, open_tracker_store
from scripts.paths import ROOT
from scripts.reporting.conversations import Conversation, conversations
from scripts.reporting.figures import Figures, compute
from scripts.reporting.page import EXPORT_COMMAND, index_html, summary, write_csv

RESULTS = ROOT / "results"


async def _read(store: TrackerStore, since: float, until: float) -> List[Conversation]:
    found: List[Conversation] = []
    for sender_id in tqdm(list(await store.keys()), desc="Reading conversations", unit="tracker"):
        tracker = await store.retrieve_full_tracker(sender_id)
        if tracker is not None:
            found += [c for c in conversations(tracker) if since <= c.start < until]
    return found


def read_conversations(store: TrackerStore, since: float = 0.0, until: float = float("inf")) -> List[Conversation]:
    """The conversations in `store` that started in [since, until) (Unix time, s), read with a progress bar."""
    return asyncio.run(_read(store, since, until))


def _scope(since: Optional[date], until: Optional[date], figures: Figures) -> str:
    first = since.isoformat() if since else (figures.periods[0].label if figures.periods else "start")
    last = until.isoformat() if until else (figures.periods[-1].label if figures.periods else "today")
    return f"{first} – {last}"


def write_report(
    store: TrackerStore, out_dir: Path, since: Optional[date] = None, until: Optional[date] = None
) -> Figures:
    """Reads `store` and writes index.html and figures.csv to `out_dir`; prints the summary.

    Args:
        store: a tracker store, e.g. scripts.learning.review.open_tracker_store().
        out_dir: the report's folder (created).
        since, until: the first and last day of the range (local time), both included; None: open.

    Returns:
        The figures written.
    """
    start = datetime.combine(since, datetime.min.time()).timestamp() if since else 0.0
    end = datetime.combine(until + timedelta(days=1), datetime.min.time()).timestamp() if until else float("inf")
    figures = compute(read_conversations(store, start, end), fallback_thresholds())
    scope = _scope(since, until, figures)
    command = EXPORT_COMMAND + (f" SINCE={since.isoformat()}" if since else "")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "index.html").write_text(index_html(figures, scope, command), encoding="utf-8")
    write_csv(figures, out_dir / "figures.csv")
    print(summary(figures, scope))
    print(f"Wrote {shown(out_dir / 'index.html')} and {shown(out_dir / 'figures.csv')}")
    return figures


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a date like 2026-11-30: {value!r}") from error


def main() -> None:
    parser = argparse.ArgumentParser(description="Report how the assistant is doing, from the tracker store.")
    parser.add_argument("--since", type=_day, help="first day to include (YYYY-MM-DD)")
    parser.add_argument("--until", type=_day, help="last day to include (YYYY-MM-DD)")
    args = parser.parse_args()
    if args.since and args.until and args.since > args.until:
        parser.error("--since is after --until")
    write_report(open_tracker_store(), RESULTS / f"report-{date.today().isoformat()}", args.since, args.until)


if __name__ == "__main__":
    main()
