"""Starting and stopping the assistant's services: action server and Rasa server.

Used by `make run` / `make shell` (through scripts.serve) and by the tests, so both
start the services the same way.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import List, Optional

ROOT = Path(__file__).resolve().parent.parent
RASA = [sys.executable, "-m", "rasa"]


class Service:
    """A server process started in its own process group, stopped with it.

    Args:
        name: shown in messages, e.g. "action server".
        command: the argv list to start.
        health_url: a URL that answers 200 once the server is ready.
        log_path: where stdout and stderr go (None: inherit the terminal).
    """

    def __init__(self, name: str, command: List[str], health_url: str, log_path: Optional[Path] = None) -> None:
        self.name = name
        self.command = command
        self.health_url = health_url
        self.log_path = log_path
        self.process: Optional[subprocess.Popen] = None

    def start(self, timeout_s: float = 180.0) -> "Service":
        """Starts the process and waits until `health_url` answers.

        Raises:
            RuntimeError: the process exited, or was not ready within `timeout_s` seconds.
        """
        log = open(self.log_path, "ab") if self.log_path else None
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT if log else None, start_new_session=True
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with code {self.process.returncode}; see {self.log_path or 'above'}")
            if is_up(self.health_url):
                return self
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"{self.name} was not ready after {timeout_s:.0f} s; see {self.log_path or 'above'}")

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
    """True if a GET of `url` answers 200 within 2 s."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def action_server(port: int = 5055, log_path: Optional[Path] = None) -> Service:
    """The rasa_sdk action server serving the `actions` package on `port`."""
    return Service(
        "action server",
        RASA + ["run", "actions", "--actions", "actions", "--port", str(port)],
        f"http://localhost:{port}/health",
        log_path,
    )


def rasa_server(
    model: Path,
    port: int = 5005,
    endpoints: str = "endpoints.yml",
    log_path: Optional[Path] = None,
) -> Service:
    """The Rasa server with `model` and the channels of credentials.yml on `port`."""
    return Service(
        "Rasa server",
        RASA + ["run", "--model", str(model), "--port", str(port), "--endpoints", endpoints,
                "--credentials", "credentials.yml"],
        f"http://localhost:{port}/",
        log_path,
    )
