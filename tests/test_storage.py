"""storage/: the lock store (in memory unless LOCK_STORE_URL names a Redis host; atomic over
several servers on a real Redis), the event class cache, and the SQLite tracker store's write-ahead log."""

import asyncio
import json
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Iterator

import pytest
import sqlalchemy as sa
from rasa.core.lock_store import InMemoryLockStore, LockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

from scripts.paths import ROOT
from scripts.serving.services import free_port, is_up
from storage import events
from storage.lock_store import EnvLockStore, redis_settings
from storage.retention import forget_conversation
from storage.tracker_store import EnvSQLTrackerStore
from tests.helpers import DOMAIN


def test_without_a_redis_host_the_locks_stay_in_memory(monkeypatch):
    for name in ("LOCK_STORE_URL", "LOCK_STORE_PORT"):
        monkeypatch.delenv(name, raising=False)
    store = LockStore.create(AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml")).lock_store)
    assert isinstance(store, EnvLockStore) and isinstance(store.store, InMemoryLockStore)
    first, second = store.issue_ticket("anna"), store.issue_ticket("anna")
    lock = store.get_lock("anna")
    assert not lock.is_locked(first) and lock.is_locked(second)  # the second message waits for the first


def test_environment_variables_choose_redis_over_the_endpoints_settings():
    config = EndpointConfig(url="redis.example", type="storage.lock_store.EnvLockStore", port=6379, db=1)
    env = {"LOCK_STORE_URL": "10.0.0.5", "LOCK_STORE_PORT": "6390", "LOCK_STORE_PASSWORD": "s3cret",
           "LOCK_STORE_USE_SSL": "true", "LOCK_STORE_DB": ""}
    assert redis_settings(config, env) == {"host": "10.0.0.5", "port": 6390, "db": 1, "password": "s3cret",
                                           "use_ssl": True}
    assert redis_settings(config, {}) == {"host": "redis.example", "port": 6379, "db": 1}
    assert redis_settings(None, {"LOCK_STORE_PORT": "6390"}) == {}


@pytest.fixture
def redis_port(tmp_path: Path) -> Iterator[int]:
    """A Redis server of its own on a free port of 127.0.0.1, keeping nothing on disk."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed (make servers installs it)")
    port = free_port()
    server = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                               "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if is_up(f"tcp://127.0.0.1:{port}"):
                break
            server.poll()
            assert server.returncode is None, "redis-server did not start"
            threading.Event().wait(0.05)
        yield port
    finally:
        server.terminate()
        server.wait(10)


def test_two_servers_issuing_tickets_at_once_on_redis_get_one_ticket_each(monkeypatch, redis_port):
    """Server A is paused between reading the lock and writing it back while server B issues a
    ticket: B must wait for A (Rasa's RedisLockStore alone gives both ticket 0, so two messages
    of one conversation would be handled at once)."""
    monkeypatch.setenv("LOCK_STORE_URL", "127.0.0.1")
    monkeypatch.setenv("LOCK_STORE_PORT", str(redis_port))
    server_a, server_b = EnvLockStore(), EnvLockStore()  # two connections, as two Rasa servers have
    a_has_read, b_is_done = threading.Event(), threading.Event()
    read_lock = server_a.get_or_create_lock

    def slow_read(conversation_id):
        lock = read_lock(conversation_id)
        a_has_read.set()
        b_is_done.wait(1.0)  # B's turn, if nothing stops it
        return lock

    monkeypatch.setattr(server_a, "get_or_create_lock", slow_read)
    tickets = {}

    def issue_b():
        a_has_read.wait(5)
        tickets["b"] = server_b.issue_ticket("anna")
        b_is_done.set()

    thread = threading.Thread(target=issue_b)
    thread.start()
    tickets["a"] = server_a.issue_ticket("anna")
    thread.join(15)
    assert sorted(tickets.values()) == [0, 1], tickets
    lock = server_b.get_lock("anna")
    assert [not lock.is_locked(tickets[name]) for name in ("a", "b")] == [True, False]  # A first, B waits
    server_a.cleanup("anna", tickets["a"])
    assert not server_b.get_lock("anna").is_locked(tickets["b"])  # then B's turn
    server_b.cleanup("anna", tickets["b"])
    assert server_a.get_lock("anna") is None


def test_the_cached_event_lookup_answers_as_rasa_does():
    events.install()
    assert Event.resolve_by_type is events.resolve_by_type
    for name in {cls.type_name for cls in all_subclasses(Event)} | {"topic"}:
        assert Event.resolve_by_type(name) is events._rasa_resolve_by_type(name)
    assert Event.resolve_by_type("no such event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError):
        Event.resolve_by_type("no such event")


def test_a_sqlite_tracker_store_keeps_a_write_ahead_log_and_every_event(tmp_path):
    store = EnvSQLTrackerStore(dialect="sqlite", db=str(tmp_path / "tracker.db"))
    tracker = DialogueStateTracker("dora", [])
    for text in ("hej", "hvad er rsv", "tak"):
        tracker.update(UserUttered(text, {"name": "greet", "confidence": 0.9}))
        tracker.update(ActionExecuted("action_listen"))
        asyncio.run(store.save(tracker))
    with store.engine.connect() as connection:
        assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
    stored = asyncio.run(EnvSQLTrackerStore(dialect="sqlite", db=str(tmp_path / "tracker.db")).retrieve("dora"))
    assert [e.text for e in stored.events if isinstance(e, UserUttered)] == ["hej", "hvad er rsv", "tak"]


def _say(tracker: DialogueStateTracker, text: str) -> DialogueStateTracker:
    tracker.update(UserUttered(text, {"name": "greet", "confidence": 0.9}))
    tracker.update(ActionExecuted("action_listen"))
    return tracker


def _texts(tracker: DialogueStateTracker) -> list:
    return [e.text for e in tracker.events if isinstance(e, UserUttered)]


def test_the_tracker_saved_last_comes_from_memory_only_while_the_database_holds_just_its_events(tmp_path):
    db = str(tmp_path / "tracker.db")
    server_a, server_b = EnvSQLTrackerStore(dialect="sqlite", db=db), EnvSQLTrackerStore(dialect="sqlite", db=db)
    first = _say(DialogueStateTracker("erik", []), "hej")
    asyncio.run(server_a.save(first))
    assert asyncio.run(server_a.retrieve("erik")) is first  # kept: not loaded and replayed again
    asyncio.run(server_a.save(first))

    elsewhere = _say(asyncio.run(server_b.retrieve("erik")), "hvad er rsv")  # the next message, on server B
    asyncio.run(server_b.save(elsewhere))
    fresh = asyncio.run(server_a.retrieve("erik"))
    assert fresh is not first and _texts(fresh) == ["hej", "hvad er rsv"]

    _say(fresh, "tak")  # a message whose handling failed before the save
    assert _texts(asyncio.run(server_a.retrieve("erik"))) == ["hej", "hvad er rsv"]

    asyncio.run(server_a.save(_say(asyncio.run(server_a.retrieve("erik")), "tak")))
    assert forget_conversation(server_b, "erik") > 0  # erased (make forget)
    assert asyncio.run(server_a.retrieve("erik")) is None


def _statements(store: EnvSQLTrackerStore) -> list:
    """The SQL statements the store sends from now on (appended as they run)."""
    sent: list = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda _c, _cur, statement, *_: sent.append(statement))
    return sent


def _stored_rows(db: str, sender: str) -> list:
    with sa.create_engine(f"sqlite:///{db}").connect() as connection:
        rows = connection.execute(sa.text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender})
        return [json.loads(data) for (data,) in rows]


def test_a_long_conversation_costs_the_store_the_same_few_queries_per_message_and_stores_each_event_once(tmp_path):
    db = str(tmp_path / "tracker.db")
    store = EnvSQLTrackerStore(dialect="sqlite", db=db, domain=DOMAIN)
    tracker = DialogueStateTracker("frida", [])
    tracker.update(ActionExecuted("action_session_start"))  # a new conversation, as Rasa starts it
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    asyncio.run(store.save(tracker))
    sent = _statements(store)
    per_message = []
    for number in range(60):
        before = len(sent)
        tracker = _say(asyncio.run(store.retrieve("frida")), f"besked {number}")
        asyncio.run(store.save(tracker))
        per_message.append(sent[before:])
    assert not any("count(" in statement.lower() for statement in sent)  # Rasa counts the session's events per save
    for statements in per_message[1:]:  # from memory: its last event read back, then one insert per new event
        assert [statement.split()[0] for statement in statements] == ["SELECT", "INSERT", "INSERT"]
        assert "LIMIT" in statements[0]
    rows = _stored_rows(db, "frida")  # action_session_start, then the session as the store handed it out
    assert rows[0]["name"] == "action_session_start" and rows[1:] == [event.as_dict() for event in tracker.events]
    fresh = asyncio.run(EnvSQLTrackerStore(dialect="sqlite", db=db, domain=DOMAIN).retrieve("frida"))
    assert list(fresh.events) == list(tracker.events)  # what another server loads


def test_a_new_session_in_the_middle_is_stored_once_and_loaded_as_rasa_loads_it(tmp_path):
    db = str(tmp_path / "tracker.db")
    store = EnvSQLTrackerStore(dialect="sqlite", db=db, domain=DOMAIN)
    tracker = _say(DialogueStateTracker.from_events("gorm", [SessionStarted(), ActionExecuted("action_listen")]), "hej")
    asyncio.run(store.save(tracker))
    tracker = asyncio.run(store.retrieve("gorm"))
    for event in (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")):
        tracker.update(event)
    asyncio.run(store.save(_say(tracker, "igen")))
    tracker = _say(asyncio.run(store.retrieve("gorm")), "tak")
    asyncio.run(store.save(tracker))
    rows = _stored_rows(db, "gorm")  # the first session (4 events), action_session_start, the new session once
    assert rows[5:] == [event.as_dict() for event in tracker.events] and rows[4]["name"] == "action_session_start"
    again = asyncio.run(store.retrieve("gorm"))
    assert _texts(again) == ["igen", "tak"]  # the new session only, as Rasa's own load gives it
    assert list(again.events) == list(asyncio.run(SQLTrackerStore(DOMAIN, db=db).retrieve("gorm")).events)
