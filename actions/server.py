"""The action server: rasa_sdk's, on 127.0.0.1 by default, refusing calls without the shared token.

    python -m actions.server [--host 127.0.0.1] [--port 5055]

The Rasa server sends the token of endpoints.yml (`token: ${ACTION_SERVER_TOKEN}`)
as the query parameter `token` with every call. This wrapper of rasa_sdk's app
answers /webhook and /actions with a 401 unless that token equals the environment
variable ACTION_SERVER_TOKEN; /health stays open for health checks. ACTION_SERVER_HOST
(or --host) sets the interface, e.g. 0.0.0.0 in a container behind a private network.
scripts.serving.services starts it with a generated token when none is set.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
import sys
from typing import Optional

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

TOKEN_ENV = "ACTION_SERVER_TOKEN"
HOST_ENV = "ACTION_SERVER_HOST"
DEFAULT_HOST = "127.0.0.1"
OPEN_PATHS = ("/health",)


def authorised(request: Request, token: str) -> bool:
    """True if `request` carries `token` as its `token` query parameter (compared in constant time)."""
    sent = request.args.get("token") or ""
    return hmac.compare_digest(sent.encode(), token.encode())


def secured_app(token: str, package: str = "actions") -> Sanic:
    """rasa_sdk's action server app for `package`, without CORS, refusing calls without `token`.

    Raises:
        ValueError: `token` is empty.
    """
    if not token:
        raise ValueError(f"the action server needs a token: set {TOKEN_ENV}")
    app = create_app(package, cors_origins=[])

    @app.middleware("request")
    async def check_token(request: Request) -> Optional[HTTPResponse]:
        if request.path in OPEN_PATHS or authorised(request, token):
            return None
        logger.warning("Refused a call to %s from %s without the right token.", request.path, request.ip)
        return response.json({"error": "unauthorised"}, status=401)

    return app


def main() -> None:
    """Command line: serves the actions until interrupted; exits with a message if no token is set."""
    parser = argparse.ArgumentParser(description="The assistant's action server (rasa_sdk) with token check.")
    parser.add_argument("--host", default=os.environ.get(HOST_ENV, DEFAULT_HOST))
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args()
    utils.configure_colored_logging("INFO")
    try:
        app = secured_app(os.environ.get(TOKEN_ENV, ""))
    except ValueError as error:
        sys.exit(f"action server: {error}")
    logger.info("Action server on http://%s:%s (token required).", args.host, args.port)
    app.run(args.host, args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
