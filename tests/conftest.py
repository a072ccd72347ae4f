"""Shared fixtures (the trained model, the services on test ports) and the fast lane.

A test needs a trained model if it uses the fixture `model`, directly or through
another fixture (`rasa_url`, `say`, ...). Such tests get the marker `model`
automatically; `make test-unit` runs the others (`pytest -m "not model"`, seconds).
A test that needs a model some other way says so with `@pytest.mark.model`.
Helpers the tests share are in tests/helpers.py.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Callable, Dict, Iterator, List

import pytest

from channels.origins import ORIGINS_ENV, page_origins
from scripts.learning.registry import find_or_train_candidate
from scripts.serving.services import Service, action_server, free_port, rasa_server
from tests.helpers import OUTPUT, post

RASA_LOG = OUTPUT / "rasa-server.log"
START_TIMEOUT_S = 600  # a 2-core machine shared with other work took over 3 minutes



RASA_PORT = free_port()
ACTION_PORT = free_port()
PAGE_PORT = free_port()


def pytest_collection_modifyitems(items: List[pytest.Item]) -> None:
    """Marks every test that uses the `model` fixture (also through other fixtures) with `model`."""
    for item in items:
        if "model" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.model)


@pytest.fixture(scope="session")
def page_port() -> int:
    """The port for the chat page of the browser test: the test Rasa server's socket.io accepts it."""
    return PAGE_PORT


@pytest.fixture(scope="session")
def model() -> Path:
    """The model matching the current data and config (trained if none does, ~4 min)."""
    return find_or_train_candidate()


@pytest.fixture(scope="session")
def tracker_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SQLite file of the test Rasa server's tracker store (empty at the start of the session)."""
    return tmp_path_factory.mktemp("tracker") / "tracker.db"


@pytest.fixture(scope="session")
def test_endpoints(tmp_path_factory: pytest.TempPathFactory, tracker_db: Path) -> Path:
    """endpoints.yml with the action server on the test port (with the shared token) and Rasa's
    SQL tracker store on `tracker_db`, so tests can read what is stored."""
    path = tmp_path_factory.mktemp("endpoints") / "endpoints.yml"
    path.write_text(
        f'action_endpoint:\n  url: "http://localhost:{ACTION_PORT}/webhook"\n  token: ${{ACTION_SERVER_TOKEN}}\n'
        f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {tracker_db}\n"
    )
    return path


@pytest.fixture(scope="session")
def actions_service() -> Iterator[Service]:
    """The action server on ACTION_PORT for the whole session."""
    OUTPUT.mkdir(exist_ok=True)
    with action_server(port=ACTION_PORT, log_path=OUTPUT / "action-server.log") as service:
        yield service


@pytest.fixture(scope="session")
def rasa_service(model: Path, test_endpoints: Path, actions_service: Service) -> Iterator[Service]:
    """A Rasa server on RASA_PORT serving `model`, with the action server up; its log is RASA_LOG."""
    OUTPUT.mkdir(exist_ok=True)
    env = {ORIGINS_ENV: page_origins(PAGE_PORT)}
    service = rasa_server(model, port=RASA_PORT, endpoints=str(test_endpoints), log_path=RASA_LOG, env=env)
    service.start(timeout_s=START_TIMEOUT_S)
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture(scope="session")
def rasa_url(rasa_service: Service) -> str:
    """Base URL of the test Rasa server (see `rasa_service`)."""
    return f"http://localhost:{RASA_PORT}"


@pytest.fixture
def say(rasa_url: str) -> Callable[[str], List[Dict]]:
    """Sends a message in one fresh conversation per test through the REST channel.

    Returns a function: text -> list of bot messages ({"recipient_id", "text", ...}).
    """
    sender = f"test-{uuid.uuid4().hex[:8]}"

    def send(text: str) -> List[Dict]:
        body = json.dumps({"sender": sender, "message": text}).encode()
        with post(f"{rasa_url}/webhooks/rest/webhook", body) as response:
            assert response.status == 200, response.read()
            return json.loads(response.read())

    return send
