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
import itertools
import logging
import os
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Dict, Iterator, Mapping, Optional, Text, Tuple

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SessionStarted
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
LAST_EVENT_INDEX = "ix_events_sender_id_id"  # added to Rasa's table: a conversation's last event in one lookup


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
        _ensure_last_event_index(self.engine)
        self._kept: "OrderedDict[str, Kept]" = OrderedDict()
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
        last is kept in memory and handed out again if the database's last event of the
        conversation is still the tracker's last event (same type and timestamp): one
        indexed row, whatever the length of the conversation. It is not if another Rasa
        server handled a message of the conversation meanwhile (events are only ever added)
        or the conversation was erased (no row). A kept tracker is handed out once (the
        caller changes it) and kept again when it is saved; one whose handling failed
        before its save is loaded afresh.

        Returns:
            The tracker, or None if the conversation has no stored events.
        """
        kept = self._kept.get(sender_id)
        if kept is not None and not kept.handed_out and kept.keepable and self._last_stored(sender_id) == _last(kept.tracker):
            kept.handed_out = True
            return kept.tracker
        tracker = await super().retrieve(sender_id)
        if tracker is None:
            self._kept.pop(sender_id, None)
        else:  # the load read exactly the session's stored events
            self._remember(tracker, stored=len(tracker.events), keepable=False, handed_out=True)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Stores the tracker's new events (Rasa's save), then keeps the tracker for its next message.

        Rasa counts the session's stored events on every save to find the new ones (a query
        that grows with the conversation); for a tracker this store handed out, the count is
        known (`_additional_events`). A tracker that also holds events before its session's
        start (a new session began in this message, or the conversation is new: Rasa stores
        the session's first action before the session's start) is not what a load would
        give, so it is not handed out again but loaded afresh once.
        """
        await super().save(tracker)
        self._remember(tracker, stored=len(tracker.events), keepable=_as_loaded(tracker), handed_out=False)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        """The tracker's events not stored yet: after the known number of stored events for a
        tracker this store loaded or handed out, else after Rasa's count of them."""
        kept = self._kept.get(tracker.sender_id)
        if kept is not None and kept.tracker is tracker:
            return itertools.islice(tracker.events, kept.stored, None)
        return super()._additional_events(session, tracker)

    def _remember(self, tracker: DialogueStateTracker, stored: int, keepable: bool, handed_out: bool) -> None:
        """Notes the tracker as the conversation's latest, dropping the least recent and idle ones."""
        now = time.monotonic()
        self._kept[tracker.sender_id] = Kept(tracker, stored, keepable, handed_out, now)
        self._kept.move_to_end(tracker.sender_id)
        while self._kept and (len(self._kept) > CACHED_CONVERSATIONS or next(iter(self._kept.values())).at < now - CACHE_IDLE_S):
            self._kept.popitem(last=False)

    def _last_stored(self, sender_id: Text) -> Optional[Tuple[Text, float]]:
        """(type name, timestamp) of the conversation's last stored event; None if it has none."""
        table = self.SQLEvent
        with self.session_scope() as session:
            row = (session.query(table.type_name, table.timestamp).filter(table.sender_id == sender_id)
                   .order_by(table.id.desc()).limit(1).first())
        return None if row is None else (row[0], row[1])


@dataclass
class Kept:
    """The latest tracker of a conversation in this process: `stored` of its events are in the
    database; `keepable`: it holds just what a load would give; `handed_out`: since its save;
    `at`: time.monotonic() of its save or load."""

    tracker: DialogueStateTracker
    stored: int
    keepable: bool
    handed_out: bool
    at: float


def _last(tracker: DialogueStateTracker) -> Optional[Tuple[Text, float]]:
    """(type name, timestamp) of the tracker's last event, as `_last_stored` reads it back."""
    return (tracker.events[-1].type_name, tracker.events[-1].timestamp) if tracker.events else None


def _as_loaded(tracker: DialogueStateTracker) -> bool:
    """True if the tracker holds only events of its current session, as Rasa's load selects
    them (timestamp at or after the last SessionStarted's)."""
    starts = [event.timestamp for event in tracker.events if isinstance(event, SessionStarted)]
    return not starts or all(event.timestamp >= max(starts) for event in tracker.events)


def _ensure_last_event_index(engine: sa.engine.Engine) -> None:
    """Adds an index on (sender_id, id) to Rasa's events table where it lacks one, so that
    `_last_stored` reads one index entry (SQLite's sender_id index holds the row id already)."""
    if engine.dialect.name == "sqlite":
        return
    table = SQLTrackerStore.SQLEvent.__tablename__
    try:  # not an sa.Index: that would join Rasa's table definition, which every store creates
        with engine.begin() as connection:
            connection.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {LAST_EVENT_INDEX} ON {table} (sender_id, id)"))
    except sa.exc.SQLAlchemyError as error:  # e.g. another server created it at the same moment
        logger.debug("Index %s not created here (%s).", LAST_EVENT_INDEX, type(error).__name__)


def _sqlite_wal(connection: Any, _record: Any) -> None:
    """Puts a new SQLite connection in WAL mode with synchronous=NORMAL."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
