"""Shared fixtures: the trained model, and the services running on test ports."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Callable, Dict, List

import pytest

from channels.origins import ORIGINS_ENV, page_origins
from scripts.paths import ROOT
from scripts.learning.registry import ensure_model
from scripts.serving.services import action_server, free_port, rasa_server

OUTPUT = ROOT / "test-output"


RASA_PORT = free_port()
ACTION_PORT = free_port()
PAGE_PORT = free_port()


@pytest.fixture(scope="session")
def page_port() -> int:
    """The port for the chat page of the browser test: the test Rasa server's socket.io accepts it."""
    return PAGE_PORT


@pytest.fixture(scope="session")
def model() -> Path:
    """The model matching the current data and config (trained if none does)."""
    return ensure_model()


@pytest.fixture(scope="session")
def test_endpoints(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """endpoints.yml with the action server on the test port (with the shared token) and an
    in-memory tracker store."""
    path = tmp_path_factory.mktemp("endpoints") / "endpoints.yml"
    path.write_text(
        f'action_endpoint:\n  url: "http://localhost:{ACTION_PORT}/webhook"\n  token: ${{ACTION_SERVER_TOKEN}}\n'
    )
    return path


@pytest.fixture(scope="session")
def actions_service():
    """The action server on ACTION_PORT for the whole session."""
    OUTPUT.mkdir(exist_ok=True)
    with action_server(port=ACTION_PORT, log_path=OUTPUT / "action-server.log") as service:
        yield service


@pytest.fixture(scope="session")
def rasa_url(model: Path, test_endpoints: Path, actions_service) -> str:
    """Base URL of a Rasa server on RASA_PORT serving `model`, with the action server up."""
    OUTPUT.mkdir(exist_ok=True)
    env = {ORIGINS_ENV: page_origins(PAGE_PORT)}
    log_path = OUTPUT / "rasa-server.log"
    with rasa_server(model, port=RASA_PORT, endpoints=str(test_endpoints), log_path=log_path, env=env):
        yield f"http://localhost:{RASA_PORT}"


def post(url: str, body: bytes, timeout_s: float = 60) -> urllib.request.addinfourl:
    """POSTs `body` as JSON; returns the response, also for 4xx/5xx (as HTTPError)."""
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        return urllib.request.urlopen(request, timeout=timeout_s)
    except urllib.error.HTTPError as error:
        return error


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


def texts(messages: List[Dict]) -> str:
    """All bot texts of a reply joined by newlines."""
    return "\n".join(m.get("text", "") for m in messages)
