"""channels/limits.py and where it is applied: REST's parse_request, Socket.IO's
checked_event and the turn wrapper's message cap (channels/turn.py)."""
import asyncio
import json
from types import SimpleNamespace

import pytest
from rasa.core.channels.channel import UserMessage

from channels import limits
from channels.rest import BadRequest, parse_request
from channels.socketio import checked_event
from channels.turn import safe_turn
from tests.helpers import LINE, Recorder

NESTED_10K = b"[" * 5_000 + b"]" * 5_000


def request(body, content_type="application/json"):
    """What parse_request reads of a Sanic request: its headers and body."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return SimpleNamespace(headers={"content-type": content_type}, body=raw)


@pytest.mark.parametrize("text, depth", [
    ("{}", 1), ("[[1], {\"a\": [2]}]", 3), ('"[[[[["', 0), ('{"a": "\\"[[["}', 1), ("7", 0),
])
def test_json_depth_counts_nesting_outside_strings(text, depth):
    assert limits.json_depth(text) == depth


def test_deep_json_is_refused_without_recursing():
    with pytest.raises(limits.TooDeep):
        limits.load_json(NESTED_10K)
    deep_enough = "[" * limits.MAX_JSON_DEPTH + "]" * limits.MAX_JSON_DEPTH
    assert limits.load_json(deep_enough)


def test_rest_answers_deep_json_with_a_400():
    with pytest.raises(BadRequest) as refused:
        parse_request(request(NESTED_10K))
    assert refused.value.status == 400 and "nested" in refused.value.reason


def test_rest_answers_a_deep_object_with_a_400():
    body = b'{"sender": "x", "message": "hi", "metadata": ' + b'{"a": ' * 30 + b"1" + b"}" * 31
    with pytest.raises(BadRequest) as refused:
        parse_request(request(body))
    assert refused.value.status == 400


def test_rest_answers_big_metadata_with_a_413():
    body = {"sender": "x", "message": "hi", "metadata": {"country": "GB", "notes": "x" * 5_000}}
    with pytest.raises(BadRequest) as refused:
        parse_request(request(body))
    assert refused.value.status == 413 and "metadata" in refused.value.reason


def test_rest_keeps_only_the_metadata_keys_the_project_reads():
    body = {"sender": "x", "message": "hi", "metadata": {"country": "GB", "email": "a@b.c", "x": [1]}}
    assert parse_request(request(body)) == ("x", "hi", {"country": "GB"})


@pytest.mark.parametrize("metadata", [{"country": 7}, {"country": "G" * 65}, None, [], "GB"])
def test_known_metadata_keeps_short_strings_only(metadata):
    assert limits.known_metadata(metadata) == {}


def test_socketio_drops_deep_big_or_unknown_metadata():
    deep = "[" * 5_000 + "]" * 5_000
    assert checked_event({"message": "hi", "metadata": deep})["metadata"] == {}
    big = {"country": "GB", "notes": "x" * 5_000}
    assert checked_event({"message": "hi", "metadata": big})["metadata"] == {}
    assert checked_event({"message": "hi", "metadata": json.dumps(big)})["metadata"] == {}
    kept = checked_event({"message": "hi", "metadata": '{"country": "GB", "name": "Ann"}'})
    assert kept["metadata"] == {"country": "GB"}


def test_body_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("MAX_BODY_BYTES", raising=False)
    assert limits.max_body_bytes() == 64 * 1024
    monkeypatch.setenv("MAX_BODY_BYTES", "1000")
    assert limits.max_body_bytes() == 1000
    for bad in ("lots", "-5", "0"):
        monkeypatch.setenv("MAX_BODY_BYTES", bad)
        assert limits.max_body_bytes() == 64 * 1024


def turn(text, channel="socketio"):
    """What the model sees and what the visitor gets for one message."""
    seen = []

    async def model(message):
        seen.append(message.text)
        await message.output_channel.send_response(message.sender_id, {"text": "answer"})

    out = Recorder()
    asyncio.run(safe_turn(model)(UserMessage(text, out, "visitor", input_channel=channel)))
    return seen, out.sent


def test_an_over_long_message_gets_the_too_long_reply_without_the_model():
    seen, sent = turn("how does imago dialogue work " * 200)
    assert seen == []
    assert sent == [{"text": limits.TOO_LONG_REPLY}, {"text": LINE}]
    assert "5,000 characters" in limits.TOO_LONG_REPLY


def test_a_message_at_the_limit_still_reaches_the_model():
    seen, sent = turn("a" * limits.MAX_MESSAGE_CHARS)
    assert len(seen) == 1 and sent[0] == {"text": "answer"}


@pytest.mark.parametrize("channel", ["rest", "socketio", "slack", "telegram"])
def test_a_crisis_sentence_anywhere_in_an_over_long_message_gets_the_handoff_first(channel):
    story = "we argue about the dishes and it goes on and on. " * 150
    seen, sent = turn(story + "honestly i want to kill myself", channel)
    assert seen == []
    first = sent[0].get("custom", {}).get("handoff") or sent[0].get("custom", {}).get("data", {}).get("handoff")
    if channel in ("rest", "socketio"):
        assert first["type"] == "crisis"
    assert any("988" in (m.get("text") or "") for m in sent[:2])
    assert {"text": limits.TOO_LONG_REPLY} in sent
