"""Rasa's socket.io channel for the web chat widget, open only to allowed pages.

Rasa 3.6's SocketIOInput creates its socket.io server with CORS handling switched
off (`cors_allowed_origins=[]`), so any web page may connect, and `rasa run --cors`
only covers the HTTP routes. This subclass keeps everything else of Rasa's channel
(events, session persistence, socket path) and lets in only the page origins of
WEBCHAT_ORIGINS (see channels.origins); other pages get a 400 from socket.io. A
message the assistant leaves unanswered gets the handoff (channels.guard); a
message of several questions is answered question by question (channels.questions).
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels import socketio
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint

from channels.guard import answer_or_hand_off
from channels.questions import one_question_at_a_time
from channels.origins import ORIGINS_ENV, allowed_origins

logger = logging.getLogger(__name__)


class SocketIOInput(socketio.SocketIOInput):
    """The socketio channel with an origin check; configure as `channels.socketio.SocketIOInput:`."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's socket.io blueprint with the silence guard (channels.guard), its server
        accepting only `allowed_origins()`."""
        webhook = super().blueprint(answer_or_hand_off(one_question_at_a_time(on_new_message)))
        origins = allowed_origins()
        # python-engineio reads this on every request: origins not in the list are
        # refused, and allowed ones get the Access-Control-Allow-Origin header.
        self.sio.eio.cors_allowed_origins = origins
        logger.info("socket.io accepts web pages from %s (set %s to change).", ", ".join(origins), ORIGINS_ENV)
        return webhook
