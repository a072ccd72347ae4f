"""A few messages handled at a time, the others waiting their turn in arrival order.

Rasa handles a message in steps on one event loop: the NLU and the policies run without
letting go of the loop (tens of ms), the calls of the action server and a Redis lock
store let go while they wait. Under a burst every such wait puts the message behind the
steps of all the other messages, so a message of the guided advice form (two or three
action-server calls, several waits each) took 8-13 s at 32 conversations while the
median message took 0.5 s (docs/benchmarks.md, "The tail under load"). Here at most
MESSAGES_AT_ONCE messages (default 2; the variable sets it) are inside Rasa at a time,
the others wait in the order they came, so a message waits for the ones before it once
instead of for all of them at every step.

The limit holds per Rasa server (one event loop), for the REST and the socket.io
channel together; several servers behind a load balancer each have their own.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, Awaitable, Callable, Mapping, Optional

from rasa.core.channels.channel import UserMessage

logger = logging.getLogger(__name__)

LIMIT_ENV = "MESSAGES_AT_ONCE"
DEFAULT_LIMIT = 2  # one message's CPU steps while another waits for the action server (docs/benchmarks.md)


def messages_at_once(env: Mapping[str, str] = os.environ) -> int:
    """The limit from MESSAGES_AT_ONCE, DEFAULT_LIMIT when unset or not a whole number ≥ 1 (logged)."""
    value = env.get(LIMIT_ENV, "").strip()
    if not value:
        return DEFAULT_LIMIT
    if value.isdigit() and int(value) >= 1:
        return int(value)
    logger.warning("%s=%r is not a whole number of at least 1; using %d.", LIMIT_ENV, value, DEFAULT_LIMIT)
    return DEFAULT_LIMIT


class Admission:
    """A first-come-first-served limit on the messages handled at once (asyncio.Semaphore).

    The semaphore is made at the first message, inside the server's event loop.
    """

    def __init__(self, limit: Optional[int] = None) -> None:
        """`limit`: messages at once (None: `messages_at_once()` at the first message)."""
        self._limit = limit
        self._semaphore: Optional[asyncio.Semaphore] = None

    @property
    def semaphore(self) -> asyncio.Semaphore:
        """The semaphore, made on first use."""
        if self._semaphore is None:
            self._limit = self._limit or messages_at_once()
            self._semaphore = asyncio.Semaphore(self._limit)
        return self._semaphore

    def admitted(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Callable[[UserMessage], Awaitable[None]]:
        """Wraps a channel's message handler so that it runs within the limit.

        Args:
            on_new_message: the handler Rasa gives an input channel's blueprint.

        Returns:
            A handler that waits for its turn, then calls it; whatever it raises passes on.
        """

        async def handle(message: UserMessage) -> None:
            async with self.semaphore:
                await on_new_message(message)

        return handle


SHARED = Admission()  # the Rasa server's channels share one limit
admitted = SHARED.admitted
