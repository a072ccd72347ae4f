"""Which web pages may talk to the assistant through socket.io (CORS).

The allowed page origins come from the environment variable WEBCHAT_ORIGINS, a
comma-separated list such as "https://example.dk,https://www.example.dk". Unset,
only the project's own page of `make run` is allowed (http://localhost:8000 and
http://127.0.0.1:8000). This module imports nothing from Rasa, so the scripts that
start the servers can use it cheaply.
"""

from __future__ import annotations

import logging
import os
from typing import List, Mapping, Optional, Tuple
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

ORIGINS_ENV = "WEBCHAT_ORIGINS"
DEFAULT_PAGE_PORT = 8000
DEFAULT_PORTS = {"http": 80, "https": 443}


def page_origins(port: int) -> str:
    """The origins of a page served on this machine on `port`, as WEBCHAT_ORIGINS takes them.

    Example: page_origins(8000) == "http://localhost:8000,http://127.0.0.1:8000".
    """
    return f"http://localhost:{port},http://127.0.0.1:{port}"


def normalise_origin(entry: str) -> Optional[str]:
    """`entry` as a browser writes it in its Origin header, or None if it is no origin.

    "HTTPS://Example.dk:443/" becomes "https://example.dk". An origin is http(s),
    a host and an optional port; a path, query, user name or "*" make it no origin.
    """
    try:
        parts = urlsplit(entry.strip())
        port = parts.port
    except ValueError:  # e.g. a port that is not a number
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.username is not None:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment or "*" in parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if port is None or port == DEFAULT_PORTS[parts.scheme]:
        return f"{parts.scheme}://{host}"
    return f"{parts.scheme}://{host}:{port}"


def parse_origins(value: str) -> Tuple[List[str], List[str]]:
    """Splits a WEBCHAT_ORIGINS value at commas.

    Returns:
        (the valid origins, normalised and without duplicates; the entries that are no origin).
    """
    origins: List[str] = []
    rejected: List[str] = []
    for entry in filter(None, (part.strip() for part in value.split(","))):
        origin = normalise_origin(entry)
        if origin is None:
            rejected.append(entry)
        elif origin not in origins:
            origins.append(origin)
    return origins, rejected


def allowed_origins(environ: Mapping[str, str] = os.environ) -> List[str]:
    """The page origins the socket.io channel accepts, from WEBCHAT_ORIGINS in `environ`.

    Entries that are no origin are logged and skipped. If none is left, the default
    (the local page on port 8000) is used and an error is logged: an empty list would
    switch the origin check off.
    """
    default, _ = parse_origins(page_origins(DEFAULT_PAGE_PORT))
    value = environ.get(ORIGINS_ENV, "").strip()
    if not value:
        return default
    origins, rejected = parse_origins(value)
    for entry in rejected:
        logger.error("%s: '%s' is no web origin (like https://example.dk); skipped.", ORIGINS_ENV, entry)
    if not origins:
        logger.error("%s has no valid origin; only %s may open the chat.", ORIGINS_ENV, ", ".join(default))
        return default
    return origins
