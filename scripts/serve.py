"""`make run` and `make shell`: train if needed, start the services, talk.

    python -m scripts.serve run     action server + Rasa server (REST on :5005)
    python -m scripts.serve shell   action server + `rasa shell` for advisers

Ctrl-C stops everything that was started. Logs of background services go to logs/.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from scripts.models import ROOT, model_to_serve
from scripts.services import RASA, action_server, rasa_server

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


def shell() -> None:
    """Runs `rasa shell` on the model with the action server in the background."""
    model = model_to_serve()
    with action_server(log_path=LOGS / "action-server.log"):
        subprocess.run(RASA + ["shell", "--model", str(model), "--endpoints", "endpoints.yml"], cwd=ROOT)


def main() -> None:
    parser = argparse.ArgumentParser(description="Start the assistant.")
    parser.add_argument("mode", choices=["run", "shell"])
    parser.add_argument("--port", type=int, default=5005)
    args = parser.parse_args()
    LOGS.mkdir(exist_ok=True)
    try:
        run(args.port) if args.mode == "run" else shell()
    except KeyboardInterrupt:
        print("\nStopped.")
    except (RuntimeError, subprocess.CalledProcessError) as error:
        sys.exit(f"serve: {error}")


if __name__ == "__main__":
    main()
