"""Rasa's lock store, chosen by environment variables: in memory by default, Redis when LOCK_STORE_URL is set.

The lock store makes the messages of one conversation wait for each other, so they
are handled one at a time and in order. In memory that holds within one Rasa server
(`make run`); several servers behind a load balancer (`make scale`, deploy/) share
Rasa's RedisLockStore. endpoints.yml names this class; the variables are
LOCK_STORE_URL (the Redis host), LOCK_STORE_PORT, LOCK_STORE_DB, LOCK_STORE_USERNAME,
LOCK_STORE_PASSWORD, LOCK_STORE_KEY_PREFIX and LOCK_STORE_USE_SSL ("true"), on top of
the same keys in endpoints.yml. Rasa's own `${VAR}` expansion in endpoints.yml cannot
do this: it fails when a variable is unset.

Rasa 3.6's RedisLockStore changes a conversation's lock by reading it, changing it in
the server and writing it back (issue a ticket, finish serving, drop expired tickets).
Two Rasa servers doing that at once overwrite each other: two messages get the same
ticket and are handled at the same time, or a ticket is lost and the next message
waits for it until it expires (60 s). `EnvLockStore` does each of those changes under
a short Redis mutex per conversation (SET NX with expiry, redis-py's `Lock`), so they
happen one after the other on every server.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any, Callable, ContextManager, Dict, Mapping, Optional, Text

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

ENV_PREFIX = "LOCK_STORE_"
MUTEX_SUFFIX = ":mutex"  # the Redis key of a conversation's mutex: the lock's key + this
MUTEX_EXPIRY_S = 5.0  # a mutex a crashed server held is free again after this (a change takes ms)
MUTEX_WAIT_S = 10.0  # waiting longer than this for the mutex raises redis.exceptions.LockError
MUTEX_POLL_S = 0.002  # how often a waiting server tries again
SETTINGS: Dict[Text, Callable[[str], Any]] = {"url": str, "port": int, "db": int, "username": str, "password": str, "key_prefix": str,
            "use_ssl": lambda value: value.lower() == "true"}


def redis_settings(config: Optional[EndpointConfig], env: Mapping[Text, Text] = os.environ) -> Dict[Text, Any]:
    """The RedisLockStore keyword arguments of `config` and LOCK_STORE_* in `env`; {} without a Redis host.

    Args:
        config: the lock_store section of endpoints.yml (its `url` is the Redis host), or None.
        env: the environment to read (default: os.environ); empty variables count as unset.

    Returns:
        e.g. {"host": "127.0.0.1", "port": 6301, "db": 1, "password": "..."}; {} when neither names a host.

    Raises:
        ValueError: LOCK_STORE_PORT or LOCK_STORE_DB is not a number.
    """
    settings: Dict[Text, Any] = {"url": config.url, **config.kwargs} if config else {}
    settings.pop("type", None)
    for key, convert in SETTINGS.items():
        if env.get(ENV_PREFIX + key.upper()):
            settings[key] = convert(env[ENV_PREFIX + key.upper()])
    host = settings.pop("url", None)
    return {"host": host, **settings} if host else {}


class EnvLockStore(LockStore):
    """Rasa's RedisLockStore when a Redis host is configured, else its InMemoryLockStore;
    with Redis, each change of a lock is atomic over all servers (see the module docstring).

    Args:
        endpoint_config: the lock_store section of endpoints.yml (Rasa passes it).

    Raises:
        ConnectionException: (from Rasa) Redis does not answer at start-up.
        ValueError: a LOCK_STORE_* number is not a number.
    """

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None) -> None:
        settings = redis_settings(endpoint_config)
        self.store: LockStore = RedisLockStore(**settings) if settings else InMemoryLockStore()
        if settings:
            self.store.red.ping()  # fail at start-up, not at the first message

    def _mutex(self, conversation_id: Text) -> ContextManager[Any]:
        """Holds the conversation's Redis mutex while in use (nothing for the in-memory store,
        whose changes run without a pause on one event loop)."""
        if not isinstance(self.store, RedisLockStore):
            return contextlib.nullcontext()
        return self.store.red.lock(self.store.key_prefix + conversation_id + MUTEX_SUFFIX, timeout=MUTEX_EXPIRY_S,
                                   sleep=MUTEX_POLL_S, blocking_timeout=MUTEX_WAIT_S)

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Rasa's `issue_ticket` (the next ticket number for the conversation) under the mutex.

        Raises:
            rasa.core.lock_store.LockError: Redis failed while the ticket was issued.
            redis.exceptions.LockError: the mutex was not free within MUTEX_WAIT_S.
        """
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: Text) -> None:
        """Rasa's `update_lock` (drops expired tickets) under the mutex."""
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Rasa's `cleanup` (removes the served ticket, deletes the lock if no one waits) under the mutex."""
        with self._mutex(conversation_id):
            super().cleanup(conversation_id, ticket_number)

    def get_lock(self, conversation_id: Text) -> Optional[TicketLock]:
        """The conversation's lock from the chosen store, or None."""
        return self.store.get_lock(conversation_id)

    def delete_lock(self, conversation_id: Text) -> None:
        """Deletes the conversation's lock in the chosen store."""
        self.store.delete_lock(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        """Saves `lock` in the chosen store."""
        self.store.save_lock(lock)
