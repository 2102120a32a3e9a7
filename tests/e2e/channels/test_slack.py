"""Slack end to end: Events API and interactivity payloads, signed as Slack
signs them, posted to the running connector; replies caught at the
stand-in Web API. Slack's connector answers the webhook at once and sends
the turn in the background, so the tests wait for the turn to arrive."""
import json
import time
import uuid
from urllib.parse import urlencode

import pytest
import requests

from tests.helpers import LINE


def new_ids():
    return "U" + uuid.uuid4().hex[:10].upper(), "D" + uuid.uuid4().hex[:10].upper()


def message_event(user: str, channel: str, text: str) -> bytes:
    ts = f"{time.time():.6f}"
    return json.dumps({
        "token": "verification-token", "team_id": "T0001", "api_app_id": "A0001", "type": "event_callback",
        "event_id": "Ev" + uuid.uuid4().hex[:10], "event_time": int(time.time()),
        "authorizations": [{"team_id": "T0001", "user_id": "UBOT0001", "is_bot": True}],
        "event": {"type": "message", "channel_type": "im", "user": user, "text": text, "ts": ts,
                  "event_ts": ts, "channel": channel},
    }).encode()


def button_click(user: str, channel: str, value: str) -> bytes:
    payload = {"type": "block_actions", "user": {"id": user}, "channel": {"id": channel},
               "message": {"ts": f"{time.time():.6f}"},
               "actions": [{"type": "button", "action_id": "a1", "block_id": "b1", "value": value,
                            "text": {"type": "plain_text", "text": "Cost"}}]}
    return urlencode({"payload": json.dumps(payload)}).encode()


def post(servers, platforms, body, content_type="application/json", headers=None):
    headers = platforms.slack_headers(body) if headers is None else headers
    return requests.post(f"{servers.url}/webhooks/slack/webhook", data=body, timeout=60,
                         headers={**headers, "Content-Type": content_type})


def turn(platforms, channel, before, last):
    """The messages posted to `channel` after the first `before`, once `last(text)` holds for one."""
    calls = platforms.wait_for(lambda c: c.path == "/slack/api/chat.postMessage" and c.body.get("channel") == channel,
                               lambda calls: any(last(c.body.get("text", "")) for c in calls[before:]))
    return [c.body for c in calls[before:]]


def test_faq_answer_ends_with_the_crisis_line(servers, platforms):
    user, channel = new_ids()
    assert post(servers, platforms, message_event(user, channel, "how much does imago therapy cost?")).status_code == 200
    sent = turn(platforms, channel, 0, lambda text: text == LINE)
    assert any("$700" in m["text"] for m in sent) and sent[-1]["text"] == LINE


def test_crisis_gets_the_hotlines_first(servers, platforms):
    user, channel = new_ids()
    post(servers, platforms, message_event(user, channel, "i want to die"))
    sent = turn(platforms, channel, 0, lambda text: "988" in text)
    assert sent[0]["text"].startswith("I'm really glad you told me")
    assert "988" in sent[0]["text"] and "741741" in sent[0]["text"]


def test_all_six_topic_buttons_show_and_a_click_picks_one(servers, platforms):
    user, channel = new_ids()
    post(servers, platforms, message_event(user, channel, "what can you answer?"))
    sent = turn(platforms, channel, 0, lambda text: text == LINE)
    buttons = next(m["blocks"][1]["elements"] for m in sent if m.get("blocks"))
    assert len(buttons) == 6  # Rasa 3.6 drops them all above 5
    cost = next(b for b in buttons if b["text"]["text"] == "Cost")
    reply = post(servers, platforms, button_click(user, channel, cost["value"]), "application/x-www-form-urlencoded")
    assert reply.status_code == 200
    sent = turn(platforms, channel, len(sent), lambda text: text == LINE)
    later = platforms.slack_calls(channel)
    assert any("$700" in c.body["text"] for c in later) and later[-1].body["text"] == LINE


def test_the_url_verification_handshake_echoes_the_challenge(servers, platforms):
    body = json.dumps({"token": "t", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                       "type": "url_verification"}).encode()
    reply = post(servers, platforms, body)
    assert reply.status_code == 200
    assert reply.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


@pytest.mark.parametrize("how", ["unsigned", "other-secret", "five-minutes-old"])
def test_a_wrongly_signed_call_is_refused(servers, platforms, how):
    user, channel = new_ids()
    body = message_event(user, channel, "i want to die")
    headers = {
        "unsigned": {},
        "other-secret": platforms.slack_headers(body, secret="not-our-secret"),
        "five-minutes-old": platforms.slack_headers(body, timestamp=int(time.time()) - 301),
    }[how]
    assert post(servers, platforms, body, headers=headers).status_code == 403
    time.sleep(2)
    assert platforms.slack_calls(channel) == []


@pytest.mark.parametrize("body, content_type", [
    (b"{not json", "application/json"),
    (b"[1]", "application/json"),
    (b"nothing=here", "application/x-www-form-urlencoded"),
    (urlencode({"payload": json.dumps({"actions": [{"type": "datepicker"}], "user": {"id": "U1"}})}).encode(),
     "application/x-www-form-urlencoded"),
], ids=["bad-json", "array", "form-without-payload", "unsupported-action"])
def test_malformed_calls_get_a_4xx(servers, platforms, body, content_type):
    assert 400 <= post(servers, platforms, body, content_type).status_code < 500
