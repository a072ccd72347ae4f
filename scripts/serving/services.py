"""Starting and stopping the assistant's services: action server, Rasa server, chat page.

Used by `make run` / `make shell` (through scripts.serving.serve) and by the tests, so both
start the services the same way. The Rasa server and the action server listen on 127.0.0.1
unless RASA_HOST / ACTION_SERVER_HOST say otherwise (e.g. 0.0.0.0 in a container), and share
the secrets ACTION_SERVER_TOKEN and SOCKET_SESSION_KEY, generated for this run if unset
(docs/security.md says what to set in production).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional

from scripts.paths import RASA, ROOT

LOCALHOST = "127.0.0.1"
RASA_HOST_ENV = "RASA_HOST"
ACTION_HOST_ENV = "ACTION_SERVER_HOST"  # read by actions.server too
# Secrets both servers must agree on (actions.server, channels.sessions).
SHARED_SECRETS = ("ACTION_SERVER_TOKEN", "SOCKET_SESSION_KEY")
# TensorFlow's thread pools, which Rasa sizes from these variables (default: one thread per core
# in each). One each: the models are small, and a Rasa server shares the cores with the action
# server and other Rasa servers (docs/benchmarks.md, round 4). Set in the environment to override.
TF_THREADS = {"TF_INTRA_OP_PARALLELISM_THREADS": "1", "TF_INTER_OP_PARALLELISM_THREADS": "1"}


def shared_secrets() -> Dict[str, str]:
    """SHARED_SECRETS from the environment, each generated (and put in os.environ, so every
    service started from this process gets the same) where it is unset."""
    for name in SHARED_SECRETS:
        if not os.environ.get(name):
            os.environ[name] = secrets.token_urlsafe(32)
    return {name: os.environ[name] for name in SHARED_SECRETS}


class Service:
    """A server process started in its own process group, stopped with it.

    Args:
        name: shown in messages, e.g. "action server".
        command: the argv list to start.
        health_url: a URL that answers 200 once the server is ready, or tcp://host:port for a
            server that is ready when it accepts connections (PostgreSQL, Redis).
        log_path: where stdout and stderr go (None: inherit the terminal).
        env: environment variables to set for the process, on top of this one's.
    """

    def __init__(
        self,
        name: str,
        command: List[str],
        health_url: str,
        log_path: Optional[Path] = None,
        env: Optional[Dict[str, str]] = None,
    ) -> None:
        self.name = name
        self.command = command
        self.health_url = health_url
        self.log_path = log_path
        self.env = env or {}
        self.process: Optional[subprocess.Popen] = None

    def start(self, timeout_s: float = 180.0) -> "Service":
        """Starts the process and waits until `health_url` answers.

        Raises:
            RuntimeError: something already answers at `health_url`, the process exited,
                or it was not ready within `timeout_s` seconds.
        """
        return self.launch().wait_ready(timeout_s)

    def launch(self) -> "Service":
        """Starts the process without waiting for it (see `wait_ready`), to start several at once.

        Raises:
            RuntimeError: something already answers at `health_url`.
        """
        if is_up(self.health_url):
            raise RuntimeError(f"{self.health_url} already answers: is the {self.name} running elsewhere? Stop it first")
        with open(self.log_path, "ab") if self.log_path else contextlib.nullcontext() as log:
            self.process = subprocess.Popen(  # the child keeps its own copy of the log file
                self.command,
                cwd=ROOT,
                env={**os.environ, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT if log else None,
                start_new_session=True,
            )
        return self

    def wait_ready(self, timeout_s: float = 180.0) -> "Service":
        """Waits until the launched process answers at `health_url`; stops it if it does not in `timeout_s` s.

        Raises:
            RuntimeError: the process exited, or it was not ready within `timeout_s` seconds.
        """
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.is_ready():
                return self
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"{self.name} was not ready after {timeout_s:.0f} s; see {self.log_path or 'above'}")

    @property
    def pid(self) -> int:
        """The started process's id, which is also its process group's id.

        Raises:
            RuntimeError: the service was not started.
        """
        if self.process is None:
            raise RuntimeError(f"the {self.name} was not started")
        return self.process.pid

    def wait(self) -> int:
        """Waits until the started process ends; returns its exit code (RuntimeError if not started)."""
        if self.process is None:
            raise RuntimeError(f"the {self.name} was not started")
        return self.process.wait()

    def is_ready(self) -> bool:
        """True once the launched process answers at `health_url`.

        Raises:
            RuntimeError: the process exited.
        """
        if self.process is None:
            raise RuntimeError(f"the {self.name} was not started")
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.name} exited with code {self.process.returncode}; see {self.log_path or 'above'}")
        return is_up(self.health_url)

    def terminate(self) -> None:
        """Sends SIGTERM to the process group without waiting (`stop` waits), to stop several at once."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)

    def stop(self) -> None:
        """Stops the process group: SIGTERM, then SIGKILL after 10 s."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass

    def __enter__(self) -> "Service":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def free_port() -> int:
    """A TCP port on localhost that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def is_up(url: str) -> bool:
    """True if a GET of `url` answers 200 within 2 s; for tcp://host:port, if that port accepts a connection."""
    parts = urllib.parse.urlsplit(url)
    try:
        if parts.scheme == "tcp":
            with socket.create_connection((parts.hostname, parts.port or 0), timeout=2):
                return True
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def action_server(port: int = 5055, log_path: Optional[Path] = None) -> Service:
    """The action server (actions.server: rasa_sdk with a token check) on ACTION_SERVER_HOST:`port`."""
    host = os.environ.get(ACTION_HOST_ENV) or LOCALHOST
    return Service(
        "action server",
        [sys.executable, "-m", "actions.server", "--host", host, "--port", str(port)],
        f"http://127.0.0.1:{port}/health",
        log_path,
        shared_secrets(),
    )


def rasa_server(
    model: Path,
    port: int = 5005,
    endpoints: str = "endpoints.yml",
    log_path: Optional[Path] = None,
    env: Optional[Dict[str, str]] = None,
) -> Service:
    """The Rasa server with `model` and the channels of credentials.yml on `port`.

    It listens on RASA_HOST (default 127.0.0.1) with TF_THREADS where the environment does not
    set them. `env` adds environment variables, e.g. WEBCHAT_ORIGINS for the socketio channel.
    """
    host = os.environ.get(RASA_HOST_ENV) or LOCALHOST
    return Service(
        "Rasa server",
        RASA + ["run", "--model", str(model), "--interface", host, "--port", str(port),
                "--endpoints", endpoints, "--credentials", "credentials.yml"],
        f"http://127.0.0.1:{port}/",
        log_path,
        {**{name: value for name, value in TF_THREADS.items() if not os.environ.get(name)},
         **shared_secrets(), **(env or {})},
    )


def web_page(port: int, socket_url: str, log_path: Optional[Path] = None) -> Service:
    """The chat page (scripts.serving.webpage) on `port`, its widget talking to Rasa at `socket_url`."""
    return Service(
        "chat page",
        [sys.executable, "-m", "scripts.serving.webpage", "--port", str(port), "--socket-url", socket_url],
        f"http://localhost:{port}/config.json",
        log_path,
    )
