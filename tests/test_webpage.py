"""The chat page's server (scripts.serving.webpage) and who may open Rasa's socket.io channel."""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request
from typing import Dict, Iterator, Optional, Tuple

import pytest

from channels.origins import ORIGINS_ENV, allowed_origins
from scripts.serving.webpage import make_server

SOCKET_URL = "http://localhost:5999"
LOCAL_PAGE = ["http://localhost:8000", "http://127.0.0.1:8000"]


@pytest.mark.parametrize(
    "value, expected, complaints",
    [
        ("", LOCAL_PAGE, 0),
        ("https://Example.dk:443/, http://localhost:3000", ["https://example.dk", "http://localhost:3000"], 0),
        ("https://example.dk,https://example.dk, nonsense", ["https://example.dk"], 1),
        ("*", LOCAL_PAGE, 2),  # "*" is no origin, and then none is left
        ("https://example.dk/chat, ftp://example.dk, https://*.example.dk", LOCAL_PAGE, 4),
    ],
    ids=["unset", "normalised", "duplicate-and-invalid", "wildcard", "none-valid"],
)
def test_allowed_origins_come_from_the_environment(value, expected, complaints, caplog):
    with caplog.at_level(logging.ERROR, logger="channels.origins"):
        assert allowed_origins({ORIGINS_ENV: value}) == expected
    assert len(caplog.records) == complaints


def get(url: str, headers: Optional[Dict[str, str]] = None) -> Tuple[int, Dict[str, str], bytes]:
    """GET `url` with `headers`; returns (status, response headers, body), also for 4xx."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def page_server() -> Iterator[str]:
    """The page server on a free port, in this process; yields its base URL."""
    server = make_server(0, SOCKET_URL)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_page_server_serves_the_page_the_widget_and_its_config(page_server):
    status, headers, body = get(page_server + "/")
    assert status == 200 and b'<html lang="da">' in body
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and f"connect-src 'self' {SOCKET_URL} ws://localhost:5999;" in policy
    status, headers, body = get(page_server + "/vendor/rasa-webchat.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript") and b"WebChat" in body[:2000]
    status, _, body = get(page_server + "/config.json")
    assert status == 200 and json.loads(body) == {"socketUrl": SOCKET_URL, "socketPath": "/socket.io/"}


@pytest.mark.parametrize(
    "path",
    ["/../credentials.yml", "/%2e%2e/credentials.yml", "/vendor/", "/node_modules/rasa-webchat/package.json",
     "/scripts/serving/webpage.py"],
)
def test_page_server_serves_nothing_else(page_server, path):
    status, _, body = get(page_server + path)
    assert status == 404 and b"action_endpoint" not in body and b"channels" not in body


def test_socketio_accepts_only_the_allowed_page(rasa_url, page_port):
    handshake = f"{rasa_url}/socket.io/?EIO=4&transport=polling"
    page = f"http://localhost:{page_port}"
    status, headers, body = get(handshake, {"Origin": page})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == page and b'"sid"' in body
    status, headers, _ = get(handshake, {"Origin": "https://evil.example"})
    assert status == 400 and "Access-Control-Allow-Origin" not in headers
