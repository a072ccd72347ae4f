"""Rasa's REST channel, hardened against malformed requests.

Rasa 3.6's RestInput answers a missing body or a JSON list with a 500 error and
files requests without a sender under one shared conversation. This subclass keeps
its URL (/webhooks/rest/webhook) and replies, and checks each POST first: a bad
request gets a 400 with a Danish message and a log line, never a server error. A
message the assistant leaves unanswered gets the handoff (channels.guard); a
message of several questions is answered question by question (channels.questions).
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels import rest
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.guard import answer_or_hand_off
from channels.questions import one_question_at_a_time

logger = logging.getLogger(__name__)

MAX_SENDER_LENGTH = 200  # characters
MAX_MESSAGE_LENGTH = 20_000  # characters
BAD_REQUEST_REPLY = "Beklager, din besked kunne ikke læses. Prøv at skrive den igen."


def request_problem(request: Request) -> Optional[str]:
    """Says what is wrong with a webhook POST, in English for the log, or None if it is fine.

    Args:
        request: the Sanic request; its body should be {"sender": str, "message": str,
            "metadata": optional dict}.
    """
    try:
        body: Any = request.json
    except InvalidUsage:
        return "the body is not valid JSON"
    if not isinstance(body, dict):
        return f"the body is {type(body).__name__}, not a JSON object"
    sender, message = body.get("sender"), body.get("message")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_LENGTH:
        return f"'sender' must be a non-empty string of at most {MAX_SENDER_LENGTH} characters"
    if not isinstance(message, str):
        return "'message' must be a string"
    if len(message) > MAX_MESSAGE_LENGTH:
        return f"'message' is {len(message)} characters, more than {MAX_MESSAGE_LENGTH}"
    if not isinstance(body.get("metadata", {}), dict):
        return "'metadata' must be a JSON object"
    return None


class RestInput(rest.RestInput):
    """The REST channel with request checks; configure as `channels.rest.RestInput:`."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        """Rasa's REST blueprint plus a request check (see `request_problem`) and the silence guard."""
        webhook = super().blueprint(answer_or_hand_off(one_question_at_a_time(on_new_message)))

        @webhook.middleware("request")
        async def reject_malformed(request: Request) -> Optional[HTTPResponse]:
            if request.method != "POST":
                return None
            problem = request_problem(request)
            if problem is None:
                return None
            logger.warning("Rejected a REST message from %s: %s.", request.ip, problem)
            return response.json({"error": problem, "text": BAD_REQUEST_REPLY}, status=400)

        return webhook
