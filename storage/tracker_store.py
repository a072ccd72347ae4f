"""Rasa's SQL tracker store, with settings that environment variables can override.

endpoints.yml names this class, so `make run`, `make shell` and a plain `rasa run`
(started in the project folder) store conversations in the SQLite file tracker.db
with no variables set. Setting TRACKER_STORE_<SETTING> (e.g. TRACKER_STORE_DIALECT=
postgresql, TRACKER_STORE_HOST, TRACKER_STORE_DB, ...) moves them to another
database, PostgreSQL for instance, without editing endpoints.yml. Rasa's own
`${VAR}` expansion in endpoints.yml cannot do this: it fails when a variable is unset.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Mapping, Optional, Text

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain

ENV_PREFIX = "TRACKER_STORE_"
# The settings of Rasa's SQLTrackerStore; `host` is `url` in endpoints.yml.
SETTINGS = ("dialect", "host", "port", "db", "username", "password", "login_db")


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

    Raises what SQLTrackerStore raises, e.g. RasaException for a port that is not a number.
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
