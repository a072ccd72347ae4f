"""storage.lock_store: in memory unless LOCK_STORE_URL names a Redis host."""

from rasa.core.lock_store import InMemoryLockStore, LockStore
from rasa.core.utils import AvailableEndpoints
from rasa.utils.endpoints import EndpointConfig

from scripts.paths import ROOT
from storage.lock_store import EnvLockStore, redis_settings


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
