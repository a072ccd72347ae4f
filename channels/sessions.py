"""Conversation ids for the socket.io channel that a client cannot guess or take over.

The server issues each new chat a session token, "<32 hex>.<16 hex tag>", a random
id signed with a secret key (HMAC-SHA256). The widget keeps the token in the
browser and sends it again on reconnect; only tokens this server issued are
accepted. The conversation id under which the tracker store keeps the chat is
derived from the token with the same key, "web-<32 hex>", so a conversation id seen in
a log, an export or the tracker store cannot be used to join that conversation.

The key comes from SOCKET_SESSION_KEY (any long random string; set it in production,
so conversations survive a restart). Unset, a random key is made at start-up.
No import of Rasa here, so the launcher and tests can use it cheaply.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
from typing import Mapping, Optional

logger = logging.getLogger(__name__)

KEY_ENV = "SOCKET_SESSION_KEY"
CONVERSATION_PREFIX = "web-"  # conversation ids of the widget; other channels may not use them
_TOKEN = re.compile(r"([0-9a-f]{32})\.([0-9a-f]{16})")


class SessionTokens:
    """Issues and checks session tokens, and maps them to conversation ids.

    Args:
        key: the secret key, bytes; see `from_environment`.
    """

    def __init__(self, key: bytes) -> None:
        self._key = key

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> "SessionTokens":
        """Tokens keyed by SOCKET_SESSION_KEY, or by a random key (with a warning) if it is unset."""
        key = environ.get(KEY_ENV, "")
        if not key:
            logger.warning("%s is not set: chats in the widget start afresh when the server restarts.", KEY_ENV)
            return cls(secrets.token_bytes(32))
        return cls(key.encode("utf-8"))

    def _mac(self, purpose: str, value: str, hex_chars: int) -> str:
        return hmac.new(self._key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()[:hex_chars]

    def issue(self) -> str:
        """A new session token, "<32 hex>.<16 hex>"."""
        random_id = secrets.token_hex(16)
        return f"{random_id}.{self._mac('token', random_id, 16)}"

    def conversation(self, token: object) -> Optional[str]:
        """The conversation id "web-<32 hex>" of `token`, or None if this server did not issue it."""
        match = _TOKEN.fullmatch(token) if isinstance(token, str) else None
        if match is None or not hmac.compare_digest(match.group(2), self._mac("token", match.group(1), 16)):
            return None
        return CONVERSATION_PREFIX + self._mac("conversation", match.group(0), 32)
