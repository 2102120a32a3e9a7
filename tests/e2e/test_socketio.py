"""End to end over Socket.IO, the widget's channel, with session persistence."""
import asyncio
import json
import sqlite3
import uuid

import pytest
import socketio

from channels.rest import MAX_MESSAGE_LENGTH
from channels.socketio import BAD_EVENT_REPLY, BAD_SESSION_REPLY, MAX_PACKET_BYTES, TOO_LONG_REPLY, valid_session_id
from safety import crisis_lines
from tests.e2e.sockets import Visitor
from tests.helpers import LINE, texts


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


# ---- sessions: the widget's ids, one per socket, none shared (channels/socketio.py) ----

def user_turns(servers, session_id):
    """The visitor messages stored for a Socket.IO session (the tracker store)."""
    with sqlite3.connect(servers.tracker_db) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id",
                          (f"socketio:{session_id}",)).fetchall()
    return [json.loads(data)["text"] for (data,) in rows]


def test_a_second_socket_naming_someone_elses_id_gets_none_of_their_turns(servers):
    async def run():
        owner, intruder = await Visitor(servers.url).connect(), await Visitor(servers.url).connect()
        mine = uuid.uuid4().hex
        assert await owner.session(mine) == mine
        # The same id from a second live socket: a conversation of its own instead.
        theirs = await intruder.session(mine)
        assert theirs != mine and valid_session_id(theirs) == theirs
        answer = await owner.turn({"message": "what is imago therapy", "session_id": mine})
        # Naming the id in a message does not reach the owner's conversation either.
        forged = await intruder.turn({"message": "what was that number?", "session_id": mine})
        own = await intruder.turn({"message": "how much does it cost", "session_id": theirs})
        await asyncio.sleep(2)
        owner_got, intruder_got = list(owner.received), list(intruder.received)
        await owner.close()
        # Once the owner has gone, the id is free again (the widget reconnecting).
        for _ in range(50):
            latecomer = await Visitor(servers.url).connect()
            taken = await latecomer.session(mine)
            await latecomer.close()
            if taken == mine:
                break
            await asyncio.sleep(0.2)
        await intruder.close()
        return answer, forged, own, owner_got, intruder_got, taken, mine, theirs

    answer, forged, own, owner_got, intruder_got, taken, mine, theirs = asyncio.run(run())
    assert any("Source:" in (m.get("text") or "") for m in answer)
    assert owner_got == answer, "the owner got only its own turn"
    assert forged == [{"text": BAD_SESSION_REPLY}, {"text": LINE}]
    assert own[-1] == {"text": LINE} and BAD_SESSION_REPLY not in texts(own)
    assert intruder_got == forged + own, "the intruder got none of the owner's turn"
    assert not any("Source:" in (m.get("text") or "") for m in forged)
    assert user_turns(servers, mine) == ["what is imago therapy"]
    assert user_turns(servers, theirs) == ["how much does it cost"]
    assert taken == mine


@pytest.mark.parametrize("session_id", [
    12345, "abc", "x" * 10_000, ["a"], {"id": "a"}, "a" * 16 + "/" + "b" * 15, "rest:" + uuid.uuid4().hex,
], ids=["number", "short", "10k", "list", "object", "path", "other-channel"])
def test_a_session_id_not_in_the_widgets_format_is_refused_with_a_reply(servers, session_id):
    async def run():
        visitor = await Visitor(servers.url).connect()
        await visitor.emit("session_request", {"session_id": session_id})
        refused = await visitor.settle()
        confirmed_early = visitor.confirmed.qsize()
        unbound = await visitor.turn({"message": "what is imago therapy", "session_id": session_id})
        good = await visitor.session(str(uuid.uuid4()))  # the socket is still usable
        await visitor.close()
        return refused, confirmed_early, unbound, good

    refused, confirmed_early, unbound, good = asyncio.run(run())
    assert refused == [{"text": BAD_SESSION_REPLY}, {"text": LINE}] and confirmed_early == 0
    assert unbound == [{"text": BAD_SESSION_REPLY}, {"text": LINE}]
    assert valid_session_id(good) == good


def test_a_socket_holds_one_session_at_a_time(servers):
    async def run():
        visitor = await Visitor(servers.url).connect()
        first, second = uuid.uuid4().hex, uuid.uuid4().hex
        await visitor.session(first)
        await visitor.session(second)  # "Clear chat": the first is given up
        old = await visitor.turn({"message": "hello", "session_id": first})
        new = await visitor.turn({"message": "hello", "session_id": second})
        other = await Visitor(servers.url).connect()
        free = await other.session(first)
        await visitor.close()
        await other.close()
        return old, new, free, first

    old, new, free, first = asyncio.run(run())
    assert old == [{"text": BAD_SESSION_REPLY}, {"text": LINE}]
    assert new[-1] == {"text": LINE} and BAD_SESSION_REPLY not in texts(new)
    assert free == first


def test_a_message_longer_than_rest_allows_is_refused_unless_a_crisis_and_an_oversized_packet_is_dropped(servers):
    async def run():
        visitor = await Visitor(servers.url).connect()
        session = await visitor.session()
        long = await visitor.turn({"message": "a" * (MAX_MESSAGE_LENGTH + 1), "session_id": session})
        # Refused messages are still read by the rule layer.
        long_crisis = await visitor.turn({"message": "i want to kill myself " * 1000, "session_id": session})
        forged_crisis = await visitor.turn({"message": "i want to kill myself", "session_id": uuid.uuid4().hex})
        start = len(visitor.received)
        await visitor.emit("user_uttered", {"message": "a" * (MAX_PACKET_BYTES + 1), "session_id": session})
        # Over long-polling the client only notices the drop at its next poll (engine.io's
        # ping interval, 25 s), so wait for it rather than for a fixed time.
        for _ in range(80):
            if not visitor.client.connected:
                break
            await asyncio.sleep(0.5)
        dropped = visitor.received[start:], visitor.client.connected
        await visitor.close()
        after = await converse(servers.url, ["what is imago therapy"])  # the server is fine
        return long, long_crisis, forged_crisis, dropped, after

    long, long_crisis, forged_crisis, (after_packet, still_connected), after = asyncio.run(run())
    assert long == [{"text": TOO_LONG_REPLY}, {"text": LINE}]
    for crisis in (long_crisis, forged_crisis):
        assert crisis[0]["handoff"]["type"] == "crisis" and "988" in crisis[1]["text"], crisis
        assert TOO_LONG_REPLY not in texts(crisis) and BAD_SESSION_REPLY not in texts(crisis)
    assert after_packet == [] and not still_connected
    assert after[0][-1] == {"text": LINE}
