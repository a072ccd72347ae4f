"""`make run` and `make shell`: train if needed, start the services, talk.

    python -m scripts.serving.serve run     action server + Rasa server (REST and socket.io on :5005)
                                    + the chat page on :8000 (--port, --page-port to change)
    python -m scripts.serving.serve shell   the same servers, with Rasa's shell client for advisers

Ctrl-C stops everything that was started. Logs of background services go to logs/.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import uuid

from channels.origins import DEFAULT_PAGE_PORT, ORIGINS_ENV, page_origins
from scripts.learning.registry import train_and_promote_if_needed
from scripts.paths import LOGS
from scripts.serving.services import action_server, is_up, rasa_server, web_page
from scripts.serving.webpage import check_bundle

HOW_TO_TALK = """
The assistant is running.
  Chat page:  http://localhost:{page_port}   <- open this in your browser
              (socket.io on :{port} accepts pages from {origins}; set {origins_env} to change)
  REST:       curl -s localhost:{port}/webhooks/rest/webhook -H 'Content-Type: application/json' \\
                -d '{{"sender": "mig", "message": "Hvornår blev Vækstcentret oprettet?"}}'
  Shell:      make shell   (in another terminal)
Logs: logs/. Stop with Ctrl-C.
"""


def run(port: int, page_port: int) -> None:
    """Serves the model on `port` and the chat page on `page_port` until interrupted.

    Raises:
        RuntimeError: the widget is not installed, or a service did not start.
    """
    check_bundle()
    model = train_and_promote_if_needed()
    origins = os.environ.get(ORIGINS_ENV) or page_origins(page_port)
    with action_server(log_path=LOGS / "action-server.log"):
        with rasa_server(model, port=port, log_path=LOGS / "rasa-server.log", env={ORIGINS_ENV: origins}) as server:
            with web_page(page_port, socket_url=f"http://localhost:{port}", log_path=LOGS / "web-page.log"):
                print(HOW_TO_TALK.format(port=port, page_port=page_port, origins=origins, origins_env=ORIGINS_ENV),
                      flush=True)
                server.wait()


def shell(port: int) -> None:
    """Rasa's shell client, talking to the assistant's server with its own channels.

    `rasa shell` would start the server with Rasa's plain command-line channel; this
    runs the same client against the server `make run` starts (or is running already),
    so advisers get what users get (e.g. the handoff when an action fails), and the
    logs go to logs/.
    """
    from rasa.core.channels.console import record_messages

    def talk() -> None:
        print("Skriv en besked og tryk Enter. /stop afslutter.", flush=True)
        asyncio.run(record_messages(uuid.uuid4().hex, server_url=f"http://localhost:{port}"))

    if is_up(f"http://localhost:{port}/"):  # `make run` is already serving
        return talk()
    model = train_and_promote_if_needed()
    with action_server(log_path=LOGS / "action-server.log"):
        with rasa_server(model, port=port, log_path=LOGS / "rasa-server.log"):
            talk()


def main() -> None:
    parser = argparse.ArgumentParser(description="Start the assistant.")
    parser.add_argument("mode", choices=["run", "shell"])
    parser.add_argument("--port", type=int, default=5005)
    parser.add_argument("--page-port", type=int, default=DEFAULT_PAGE_PORT, help="port of the chat page (run)")
    args = parser.parse_args()
    LOGS.mkdir(exist_ok=True)
    for stop_signal in (signal.SIGTERM, signal.SIGHUP):  # stop the services on these too
        signal.signal(stop_signal, lambda *_: sys.exit(0))
    try:
        run(args.port, args.page_port) if args.mode == "run" else shell(args.port)
    except KeyboardInterrupt:
        print("\nStopped.")
    except (RuntimeError, subprocess.CalledProcessError) as error:
        sys.exit(f"serve: {error}")


if __name__ == "__main__":
    main()
