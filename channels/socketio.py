"""Rasa's socket.io channel for the web chat widget, with the same checks as REST.

Rasa 3.6's SocketIOInput lets any web page connect (CORS off), accepts packets of up
to 1 MB, takes any `session_id` a client sends (so a second socket with a victim's id
gets their replies and writes into their conversation), and crashes its event
handlers on a non-dict message or bad metadata ("Task exception was never retrieved").
This subclass keeps Rasa's events (user_uttered, bot_uttered, session_request,
session_confirm), socket path and output channel, and:
  - lets in only the page origins of WEBCHAT_ORIGINS (channels.origins);
  - caps packets at MAX_BODY_BYTES (engine.io) and the Rasa server's request size;
  - issues server-signed session tokens and files a chat under a conversation id derived
    from the token (channels.sessions); a message is filed under the conversation of its
    socket's session, never under a session id the message names;
  - checks every message like REST (channels.screening.message_problem), answering a bad
    one with a Danish reply and a log line, and screens the good ones (too long, slash
    commands, personal data, metadata);
  - gives the handoff to a message the assistant leaves unanswered (channels.guard);
  - answers a message of several questions question by question (channels.questions).
"""

from __future__ import annotations

import inspect
import json
import logging
import traceback
from typing import Any, Awaitable, Callable, Dict, Optional

import rasa.core.channels.channel
from rasa.core.channels import socketio
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from channels.admission import admitted
from channels.guard import answer_or_hand_off
from channels.origins import ORIGINS_ENV, allowed_origins
from channels.questions import one_question_at_a_time
from channels.screening import BAD_MESSAGE_REPLY, MAX_BODY_BYTES, cap_request_size, message_problem, screened
from channels.sessions import SessionTokens

logger = logging.getLogger(__name__)


class SocketIOInput(socketio.SocketIOInput):
    """The hardened socketio channel; configure as `channels.socketio.SocketIOInput:` (same settings as Rasa's)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Rasa's settings (user_message_evt, bot_message_evt, session_persistence, ...)."""
        super().__init__(*args, **kwargs)
        self.tokens = SessionTokens.from_environment()

    @staticmethod
    async def _done(result: Any) -> None:
        """Awaits `result` if it is awaitable: enter_room and leave_room are coroutines from python-socketio 5.10 on."""
        if inspect.isawaitable(result):
            await result

    async def _session(self, sio: AsyncServer, sid: str) -> Dict[str, str]:
        try:
            return await sio.get_session(sid, namespace=self.namespace)
        except KeyError:  # the socket is gone
            return {}

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The socket.io server and its event handlers (see the module docstring)."""
        handler = screened(answer_or_hand_off(one_question_at_a_time(admitted(on_new_message))))
        origins = allowed_origins()
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=origins, max_http_buffer_size=MAX_BODY_BYTES)
        webhook = socketio.SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        webhook.listener("before_server_start")(cap_request_size)
        self.sio = sio
        logger.info("socket.io accepts web pages from %s (set %s to change).", ", ".join(origins), ORIGINS_ENV)

        async def refuse(sid: str, problem: str) -> None:
            logger.warning("Rejected a socket.io message on socket %s: %s.", sid, problem)
            await sio.emit(self.bot_message_evt, {"text": BAD_MESSAGE_REPLY}, room=sid, namespace=self.namespace)

        def guarded(event: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
            async def run(sid: str, *args: Any) -> None:
                try:
                    await event(sid, *args)
                except Exception as error:
                    where = traceback.extract_tb(error.__traceback__)[-1]
                    logger.error("socket.io event on socket %s failed: %s at %s:%s.",
                                 sid, type(error).__name__, where.filename, where.lineno)
            return run

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: Dict, auth: Optional[Dict] = None) -> bool:
            if not self.jwt_key:
                return True
            token = auth.get("token") if isinstance(auth, dict) else None
            return bool(token and rasa.core.channels.channel.decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))

        @sio.on("session_request", namespace=self.namespace)
        @guarded
        async def session_request(sid: str, data: Any = None) -> None:
            token = data.get("session_id") if isinstance(data, dict) and self.session_persistence else None
            conversation = self.tokens.conversation(token)
            if conversation is None:
                if token is not None:
                    logger.info("Socket %s asked for a session this server did not issue; gave it a new one.", sid)
                token = self.tokens.issue()
                conversation = self.tokens.conversation(token)
            previous = (await self._session(sio, sid)).get("conversation")
            if previous and previous != conversation:
                await self._done(sio.leave_room(sid, previous, namespace=self.namespace))
            await sio.save_session(sid, {"token": token, "conversation": conversation}, namespace=self.namespace)
            await self._done(sio.enter_room(sid, conversation, namespace=self.namespace))
            await sio.emit("session_confirm", token, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        @guarded
        async def handle_message(sid: str, data: Any = None) -> None:
            session = await self._session(sio, sid)
            if not session:
                return await refuse(sid, "a message before session_request")
            if not isinstance(data, dict):
                return await refuse(sid, f"the message is {type(data).__name__}, not an object")
            if data.get("session_id") not in (None, session["token"]):
                return await refuse(sid, "a message naming another session")
            metadata = data.get(self.metadata_key)
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    return await refuse(sid, "the metadata is not JSON")
            problem = message_problem(session["conversation"], data.get("message"), metadata)
            if problem:
                return await refuse(sid, problem)
            output = socketio.SocketIOOutput(sio, self.bot_message_evt)
            await handler(UserMessage(
                data["message"], output, session["conversation"], input_channel=self.name(), metadata=metadata,
            ))

        return webhook
