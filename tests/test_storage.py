"""storage/: the lock store (in memory unless LOCK_STORE_URL names a Redis host), the event
class cache, and the SQLite tracker store's write-ahead log."""

import asyncio

import pytest
import sqlalchemy as sa
from rasa.core.lock_store import InMemoryLockStore, LockStore
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

from scripts.paths import ROOT
from storage import events
from storage.lock_store import EnvLockStore, redis_settings
from storage.tracker_store import EnvSQLTrackerStore


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
