"""The tracker store (storage.tracker_store): endpoints.yml's SQLite file, moved by TRACKER_STORE_* variables."""

import asyncio

from rasa.core.tracker_store import TrackerStore
from rasa.core.utils import AvailableEndpoints

from scripts.paths import ROOT
from storage.tracker_store import EnvSQLTrackerStore, settings_with_env
from tests.helpers import DOMAIN, T0, conversation, turn


def test_environment_variables_override_the_endpoints_settings():
    settings = {"host": None, "dialect": "sqlite", "db": "tracker.db"}
    env = {"TRACKER_STORE_DIALECT": "postgresql", "TRACKER_STORE_HOST": "db.example", "TRACKER_STORE_PORT": "5432",
           "TRACKER_STORE_PASSWORD": "", "OTHER": "x"}
    assert settings_with_env(settings, env) == {"host": "db.example", "dialect": "postgresql", "db": "tracker.db",
                                                "port": "5432"}
    assert settings_with_env(settings, {}) == settings


def test_endpoints_yml_stores_conversations_in_a_sqlite_file(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_STORE_DB", str(tmp_path / "elsewhere.db"))
    config = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml")).tracker_store
    store = TrackerStore.create(config, DOMAIN)
    assert isinstance(store, EnvSQLTrackerStore) and store.engine.url.get_backend_name() == "sqlite"
    asyncio.run(store.save(conversation("carol", turn("hej", [("greet", 0.99)], "utter_greet", T0 + 1))))
    assert (tmp_path / "elsewhere.db").exists()
