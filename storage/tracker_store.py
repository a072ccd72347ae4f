"""Rasa's SQL tracker store, with settings that environment variables can override.

endpoints.yml names this class, so `make run`, `make shell` and a plain `rasa run`
(started in the project folder) store conversations in the SQLite file tracker.db
with no variables set. Setting TRACKER_STORE_<SETTING> (e.g. TRACKER_STORE_DIALECT=
postgresql, TRACKER_STORE_HOST, TRACKER_STORE_DB, ...) moves them to another
database, PostgreSQL for instance, without editing endpoints.yml. Rasa's own
`${VAR}` expansion in endpoints.yml cannot do this: it fails when a variable is unset.

A SQLite file is kept open in write-ahead-log mode (see `EnvSQLTrackerStore`), loading a
conversation finds its event classes through a cache (storage.events), and the trackers
of the conversations saved last stay in memory between their messages (see
`EnvSQLTrackerStore.retrieve`), so a message does not load and replay its whole session.

Created inside a running server (Rasa creates it while the server starts), the store
starts the retention job of storage.retention: conversations older than RETENTION_DAYS
(default 90) are deleted then and daily.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections import OrderedDict
from typing import Any, Dict, Mapping, Optional, Text, Tuple

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from storage import events
from storage.retention import keep_retention, retention_days

events.install()  # loading a conversation resolves each event's class; cache it

logger = logging.getLogger(__name__)

ENV_PREFIX = "TRACKER_STORE_"
# The settings of Rasa's SQLTrackerStore; `host` is `url` in endpoints.yml.
SETTINGS = ("dialect", "host", "port", "db", "username", "password", "login_db")
CACHED_CONVERSATIONS = 64  # trackers kept in memory: the conversations saved last (about 0.5-2 MB each at 50 turns)
CACHE_IDLE_S = 60 * 60  # a kept tracker is dropped after this long without a message (domain.yml's session expiry)


def settings_with_env(settings: Dict[Text, Any], env: Mapping[Text, Text] = os.environ) -> Dict[Text, Any]:
    """`settings` with every key of SETTINGS replaced by TRACKER_STORE_<KEY> where that is set.

    Args:
        settings: keyword arguments for SQLTrackerStore, e.g. {"dialect": "sqlite", "db": "tracker.db"}.
        env: the environment to read (default: os.environ).

    Returns:
        A new dict; empty variables count as unset.
    """
    overrides = {key: env[ENV_PREFIX + key.upper()] for key in SETTINGS if env.get(ENV_PREFIX + key.upper())}
    return {**settings, **overrides}


class EnvSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQLTrackerStore configured by endpoints.yml, overridden by TRACKER_STORE_* variables.

    With SQLite, Rasa opens and closes the file for every load and save of a
    conversation, and each close checkpoints and syncs it to disk: about 27-35 ms per
    message on this machine's disk, with the event loop blocked for every user. Here
    the connections stay open (a pool) and the file is in WAL mode with
    synchronous=NORMAL: a commit no longer waits for the disk (0.01 ms). A crash of the
    server loses nothing; a power cut can lose the last commits. Readers such as
    `make export-uncertain` can read while the server writes.

    Raises what SQLTrackerStore raises, e.g. RasaException for a port that is not a number,
    and ValueError for a RETENTION_DAYS that is not a whole number ≥ 1 (in the server).
    """

    def __init__(
        self,
        domain: Optional[Domain] = None,
        host: Optional[Text] = None,
        event_broker: Optional[EventBroker] = None,
        **kwargs: Any,
    ) -> None:
        """Connects with the settings of endpoints.yml (`kwargs`, `host`) after the environment's overrides."""
        super().__init__(domain=domain, event_broker=event_broker, **settings_with_env({"host": host, **kwargs}))
        engine: sa.engine.Engine = self.engine  # type: ignore[has-type]
        if engine.dialect.name == "sqlite":
            engine.dispose()
            self.engine = sa.create_engine(engine.url, poolclass=sa.pool.QueuePool,
                                           connect_args={"check_same_thread": False})
            sa.event.listen(self.engine, "connect", _sqlite_wal)
            self.sessionmaker.configure(bind=self.engine)
        self._kept: "OrderedDict[str, Tuple[int, float, DialogueStateTracker]]" = OrderedDict()
        self.retention_job: Optional[asyncio.Task] = None
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # a command-line tool, not the server: no job
            return
        days = retention_days()  # a bad RETENTION_DAYS stops the server start with its message
        self.retention_job = loop.create_task(keep_retention(self, days))
        logger.info("Conversations older than %d days are deleted now and daily (RETENTION_DAYS).", days)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The conversation's tracker (its current session), as Rasa's SQLTrackerStore loads it.

        Loading replays every event of the session: at turn 50 (400 events) that took most
        of a message's time (docs/deployment.md, "The tail under load"). So the tracker saved
        last is kept in memory and handed out again if the database still holds exactly its
        events: the count of the session's stored events is unchanged, which it is unless
        another Rasa server handled a message of the conversation meanwhile (events are only
        ever added; an erased conversation counts 0). A kept tracker is handed out once (the
        caller changes it) and kept again when it is saved; one whose handling failed before
        its save is loaded afresh.

        Returns:
            The tracker, or None if the conversation has no stored events.
        """
        kept = self._kept.pop(sender_id, None)
        if kept is not None and kept[0] == self._stored_events(sender_id):
            return kept[2]
        return await super().retrieve(sender_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Stores the tracker's new events (Rasa's save), then keeps the tracker for its next message.

        No query is spent here: the tracker is kept with its number of events, and `retrieve`
        hands it out only if the session's stored events number the same. A tracker that
        also holds events before its session's start (a new session began in this message,
        or the conversation is new: Rasa stores the session's first action before the
        session's start) does not match and is loaded afresh once.
        """
        await super().save(tracker)
        now = time.monotonic()
        self._kept[tracker.sender_id] = (len(tracker.events), now, tracker)
        self._kept.move_to_end(tracker.sender_id)
        while self._kept and (len(self._kept) > CACHED_CONVERSATIONS or next(iter(self._kept.values()))[1] < now - CACHE_IDLE_S):
            self._kept.popitem(last=False)

    def _stored_events(self, sender_id: Text) -> int:
        """How many events of the conversation's current session the database holds."""
        with self.session_scope() as session:
            return self._event_query(session, sender_id, fetch_events_from_all_sessions=False).count()


def _sqlite_wal(connection: Any, _record: Any) -> None:
    """Puts a new SQLite connection in WAL mode with synchronous=NORMAL."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
