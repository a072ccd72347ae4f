"""A bounded REST client on localhost: conversations at a given concurrency, timed per message."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import List, Optional, Sequence

import aiohttp

from scripts.bench.results import LevelResult
from scripts.bench.stats import by_turn, latency_summary

WEBHOOK = "/webhooks/rest/webhook"
REQUEST_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Turn:
    """One user message and its answer: 1-based turn index, latency in ms, error or None."""

    index: int
    latency_ms: float
    error: Optional[str] = None


@dataclass
class Level:
    """The turns of one load level (`concurrency` conversations at a time) and its wall time in s."""

    concurrency: int
    turns: List[Turn] = field(default_factory=list)
    conversations: int = 0
    elapsed_s: float = 0.0

    def summary(self) -> LevelResult:
        """Throughput (answered messages per s), failures, latency overall and by turn index
        (the CPU figures are left to the caller)."""
        answered = [t for t in self.turns if t.error is None]
        return LevelResult(
            concurrency=self.concurrency,
            conversations=self.conversations,
            messages=len(self.turns),
            failed=len(self.turns) - len(answered),
            errors=dict(Counter(t.error for t in self.turns if t.error)),
            elapsed_s=round(self.elapsed_s, 2),
            throughput_msg_s=round(len(answered) / self.elapsed_s, 2) if self.elapsed_s else 0.0,
            latency=latency_summary([t.latency_ms for t in answered]),
            by_turn=by_turn((t.index, t.latency_ms) for t in answered),
        )


async def _send(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> Optional[str]:
    """POSTs one message; returns None if answered with 200 and a JSON list, else the kind of error."""
    try:
        async with session.post(url, json={"sender": sender, "message": text}) as response:
            body = await response.read()
            if response.status != 200:
                return f"HTTP {response.status}"
            return None if isinstance(json.loads(body), list) else "not a list"
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        return type(error).__name__


async def _run_level(base_url: str, conversations: Sequence[List[str]], concurrency: int, time_limit_s: float) -> Level:
    level = Level(concurrency)
    queue: asyncio.Queue = asyncio.Queue()
    for conversation in conversations:
        queue.put_nowait(conversation)
    deadline = time.monotonic() + time_limit_s
    run_id = uuid.uuid4().hex[:8]

    async def converse(session: aiohttp.ClientSession) -> None:
        while not queue.empty() and time.monotonic() < deadline:
            messages = queue.get_nowait()
            sender = f"bench-{run_id}-{concurrency}-{level.conversations}"
            level.conversations += 1
            for index, text in enumerate(messages, start=1):
                if time.monotonic() >= deadline:
                    return
                start = time.perf_counter()
                error = await _send(session, base_url + WEBHOOK, sender, text)
                level.turns.append(Turn(index, (time.perf_counter() - start) * 1000, error))

    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency), timeout=timeout) as session:
        start = time.perf_counter()
        await asyncio.gather(*(converse(session) for _ in range(concurrency)))
        level.elapsed_s = time.perf_counter() - start
    return level


def run_level(base_url: str, conversations: Sequence[List[str]], concurrency: int, time_limit_s: float) -> Level:
    """Sends `conversations` to a Rasa server's REST channel, `concurrency` at a time.

    Each conversation has its own sender id and sends its next message when the
    previous one is answered. No message is started after `time_limit_s` seconds;
    a request fails after REQUEST_TIMEOUT_S seconds.

    Args:
        base_url: e.g. "http://localhost:5005" (load goes to localhost only).
        conversations: lists of user messages.
        concurrency: conversations in flight at a time.
        time_limit_s: bound of the level's duration in s (plus at most one request timeout).

    Returns:
        The `Level` with every sent message timed.

    Raises:
        ValueError: `base_url` is not on localhost.
    """
    if not base_url.startswith(("http://localhost:", "http://127.0.0.1:")):
        raise ValueError(f"load goes to localhost only, not to {base_url}")
    return asyncio.run(_run_level(base_url, conversations, concurrency, time_limit_s))
