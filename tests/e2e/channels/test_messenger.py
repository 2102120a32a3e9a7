"""Facebook Messenger end to end: the documented page webhook event posted
(signed with the app secret) to the running connector, replies caught at
the stand-in Send API."""
import hashlib
import hmac
import json
import time
import uuid

import pytest
import requests

from tests.helpers import LINE
from tests.platforms import MESSENGER_SECRET, MESSENGER_VERIFY

PAGE_ID = "1234567890"


def new_psid() -> str:
    return str(uuid.uuid4().int)[:16]


def event(psid: str, message: dict) -> bytes:
    now = int(time.time() * 1000)
    return json.dumps({"object": "page", "entry": [{"id": PAGE_ID, "time": now, "messaging": [{
        "sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": now,
        "message": {"mid": "m_" + uuid.uuid4().hex, **message}}]}]}).encode()


def post(servers, platforms, psid, body, headers=None):
    before = len(platforms.messenger(psid))
    headers = platforms.messenger_headers(body) if headers is None else headers
    reply = requests.post(f"{servers.url}/webhooks/facebook/webhook", data=body, headers=headers, timeout=120)
    return reply, platforms.messenger(psid)[before:]


def test_faq_answer_ends_with_the_crisis_line(servers, platforms):
    psid = new_psid()
    reply, sent = post(servers, platforms, psid, event(psid, {"text": "how much does imago therapy cost?"}))
    assert reply.status_code == 200
    assert any("$700" in m["text"] for m in sent) and sent[-1] == {"text": LINE}


def test_crisis_gets_the_hotlines_first_as_text(servers, platforms):
    psid = new_psid()
    _, sent = post(servers, platforms, psid, event(psid, {"text": "i want to die"}))
    assert sent[0]["text"].startswith("I'm really glad you told me")
    assert "988" in sent[0]["text"] and "741741" in sent[0]["text"]


def test_buttons_are_quick_replies_and_a_tap_picks_one(servers, platforms):
    psid = new_psid()
    _, sent = post(servers, platforms, psid, event(psid, {"text": "what can you answer?"}))
    replies = next(m["quick_replies"] for m in sent if "quick_replies" in m)
    assert len(replies) == 6 and all(len(r["title"]) <= 20 for r in replies)  # all six topics, not dropped
    cost = next(r for r in replies if r["title"] == "Cost")
    _, sent = post(servers, platforms, psid, event(psid, {"text": "Cost", "quick_reply": {"payload": cost["payload"]}}))
    assert any("$700" in m["text"] for m in sent) and sent[-1] == {"text": LINE}


def test_a_sha1_only_signature_is_still_accepted(servers, platforms):
    psid = new_psid()
    body = event(psid, {"text": "what is imago therapy"})
    sha1 = hmac.new(MESSENGER_SECRET.encode(), body, hashlib.sha1).hexdigest()
    reply, sent = post(servers, platforms, psid, body, {"X-Hub-Signature": f"sha1={sha1}",
                                                        "Content-Type": "application/json"})
    assert reply.status_code == 200 and sent[-1] == {"text": LINE}


@pytest.mark.parametrize("headers", [
    {},
    {"X-Hub-Signature-256": "sha256=" + "0" * 64},
    {"X-Hub-Signature": "md5=" + hashlib.md5(b"x").hexdigest()},
    "signed with another secret",
], ids=["unsigned", "wrong-sha256", "md5", "other-secret"])
def test_a_wrongly_signed_event_is_refused(servers, platforms, headers):
    psid = new_psid()
    body = event(psid, {"text": "i want to die"})
    if isinstance(headers, str):
        headers = platforms.messenger_headers(body, secret="not-our-secret")
    reply, sent = post(servers, platforms, psid, body, {**headers, "Content-Type": "application/json"})
    assert reply.status_code == 403 and sent == []


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'{"object": "page"}', b'{"object": "page", "entry": [{}]}'])
def test_malformed_events_get_a_4xx(servers, platforms, body):
    reply = requests.post(f"{servers.url}/webhooks/facebook/webhook", data=body,
                          headers=platforms.messenger_headers(body), timeout=30)
    assert 400 <= reply.status_code < 500


def test_the_subscription_handshake_needs_the_verify_token(servers):
    url = f"{servers.url}/webhooks/facebook/webhook"
    ok = requests.get(url, params={"hub.mode": "subscribe", "hub.verify_token": MESSENGER_VERIFY,
                                   "hub.challenge": "1158201444"}, timeout=30)
    assert ok.status_code == 200 and ok.text == "1158201444"
    wrong = requests.get(url, params={"hub.mode": "subscribe", "hub.verify_token": "guess",
                                      "hub.challenge": "1158201444"}, timeout=30)
    assert wrong.status_code == 403 and "1158201444" not in wrong.text
