"""The silence guard (channels.guard) on a message handler in process: no trained model."""

import asyncio
import logging
from typing import Awaitable, Callable, List

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from channels.guard import HANDOFF_ON_SILENCE, answer_or_hand_off

Handler = Callable[[UserMessage], Awaitable[None]]


def replies(handler: Handler, text: str = "hej", sender: str = "guard-test") -> List[str]:
    """The texts `handler`, wrapped by the guard, sends for one user message."""
    output = CollectingOutputChannel()

    async def send() -> None:
        await answer_or_hand_off(handler)(UserMessage(text, output, sender))

    asyncio.run(send())
    return [message["text"] for message in output.messages]


async def silent(message: UserMessage) -> None:
    """Like Rasa when a custom action fails: its events are dropped, nothing is sent."""


async def answering(message: UserMessage) -> None:
    """Like Rasa when it answers: each bot message goes out through `send_response`."""
    await message.output_channel.send_response(message.sender_id, {"text": "Hej! Hvad kan jeg hjælpe med?"})


def test_silence_gets_the_handoff_with_the_phone_number(caplog):
    with caplog.at_level(logging.WARNING, logger="channels.guard"):
        assert replies(silent, text="mit cpr-nummer er 010203-1234") == [HANDOFF_ON_SILENCE]
    assert "72 20 00 30" in HANDOFF_ON_SILENCE and "tel:+4572200030" in HANDOFF_ON_SILENCE
    assert "No reply to a message from guard-test" in caplog.text
    assert "010203" not in caplog.text  # the user's text never goes into the log


def test_an_answered_message_gets_only_its_answer(caplog):
    with caplog.at_level(logging.WARNING, logger="channels.guard"):
        assert replies(answering) == ["Hej! Hvad kan jeg hjælpe med?"]
    assert not caplog.records


def test_responses_go_out_under_the_channels_own_name():
    seen = []

    async def note_channel(message: UserMessage) -> None:
        seen.append(message.output_channel.name())
        await answering(message)

    replies(note_channel)
    assert seen == [CollectingOutputChannel.name()]  # channel-specific responses still apply
