"""Erasing stored conversations from the tracker store of endpoints.yml.

    python -m scripts.privacy.forget CONVERSATION_ID   erases one conversation (make forget CONVERSATION=<id>)
    python -m scripts.privacy.forget --old             erases those older than RETENTION_DAYS (make forget-old)

Each prints what it deleted. The server runs the same retention deletion at start and
daily (storage.retention); this is for doing it now, e.g. after a request to be forgotten.
"""

from __future__ import annotations

import argparse
import sys

from scripts.learning.review import open_tracker_store
from storage.retention import forget_conversation, forget_older_than, retention_days


def main() -> None:
    """Command line; exits 1 if there was nothing to erase for a given id, 2 on a bad RETENTION_DAYS."""
    parser = argparse.ArgumentParser(description="Erase stored conversations.")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("conversation", nargs="?", help="the conversation's id (sender id, as `make story` lists them)")
    target.add_argument("--old", action="store_true", help="every conversation older than RETENTION_DAYS (default 90)")
    args = parser.parse_args()
    try:
        days = retention_days()
    except ValueError as error:
        sys.exit(f"forget: {error}")
    store = open_tracker_store()
    if args.old:
        deleted = forget_older_than(store, days)
        print(f"Conversations older than {days} days deleted: {deleted.conversations} (events: {deleted.events}).")
        return
    events = forget_conversation(store, args.conversation)
    if not events:
        sys.exit(f"No stored conversation with the id {args.conversation!r}: nothing deleted.")
    print(f"Deleted the conversation {args.conversation!r} (events: {events}).")


if __name__ == "__main__":
    main()
