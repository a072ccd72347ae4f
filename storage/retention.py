"""Deleting conversations from the SQL tracker store: the retention period, and erasure on request.

Conversations whose last event is older than RETENTION_DAYS (environment variable, whole
days, default 90) are deleted by `forget_older_than`: at server start and then daily by
the job `keep_retention` (started by storage.tracker_store.EnvSQLTrackerStore), and by
`make forget-old`. `forget_conversation` erases one conversation (GDPR art. 17; `make
forget CONVERSATION=<id>`). Both work on any database Rasa's SQLTrackerStore supports
(SQLite, PostgreSQL) through its own table and session.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass
from typing import Mapping, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore

logger = logging.getLogger(__name__)

RETENTION_ENV = "RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 90
DAY_S = 24 * 60 * 60


@dataclass(frozen=True)
class Deleted:
    """What a deletion removed: `conversations` (distinct sender ids) and `events` (rows)."""

    conversations: int
    events: int


def retention_days(environ: Mapping[str, str] = os.environ) -> int:
    """RETENTION_DAYS from `environ`: a whole number of days ≥ 1, default 90.

    Raises:
        ValueError: the variable is set but not a whole number ≥ 1.
    """
    value = environ.get(RETENTION_ENV, "").strip()
    if not value:
        return DEFAULT_RETENTION_DAYS
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{RETENTION_ENV} must be a whole number of days, at least 1, not {value!r}")
    return int(value)


def forget_conversation(store: SQLTrackerStore, sender_id: str) -> int:
    """Deletes every event of the conversation `sender_id`; returns how many it deleted (0: none stored)."""
    events = SQLTrackerStore.SQLEvent
    with store.session_scope() as session:
        deleted = session.query(events).filter(events.sender_id == sender_id).delete(synchronize_session=False)
        session.commit()
    return deleted


def forget_older_than(store: SQLTrackerStore, days: int, now: Optional[float] = None) -> Deleted:
    """Deletes the conversations whose last event is more than `days` days before `now` (Unix time, s)."""
    events = SQLTrackerStore.SQLEvent
    cutoff = (time.time() if now is None else now) - days * DAY_S
    with store.session_scope() as session:
        old = (
            session.query(events.sender_id)
            .group_by(events.sender_id)
            .having(sa.func.max(events.timestamp) < cutoff)
            .subquery()
        )
        senders = session.query(sa.func.count()).select_from(old).scalar() or 0
        removed = (
            session.query(events)
            .filter(events.sender_id.in_(sa.select(old.c.sender_id)))
            .delete(synchronize_session=False)
        )
        session.commit()
    return Deleted(senders, removed)


async def keep_retention(store: SQLTrackerStore, days: int, interval_s: float = DAY_S) -> None:
    """Runs `forget_older_than(store, days)` now and then every `interval_s` seconds, until cancelled.

    A failed run is logged and retried at the next interval; the deletion runs in a thread,
    so the server keeps answering meanwhile.
    """
    while True:
        try:
            deleted = await asyncio.get_running_loop().run_in_executor(None, forget_older_than, store, days)
            logger.info(
                "Retention (%d days): deleted %d conversations (%d events).", days, deleted.conversations, deleted.events
            )
        except Exception as error:
            logger.error("Retention job failed (%s); trying again in %.0f s.", type(error).__name__, interval_s)
        await asyncio.sleep(interval_s)
