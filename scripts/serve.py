"""`make run` and `make shell`: train if needed, start the services, talk.

    python -m scripts.serve run     action server + Rasa server (REST on :5005)
    python -m scripts.serve shell   the same, with Rasa's shell client for advisers

Ctrl-C stops everything that was started. Logs of background services go to logs/.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import subprocess
import sys
import uuid

from scripts.models import ROOT, model_to_serve
from scripts.services import action_server, is_up, rasa_server

LOGS = ROOT / "logs"

HOW_TO_TALK = """
The assistant is running.
  REST:   curl -s localhost:{port}/webhooks/rest/webhook -H 'Content-Type: application/json' \\
            -d '{{"sender": "mig", "message": "Hvornår blev Vækstcentret oprettet?"}}'
  Shell:  make shell   (in another terminal)
Logs: logs/. Stop with Ctrl-C.
"""


def run(port: int) -> None:
    """Serves the model on `port` until interrupted."""
    model = model_to_serve()
    with action_server(log_path=LOGS / "action-server.log"):
        with rasa_server(model, port=port, log_path=LOGS / "rasa-server.log") as server:
            print(HOW_TO_TALK.format(port=port), flush=True)
            server.process.wait()


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
    model = model_to_serve()
    with action_server(log_path=LOGS / "action-server.log"):
        with rasa_server(model, port=port, log_path=LOGS / "rasa-server.log"):
            talk()


def main() -> None:
    parser = argparse.ArgumentParser(description="Start the assistant.")
    parser.add_argument("mode", choices=["run", "shell"])
    parser.add_argument("--port", type=int, default=5005)
    args = parser.parse_args()
    LOGS.mkdir(exist_ok=True)
    for stop_signal in (signal.SIGTERM, signal.SIGHUP):  # stop the services on these too
        signal.signal(stop_signal, lambda *_: sys.exit(0))
    try:
        run(args.port) if args.mode == "run" else shell(args.port)
    except KeyboardInterrupt:
        print("\nStopped.")
    except (RuntimeError, subprocess.CalledProcessError) as error:
        sys.exit(f"serve: {error}")


if __name__ == "__main__":
    main()
