"""`make run` and `make shell`: train if needed, start the services, talk.

    python -m scripts.serve run     action server + Rasa server (REST and socket.io on :5005)
                                    + the chat page on :8000 (--port, --page-port to change)
    python -m scripts.serve shell   action server + `rasa shell` for advisers

Ctrl-C stops everything that was started. Logs of background services go to logs/.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from channels.origins import DEFAULT_PAGE_PORT, ORIGINS_ENV, page_origins
from scripts.models import ROOT, ensure_model
from scripts.services import RASA, action_server, rasa_server, web_page
from scripts.webpage import check_bundle

LOGS = ROOT / "logs"

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
    model = ensure_model()
    origins = os.environ.get(ORIGINS_ENV) or page_origins(page_port)
    with action_server(log_path=LOGS / "action-server.log"):
        with rasa_server(model, port=port, log_path=LOGS / "rasa-server.log", env={ORIGINS_ENV: origins}) as server:
            with web_page(page_port, socket_url=f"http://localhost:{port}", log_path=LOGS / "web-page.log"):
                print(HOW_TO_TALK.format(port=port, page_port=page_port, origins=origins, origins_env=ORIGINS_ENV),
                      flush=True)
                server.process.wait()


def shell() -> None:
    """Runs `rasa shell` on the model with the action server in the background."""
    model = ensure_model()
    with action_server(log_path=LOGS / "action-server.log"):
        subprocess.run(RASA + ["shell", "--model", str(model), "--endpoints", "endpoints.yml"], cwd=ROOT)


def main() -> None:
    parser = argparse.ArgumentParser(description="Start the assistant.")
    parser.add_argument("mode", choices=["run", "shell"])
    parser.add_argument("--port", type=int, default=5005)
    parser.add_argument("--page-port", type=int, default=DEFAULT_PAGE_PORT, help="port of the chat page (run)")
    args = parser.parse_args()
    LOGS.mkdir(exist_ok=True)
    try:
        run(args.port, args.page_port) if args.mode == "run" else shell()
    except KeyboardInterrupt:
        print("\nStopped.")
    except (RuntimeError, subprocess.CalledProcessError) as error:
        sys.exit(f"serve: {error}")


if __name__ == "__main__":
    main()
