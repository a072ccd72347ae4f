"""Rasa's REST channel, hardened against malformed and oversized requests.

Rasa 3.6's RestInput answers a missing body or a JSON list with a 500 error and
files requests without a sender under one shared conversation. This subclass keeps
its URL (/webhooks/rest/webhook) and replies, and checks each POST first
(channels.screening.message_problem): a bad request gets a 400 with a Danish message
and a log line, never a server error; a sender id of the web chat's conversations
("web-...", channels.sessions) is refused, so REST cannot write into them. It also caps the size of every HTTP request
body the Rasa server accepts (MAX_BODY_BYTES; larger ones get a 413). A well-formed
message is screened (too long, slash commands, personal data: channels.screening),
one the assistant leaves unanswered gets the handoff (channels.guard), and a
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

from channels.admission import admitted
from channels.guard import answer_or_hand_off
from channels.questions import one_question_at_a_time
from channels.screening import BAD_MESSAGE_REPLY, cap_request_size, message_problem, screened
from channels.sessions import CONVERSATION_PREFIX

logger = logging.getLogger(__name__)


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
    sender = body.get("sender")
    if isinstance(sender, str) and sender.startswith(CONVERSATION_PREFIX):
        return f"senders starting with '{CONVERSATION_PREFIX}' are the web chat's conversations"
    return message_problem(sender, body.get("message"), body.get("metadata"))


class RestInput(rest.RestInput):
    """The REST channel with request checks; configure as `channels.rest.RestInput:`."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        """Rasa's REST blueprint plus a request check (see `request_problem`), the screening
        (channels.screening), the silence guard (channels.guard) and the limit on messages at once
        (channels.admission)."""
        webhook = super().blueprint(screened(answer_or_hand_off(one_question_at_a_time(admitted(on_new_message)))))

        webhook.listener("before_server_start")(cap_request_size)

        @webhook.middleware("request")
        async def reject_malformed(request: Request) -> Optional[HTTPResponse]:
            if request.method != "POST":
                return None
            problem = request_problem(request)
            if problem is None:
                return None
            logger.warning("Rejected a REST message from %s: %s.", request.ip, problem)
            return response.json({"error": problem, "text": BAD_MESSAGE_REPLY}, status=400)

        return webhook
