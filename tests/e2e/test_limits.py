"""Limits on what callers send (channels/limits.py), against the running server:
a clear 4xx and nothing stored for a body, JSON or metadata past its limit, and a
too-long reply (with the handoff first when the rule layer matches) for a message
past MAX_MESSAGE_CHARS, on REST and Socket.IO."""
import asyncio
import json
import sqlite3

import pytest
import requests

from channels.limits import MAX_JSON_DEPTH, TOO_LONG_REPLY
from safety import crisis_lines
from tests.e2e.test_socketio import converse
from tests.helpers import LINE, new_sender, texts
from tests.platforms import TELEGRAM_SECRET

JSON = {"Content-Type": "application/json"}
NESTED_10K = b"[" * 5_000 + b"]" * 5_000
STORY = "we argue about the dishes and it goes on and on and on. " * 100  # about 5,600 characters


def stored_events(servers, sender):
    with sqlite3.connect(servers.tracker_db) as db:
        return db.execute("SELECT data FROM events WHERE sender_id = ?", (f"rest:{sender}",)).fetchall()


def post_rest(servers, body: bytes):
    return requests.post(f"{servers.url}/webhooks/rest/webhook", data=body, headers=JSON, timeout=60)


def test_deeply_nested_json_gets_a_400_not_a_500(servers):
    reply = post_rest(servers, NESTED_10K)
    assert reply.status_code == 400 and "nested" in reply.json()["error"]


def test_deep_metadata_gets_a_400_and_nothing_is_stored(servers):
    sender = new_sender("deep")
    nested = "[" * (MAX_JSON_DEPTH + 5) + "]" * (MAX_JSON_DEPTH + 5)
    body = f'{{"sender": "{sender}", "message": "hi", "metadata": {{"x": {nested}}}}}'.encode()
    assert post_rest(servers, body).status_code == 400
    assert stored_events(servers, sender) == []


def test_a_body_over_64_kb_gets_a_413_and_nothing_is_stored(servers):
    sender = new_sender("big")
    body = json.dumps({"sender": sender, "message": "hi", "pad": "x" * 100_000}).encode()
    reply = post_rest(servers, body)
    assert reply.status_code == 413 and "bytes" in reply.json()["error"]
    assert stored_events(servers, sender) == []


def test_metadata_over_4_kb_gets_a_413_and_nothing_is_stored(servers):
    sender = new_sender("meta")
    body = json.dumps({"sender": sender, "message": "hi", "metadata": {"country": "GB", "notes": "x" * 5_000}})
    reply = post_rest(servers, body.encode())
    assert reply.status_code == 413 and "metadata" in reply.json()["error"]
    assert stored_events(servers, sender) == []


def test_only_the_metadata_keys_the_project_reads_are_stored(servers):
    sender = new_sender("keys")
    messages = servers.say(sender, "what is imago therapy", country="GB", email="ann@example.org")
    assert messages[-1]["text"] == crisis_lines.every_turn_line("GB")  # the country still counts
    stored = " ".join(data for (data,) in stored_events(servers, sender))
    assert '"country": "GB"' in stored and "ann@example.org" not in stored


def test_an_over_long_rest_message_gets_the_too_long_reply(servers):
    sender = new_sender("long")
    assert texts(servers.say(sender, STORY)) == f"{TOO_LONG_REPLY}\n{LINE}"
    assert stored_events(servers, sender) == []  # never reached the model


def test_a_crisis_sentence_in_an_over_long_message_still_gets_the_handoff_first(servers):
    messages = servers.say(new_sender("long"), STORY + " honestly i want to kill myself")
    assert messages[0]["custom"]["handoff"]["type"] == "crisis"
    assert "988" in messages[1]["text"]
    assert TOO_LONG_REPLY in texts(messages)


def test_socketio_over_long_messages_get_the_too_long_reply_and_the_handoff(servers):
    long, crisis = asyncio.run(converse(servers.url, [STORY, "i want to end my life. " + STORY]))
    assert long == [{"text": TOO_LONG_REPLY}, {"text": LINE}]
    assert crisis[0]["handoff"]["type"] == "crisis"
    assert TOO_LONG_REPLY in texts(crisis)


def test_socketio_big_or_deep_metadata_is_dropped_and_the_turn_answered(servers):
    big, deep = asyncio.run(converse(servers.url, [
        {"message": "what is imago therapy", "metadata": {"country": "GB", "notes": "x" * 5_000}},
        {"message": "what is imago therapy", "metadata": '{"country": "GB", "x": ' + NESTED_10K.decode() + "}"},
    ]))
    assert big[-1]["text"] == LINE  # the metadata's country was dropped with the rest
    assert deep[-1]["text"] == LINE  # before: a RecursionError, and no reply at all


@pytest.mark.parametrize("channel", ["telegram", "slack", "facebook"])
def test_deep_json_to_a_messaging_channel_gets_a_400(servers, platforms, channel):
    headers = {
        "telegram": {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET, **JSON},
        "slack": {**platforms.slack_headers(NESTED_10K), **JSON},
        "facebook": platforms.messenger_headers(NESTED_10K),
    }[channel]
    reply = requests.post(f"{servers.url}/webhooks/{channel}/webhook", data=NESTED_10K,
                          headers=headers, timeout=60)
    assert reply.status_code == 400 and "nested" in reply.json()["error"]
