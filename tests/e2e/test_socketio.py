"""End to end over Socket.IO, the widget's channel, with session persistence."""
import asyncio
import uuid

import socketio

from channels.socketio import BAD_EVENT_REPLY
from safety import crisis_lines


class Raw:
    def __init__(self, event):
        self.event = event


async def converse(url, texts, wait=20.0):
    """Send each text on one persistent session; return the bot messages per turn.

    Long-polling: the pinned aiohttp (Rasa 3.6) predates what engineio's
    websocket client needs; the server side is the same either way.
    """
    client = socketio.AsyncClient()
    received: asyncio.Queue = asyncio.Queue()
    confirmed = asyncio.Event()
    client.on("bot_uttered", lambda data: received.put_nowait(data))
    client.on("session_confirm", lambda data: confirmed.set())
    await client.connect(url, socketio_path="/socket.io", transports=["polling"])
    session_id = uuid.uuid4().hex
    await client.emit("session_request", {"session_id": session_id})
    await asyncio.wait_for(confirmed.wait(), wait)
    turns = []
    for text in texts:
        # a str is a visitor's message, a dict the event's fields, Raw the whole event
        if isinstance(text, Raw):
            event = text.event
        elif isinstance(text, dict):
            event = {"session_id": session_id, **text}
        else:
            event = {"message": text, "session_id": session_id}
        await client.emit("user_uttered", event)
        turn = [await asyncio.wait_for(received.get(), wait)]
        while True:  # a turn ends when the bot goes quiet for a moment
            try:
                turn.append(await asyncio.wait_for(received.get(), 2.0))
            except asyncio.TimeoutError:
                break
        turns.append(turn)
    await client.disconnect()
    return turns


def test_socketio_answers_with_the_crisis_line_and_handoff_first(servers):
    faq, crisis = asyncio.run(converse(servers.url, ["what is imago therapy", "i want to die"]))
    assert any("Source:" in (m.get("text") or "") for m in faq)
    assert faq[-1]["text"] == crisis_lines.every_turn_line("US")
    assert crisis[0]["handoff"]["type"] == "crisis"


def test_socketio_malformed_events_still_get_a_reply(servers):
    bad_metadata, not_an_object, not_text = asyncio.run(converse(servers.url, [
        {"message": "what is imago therapy", "metadata": "{not json"},
        Raw("just a string, not an event object"),
        {"message": ["a", "list"]},
    ]))
    assert bad_metadata[-1]["text"] == crisis_lines.every_turn_line("US")
    assert not_an_object == [{"text": BAD_EVENT_REPLY}, {"text": crisis_lines.every_turn_line("US")}]
    assert not_text[-1]["text"] == crisis_lines.every_turn_line("US")
