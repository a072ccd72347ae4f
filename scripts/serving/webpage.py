"""The chat page: serves web/ and the rasa-webchat bundle, and tells the page where Rasa is.

    python -m scripts.serving.webpage [--port 8000] [--socket-url http://localhost:5005]

    GET /                        web/index.html (any file under web/; no directory listings)
    GET /vendor/rasa-webchat.js  the widget's UMD bundle, node_modules/rasa-webchat/lib/index.js
    GET /config.json             {"socketUrl": "http://localhost:5005", "socketPath": "/socket.io/"}

Nothing else of the project is reachable. Every response carries a Content-Security-Policy
that lets the page load code only from this server and connect only to the socket URL.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from typing import BinaryIO, Dict, List, Optional, Union
from urllib.parse import urlsplit

import yaml

from channels.origins import DEFAULT_PAGE_PORT, normalise_origin
from scripts.paths import CREDENTIALS, ROOT

WEB = ROOT / "web"
BUNDLE = ROOT / "node_modules" / "rasa-webchat" / "lib" / "index.js"
BUNDLE_URL = "/vendor/rasa-webchat.js"
CONFIG_URL = "/config.json"
SOCKET_CHANNEL = "channels.socketio.SocketIOInput"


def check_bundle() -> None:
    """Raises RuntimeError with what to do if the widget bundle is not installed."""
    if not BUNDLE.is_file():
        raise RuntimeError(
            f"the chat widget is not installed ({BUNDLE.relative_to(ROOT)} is missing). "
            "Install Node.js with npm (Debian: apt-get install npm) and run `make setup`."
        )


def socket_path(credentials: Path = CREDENTIALS) -> str:
    """The socket.io path of the socketio channel in `credentials`, e.g. "/socket.io/"."""
    channels = yaml.safe_load(credentials.read_text(encoding="utf-8"))
    return (channels.get(SOCKET_CHANNEL) or {}).get("socketio_path", "/socket.io")


def security_headers(socket_url: str) -> Dict[str, str]:
    """Response headers that keep the page to itself and the Rasa server at `socket_url`.

    The widget injects its styles inline and draws icons from data: URLs; its CSS also
    imports a Google font, which the policy blocks, so no request leaves this machine.
    """
    parts = urlsplit(socket_url)
    websocket = parts._replace(scheme="wss" if parts.scheme == "https" else "ws")
    policy = (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; "
        f"connect-src 'self' {parts.scheme}://{parts.netloc} {websocket.scheme}://{websocket.netloc}; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }


class PageHandler(SimpleHTTPRequestHandler):
    """Serves web/, the widget bundle and the page's config; see the module docstring."""

    def __init__(self, *args, config: bytes, headers: Dict[str, str], **kwargs) -> None:
        self.config = config
        self.extra_headers = headers
        super().__init__(*args, directory=str(WEB), **kwargs)

    def send_head(self) -> Optional[BinaryIO]:
        """Sends the headers of a GET or HEAD; returns the body to copy, or None after an error."""
        path = urlsplit(self.path).path
        if path == CONFIG_URL:
            return self._send_bytes(self.config, "application/json")
        if path == BUNDLE_URL:
            return self._send_bytes(BUNDLE.read_bytes(), "text/javascript; charset=utf-8")
        return super().send_head()

    def _send_bytes(self, body: bytes, content_type: str) -> BytesIO:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return BytesIO(body)

    def list_directory(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """No listings of web/'s folders: a 404."""
        self.send_error(HTTPStatus.NOT_FOUND)

    def end_headers(self) -> None:
        for name, value in self.extra_headers.items():
            self.send_header(name, value)
        super().end_headers()


def make_server(port: int, socket_url: str, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """An HTTP server for the page on `host`:`port` whose widget talks to `socket_url`.

    Raises:
        RuntimeError: the widget bundle is not installed (see check_bundle), or
            `socket_url` is not http(s)://host[:port].
        OSError: the port is taken.
    """
    check_bundle()
    if normalise_origin(socket_url) is None:
        raise RuntimeError(f"the socket URL must be like http://localhost:5005, not '{socket_url}'")
    config = json.dumps({"socketUrl": socket_url, "socketPath": socket_path()}).encode()
    handler = partial(PageHandler, config=config, headers=security_headers(socket_url))
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def main(argv: Optional[List[str]] = None) -> None:
    """Command line: serves the page until interrupted; exits with a message on bad arguments."""
    parser = argparse.ArgumentParser(description="Serve the chat page (web/) with the rasa-webchat widget.")
    parser.add_argument("--port", type=int, default=DEFAULT_PAGE_PORT)
    parser.add_argument("--socket-url", default="http://localhost:5005", help="where the page finds Rasa's socket.io")
    args = parser.parse_args(argv)
    try:
        server = make_server(args.port, args.socket_url)
    except (RuntimeError, OSError) as error:
        sys.exit(f"webpage: {error}")
    print(f"Serving the chat page on http://localhost:{args.port}, talking to {args.socket_url}", flush=True)
    with server:
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()


if __name__ == "__main__":
    main()
