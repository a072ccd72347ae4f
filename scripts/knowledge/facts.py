"""The knowledge review list: items due for a check, and items that cite a homepage.

    python -m scripts.knowledge.facts                 list what needs review (make facts)
    python -m scripts.knowledge.facts --days 60       "near" means within 60 days (default 90)
    python -m scripts.knowledge.facts --today 2027-01-02   review as of another day

Prints items past their `review_by` date, items whose `review_by` falls within the
next DAYS days, and items whose `source` is a homepage rather than the page that states
the fact. Exits 1 if an item is past its review date (so a scheduled run can alert),
otherwise 0. Reads knowledge/knowledge_base.yml through actions.knowledge.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from typing import Iterable, List, Optional, Sequence, Tuple
from urllib.parse import urlparse

from actions.knowledge import Item, load_items

NEAR_DAYS = 90


def is_homepage(url: str) -> bool:
    """True if `url` is a site's front page ("https://virk.dk", "https://www.kl.dk/"), which
    does not state a fact itself; a page with a path or a query is not."""
    parts = urlparse(url)
    return parts.path.strip("/") == "" and not parts.query


def review_list(
    items: Iterable[Item], today: datetime.date, near_days: int = NEAR_DAYS
) -> Tuple[List[Item], List[Item], List[Item]]:
    """Splits the items that need attention.

    Args:
        items: knowledge items.
        today: the day of the review.
        near_days: how many days ahead counts as near (days).

    Returns:
        (past: review_by before today, near: review_by from today to today + near_days,
        homepage: source is a homepage), each sorted by review date or id.
    """
    items = list(items)
    dated = sorted((i.review_by, i.id, i) for i in items if i.review_by is not None)
    past = [i for review_by, _, i in dated if review_by < today]
    near = [i for review_by, _, i in dated if today <= review_by <= today + datetime.timedelta(days=near_days)]
    homepage = sorted((i for i in items if is_homepage(i.source)), key=lambda i: i.id)
    return past, near, homepage


def _lines(title: str, items: Sequence[Item], detail) -> List[str]:
    if not items:
        return [f"{title}: none"]
    return [f"{title} ({len(items)}):", *(f"  {item.id:<32} {detail(item)}" for item in items)]


def report(today: datetime.date, near_days: int = NEAR_DAYS, items: Optional[Sequence[Item]] = None) -> Tuple[str, bool]:
    """The review list as text, and whether any item is past its review date."""
    items = list(load_items() if items is None else items)
    past, near, homepage = review_list(items, today, near_days)
    lines = [
        f"Knowledge review on {today.isoformat()} ({len(items)} items, "
        f"{sum(1 for i in items if i.review_by)} with a review date):",
        *_lines("Past their review date: check the source again, update text, checked and review_by", past,
                lambda i: f"review_by {i.review_by}  {i.source}"),
        *_lines(f"Due within {near_days} days", near, lambda i: f"review_by {i.review_by}  {i.source}"),
        *_lines("Source is a homepage: cite the page that states the fact", homepage, lambda i: i.source),
    ]
    return "\n".join(lines), bool(past)


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Prints the review list; exit code 1 if an item is past its review date."""
    parser = argparse.ArgumentParser(description="List knowledge items due for review and items citing a homepage.")
    parser.add_argument("--days", type=int, default=NEAR_DAYS, help=f"how many days ahead count as near (default {NEAR_DAYS})")
    parser.add_argument("--today", type=datetime.date.fromisoformat, default=datetime.date.today(),
                        help="review as of this day, YYYY-MM-DD (default: today)")
    args = parser.parse_args(argv)
    text, overdue = report(args.today, args.days)
    print(text)
    sys.exit(1 if overdue else 0)


if __name__ == "__main__":
    main()
