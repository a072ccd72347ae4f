"""At most a few messages are inside Rasa at a time, the others wait in arrival order (channels.admission)."""

import asyncio
from typing import List

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from channels.admission import DEFAULT_LIMIT, Admission, messages_at_once


def message(sender: str) -> UserMessage:
    return UserMessage("hej", CollectingOutputChannel(), sender)


def test_messages_beyond_the_limit_wait_and_start_in_the_order_they_came():
    started: List[str] = []
    inside, most_inside = 0, 0

    async def rasa(msg: UserMessage) -> None:
        nonlocal inside, most_inside
        started.append(msg.sender_id)
        inside += 1
        most_inside = max(most_inside, inside)
        await asyncio.sleep(0.01)  # e.g. a call of the action server
        inside -= 1

    async def burst() -> None:
        handle = Admission(limit=2).admitted(rasa)
        await asyncio.gather(*(handle(message(f"c{i}")) for i in range(6)))

    asyncio.run(burst())
    assert most_inside == 2
    assert started == [f"c{i}" for i in range(6)]


def test_a_failing_message_frees_its_place():
    handled: List[str] = []

    async def rasa(msg: UserMessage) -> None:
        if msg.sender_id == "bad":
            raise ValueError("the action server failed")
        handled.append(msg.sender_id)

    async def two() -> None:
        handle = Admission(limit=1).admitted(rasa)
        with pytest.raises(ValueError):
            await handle(message("bad"))
        await asyncio.wait_for(handle(message("good")), timeout=1)

    asyncio.run(two())
    assert handled == ["good"]


@pytest.mark.parametrize("value, limit", [("", DEFAULT_LIMIT), ("4", 4), ("0", DEFAULT_LIMIT), ("to", DEFAULT_LIMIT)])
def test_the_limit_comes_from_messages_at_once(value: str, limit: int):
    assert messages_at_once({"MESSAGES_AT_ONCE": value}) == limit
