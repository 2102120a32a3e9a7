"""End to end over Socket.IO, the widget's channel, with session persistence."""
import asyncio
import uuid

import socketio

from safety import lines


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
        await client.emit("user_uttered", {"message": text, "session_id": session_id})
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
    assert faq[-1]["text"] == lines.every_turn_line("US")
    assert crisis[0]["handoff"]["type"] == "crisis"
