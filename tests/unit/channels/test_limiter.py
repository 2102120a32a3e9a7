"""The rate limits (channels/limiter.py) and how safe_turn uses them: a message
over a limit is not passed to Rasa, and a crisis message still gets its handoff."""
import asyncio

import pytest
from rasa.core.channels.channel import UserMessage

from channels import limiter
from channels.limiter import SLOW_DOWN_REPLY, Limits, RateLimit, visitor_address
from channels.turn import safe_turn
from tests.helpers import LINE, Recorder


def test_a_limit_lets_its_count_through_in_a_window_then_refuses_until_the_oldest_ages_out():
    limit = RateLimit(3, 60)
    for t in (0, 1, 2):
        assert limit.allows("a", t)
        limit.hit("a", t)
    assert not limit.allows("a", 59.9)
    assert limit.allows("b", 30)  # another key has its own budget
    assert limit.allows("a", 60)  # the hit at 0 is a window old
    limit.hit("a", 60)
    assert not limit.allows("a", 60.5)  # hits at 1, 2 and 60 are in the window


@pytest.mark.parametrize("value, expected", [("20/60", (20, 60.0)), (" 5/0.5 ", (5, 0.5)), ("off", None), ("OFF", None)])
def test_settings_read_as_count_per_seconds_or_off(value, expected):
    limit = RateLimit.parse("RATE_LIMIT_CONVERSATION", value)
    assert (limit and (limit.count, limit.window)) == expected


@pytest.mark.parametrize("value", ["20", "twenty/60", "0/60", "20/0", "20/60/1", ""])
def test_a_bad_setting_is_an_error_naming_the_variable(value):
    with pytest.raises(ValueError, match="RATE_LIMIT_ADDRESS"):
        RateLimit.parse("RATE_LIMIT_ADDRESS", value)


def test_defaults_apply_when_the_variables_are_unset(monkeypatch):
    monkeypatch.delenv("RATE_LIMIT_CONVERSATION", raising=False)
    limit = RateLimit.parse("RATE_LIMIT_CONVERSATION")
    assert (limit.count, limit.window) == (20, 60.0)


def test_memory_is_bounded_the_least_recently_seen_key_goes_first():
    limit = RateLimit(2, 60, max_keys=100)
    limit.hit("kept", 0)
    for i in range(10_000):
        limit.hit(f"visitor-{i}", 1)
        if i % 50 == 0:
            limit.hit("kept", 1)  # seen again: moves to the back
    assert len(limit.hits) == 100
    assert "kept" in limit.hits and "visitor-0" not in limit.hits
    assert all(len(times) <= 2 for times in limit.hits.values())


def test_a_refused_message_is_not_counted_and_either_limit_refuses():
    limits = Limits(RateLimit(2, 60), RateLimit(3, 60))
    assert [limits.admit("rest:a", "203.0.113.1") for _ in range(3)] == [True, True, False]
    # Same address, other conversation: one left in the address's budget.
    assert [limits.admit("rest:b", "203.0.113.1") for _ in range(2)] == [True, False]
    assert limits.admit("rest:c", "198.51.100.2")  # another address is untouched
    assert limits.admit("rest:d", None)  # no address (a platform's webhook): conversation limit only


def test_limits_switched_off_admit_everything():
    limits = Limits(None, None)
    assert all(limits.admit("rest:a", "203.0.113.1") for _ in range(1000))


PROXY = limiter.trusted_proxies("127.0.0.1, 10.0.0.0/8")


@pytest.mark.parametrize("peer, forwarded, expected", [
    ("203.0.113.9", None, "203.0.113.9"),
    ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # not a trusted proxy: its header is ignored
    ("127.0.0.1", None, "127.0.0.1"),
    ("127.0.0.1", "198.51.100.1", "198.51.100.1"),
    ("127.0.0.1", "1.2.3.4, 198.51.100.1", "198.51.100.1"),  # the client wrote 1.2.3.4 itself
    ("127.0.0.1", "198.51.100.1, 10.1.2.3", "198.51.100.1"),  # through two of our proxies
    ("127.0.0.1", "not-an-ip", "127.0.0.1"),
    ("127.0.0.1", "198.51.100.1, garbage, 10.1.2.3", "10.1.2.3"),
    ("127.0.0.1", " 2001:db8::1 ", "2001:db8::1"),
    (None, "198.51.100.1", None),
])
def test_the_visitors_address_trusts_forwarded_for_only_from_a_named_proxy(peer, forwarded, expected):
    assert visitor_address(peer, forwarded, PROXY) == expected


def test_no_proxy_is_trusted_unless_named(monkeypatch):
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    assert visitor_address("127.0.0.1", "198.51.100.1") == "127.0.0.1"


def test_a_bad_proxy_setting_is_an_error():
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        limiter.trusted_proxies("127.0.0.1, proxy.example.org")


# ---- in safe_turn -------------------------------------------------------------


def flood(texts, limits, address=None, sender="visitor"):
    """Each text through one safe_turn; the turns sent and the texts Rasa saw."""
    seen = []

    async def model(message):
        seen.append(message.text)
        await message.output_channel.send_response(message.sender_id, {"text": "an answer"})

    async def run():
        limiter.client_address.set(address)
        handle = safe_turn(model, rate_limits=limits)
        turns = []
        for text in texts:
            out = Recorder()
            await handle(UserMessage(text, out, sender, input_channel="rest"))
            turns.append(out.sent)
        return turns

    return asyncio.run(run()), seen


def test_past_the_limit_the_visitor_gets_the_polite_reply_with_the_crisis_line_and_rasa_sees_nothing():
    turns, seen = flood(["hi", "what is imago", "how much", "and now"], Limits(RateLimit(2, 60), None))
    assert seen == ["hi", "what is imago"]
    assert turns[0] == [{"text": "an answer"}, {"text": LINE}]
    assert turns[2] == turns[3] == [{"text": SLOW_DOWN_REPLY}, {"text": LINE}]


def test_a_crisis_message_past_the_limit_still_gets_the_handoff_first_and_no_request_to_wait():
    turns, seen = flood(["hi", "hello", "i want to kill myself"], Limits(RateLimit(2, 60), None))
    assert seen == ["hi", "hello"]
    crisis = turns[2]
    assert crisis[0]["custom"]["handoff"]["type"] == "crisis"
    assert "988" in crisis[1]["text"]
    assert all(m.get("text") != SLOW_DOWN_REPLY for m in crisis)


def test_the_address_set_for_the_turn_is_limited_across_conversations():
    limits = Limits(RateLimit(100, 60), RateLimit(2, 60))
    first, _ = flood(["a", "b"], limits, address="203.0.113.7", sender="one")
    second, seen = flood(["c"], limits, address="203.0.113.7", sender="two")
    other, _ = flood(["d"], limits, address="198.51.100.7", sender="three")
    assert second == [[{"text": SLOW_DOWN_REPLY}, {"text": LINE}]] and seen == []
    assert other == [[{"text": "an answer"}, {"text": LINE}]]


def test_an_empty_message_does_not_use_up_the_budget():
    turns, seen = flood(["", " ", "hi"], Limits(RateLimit(1, 60), None))
    assert seen == ["hi"]
