"""Retention and erasure on both tracker stores the assistant supports: SQLite and PostgreSQL.

Each test fills a fresh database through the TRACKER_STORE_* variables, deletes the way
the server and the operator do (the retention job the tracker store starts in a server;
the command of `make forget CONVERSATION=<id>` and `make forget-old`, run in this process
to save Rasa's start-up, and once through `make` itself) and checks exactly which
conversations are left, with all their events, and what count was reported.
PostgreSQL is Debian's, started as the scale set-up starts it (scripts.serving.scale)
on a free port of 127.0.0.1, with its cluster in a temporary folder that is removed
afterwards; where it cannot be started, its tests are skipped with the reason.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Dict, Iterator, List, Mapping, Sequence, Tuple

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

import scripts.privacy.forget
from scripts.learning.review import open_tracker_store
from scripts.paths import ROOT
from scripts.serving.scale import postgresql, tracker_store_env
from scripts.serving.services import free_port
from storage.retention import DAY_S
from storage.tracker_store import ENV_PREFIX, SETTINGS

POSTGRES_START_S = 60
EVENTS_PER_TURN = 3  # action_listen, the user's message, the bot's reply

# Conversations by the age (days) of each of their turns; the last turn counts for retention.
CONVERSATIONS = {
    "old": [100, 95],  # the last message 95 days ago: deleted
    "just-old": [31],  # deleted with RETENTION_DAYS=30
    "came-back": [200, 29],  # started long ago, last message within 30 days: kept whole
    "recent": [1],
}
RETENTION_DAYS = 30
OLD = ["old", "just-old"]


@pytest.fixture(scope="module")
def postgres() -> Iterator[Dict[str, str]]:
    """A throwaway PostgreSQL: {"port", "password"}; skips where it cannot be started."""
    folder = Path(tempfile.mkdtemp(prefix="retention-postgres-", dir="/var/tmp"))
    if os.geteuid() == 0:  # PostgreSQL runs as the system user postgres (scripts.serving.scale)
        shutil.chown(folder, "postgres")
    port, password = free_port(), secrets.token_urlsafe(16)
    try:
        service = postgresql(port, password, data=folder / "data", log_path=folder / "postgresql.log")
        service.start(timeout_s=POSTGRES_START_S)
    except (RuntimeError, OSError, subprocess.CalledProcessError, LookupError) as error:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"PostgreSQL could not be started ({error}); scripts/serving/servers.sh installs it")
    try:
        yield {"port": str(port), "password": password}
    finally:
        service.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_env(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Dict[str, str]:
    """TRACKER_STORE_* set (for this process and the commands it runs) to a fresh, empty database."""
    if request.param == "sqlite":
        env = {"TRACKER_STORE_DIALECT": "sqlite", "TRACKER_STORE_DB": str(tmp_path / "tracker.db")}
    else:
        server = request.getfixturevalue("postgres")
        env = tracker_store_env(int(server["port"]), server["password"], database=f"t_{uuid.uuid4().hex[:12]}")
    for key in SETTINGS:
        monkeypatch.delenv(ENV_PREFIX + key.upper(), raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("RETENTION_DAYS", str(RETENTION_DAYS))
    return env


def fill(conversations: Mapping[str, Sequence[float]] = CONVERSATIONS) -> None:
    """Stores each conversation with one turn per age (days before now)."""
    store = open_tracker_store()  # outside a server: no retention job
    for sender, ages in conversations.items():
        events: List = []
        for age in ages:
            when = time.time() - age * DAY_S
            events += [ActionExecuted("action_listen", timestamp=when), UserUttered("hej", timestamp=when),
                       BotUttered("Hej!", timestamp=when)]
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))


def stored() -> Dict[str, int]:
    """{sender id: number of stored events} read back from the tracker store."""
    store = open_tracker_store()

    async def counts() -> Dict[str, int]:
        return {sender: len((await store.retrieve_full_tracker(sender)).events) for sender in await store.keys()}

    return asyncio.run(counts())


def forget(capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch, *arguments: str) -> Tuple[int, str]:
    """Runs the command behind `make forget` / `make forget-old` here: (exit code, what it printed)."""
    monkeypatch.setattr(sys, "argv", ["forget", *arguments])
    capsys.readouterr()
    try:
        scripts.privacy.forget.main()
        code = 0
    except SystemExit as exit_:
        code, message = (0, "") if exit_.code in (0, None) else (1, str(exit_.code))
        if message:
            print(message)
    return code, capsys.readouterr().out.strip()


def events_of(*senders: str) -> int:
    return sum(len(CONVERSATIONS[sender]) * EVENTS_PER_TURN for sender in senders)


def kept_after_retention() -> Dict[str, int]:
    return {sender: events_of(sender) for sender in CONVERSATIONS if sender not in OLD}


def test_the_servers_retention_job_deletes_conversations_older_than_retention_days(store_env, caplog):
    fill()
    caplog.set_level(logging.INFO, logger="storage.retention")

    async def start_like_the_server() -> None:
        store = open_tracker_store()  # in a running event loop, as in `rasa run`: starts the job
        assert store.retention_job is not None
        deadline = time.monotonic() + 30
        while "Retention" not in caplog.text and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        store.retention_job.cancel()

    asyncio.run(start_like_the_server())
    assert f"Retention ({RETENTION_DAYS} days): deleted 2 conversations ({events_of(*OLD)} events)." in caplog.text
    assert stored() == kept_after_retention()


def test_forget_old_deletes_the_old_conversations_and_says_how_many(store_env, capsys, monkeypatch):
    fill()
    assert forget(capsys, monkeypatch, "--old") == (
        0, f"Conversations older than {RETENTION_DAYS} days deleted: 2 (events: {events_of(*OLD)}).")
    assert stored() == kept_after_retention()
    assert forget(capsys, monkeypatch, "--old")[1].endswith("deleted: 0 (events: 0).")
    assert stored() == kept_after_retention()


def test_forget_erases_one_conversation_and_says_how_many_events(store_env, capsys, monkeypatch):
    fill()
    assert forget(capsys, monkeypatch, "came-back") == (
        0, f"Deleted the conversation 'came-back' (events: {events_of('came-back')}).")
    remaining = {sender: events_of(sender) for sender in CONVERSATIONS if sender != "came-back"}
    assert stored() == remaining
    assert forget(capsys, monkeypatch, "came-back") == (
        1, "No stored conversation with the id 'came-back': nothing deleted.")
    assert stored() == remaining


@pytest.mark.parametrize("store_env", ["postgresql"], indirect=True)
def test_make_forget_reaches_the_store_the_variables_name(store_env):
    fill()
    done = subprocess.run(["make", "--no-print-directory", "forget", "CONVERSATION=old"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert (done.returncode, done.stdout.strip()) == (0, f"Deleted the conversation 'old' (events: {events_of('old')}).")
    assert set(stored()) == set(CONVERSATIONS) - {"old"}
