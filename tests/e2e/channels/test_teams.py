"""Microsoft Teams (Bot Framework) end to end: a documented message
activity with a Bot Framework JWT posted to the running connector; replies
caught at the stand-in Bot Connector (the activity's serviceUrl)."""
import time
import uuid

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from channels import teams
from tests.helpers import LINE


def shown(message) -> str:
    """The words a Teams message shows: its text, or its hero card's (an answer with buttons is a
    card, its text the card's subtitle: Rasa's BotFrameworkOutput.send_text_with_buttons)."""
    return message.get("text") or " ".join((a.get("content") or {}).get("subtitle", "")
                                           for a in message.get("attachments") or [])


def activity(platforms, conversation: str, text: str) -> dict:
    return {"type": "message", "id": uuid.uuid4().hex, "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "serviceUrl": f"{platforms.url}/botframework/service/", "channelId": "msteams",
            "from": {"id": "29:" + conversation, "name": "Visitor"},
            "conversation": {"id": conversation, "conversationType": "personal"},
            "recipient": {"id": "28:imago-bot", "name": "Imago"}, "text": text, "textFormat": "plain",
            "locale": "en-US"}


def activity_conversation(body) -> str:
    try:
        return body["conversation"]["id"]
    except (KeyError, TypeError):
        return "none"


def post(servers, platforms, body, token=None):
    conversation = activity_conversation(body)
    token = platforms.teams_token(f"{platforms.url}/botframework/service/") if token is None else token
    before = len(platforms.teams(conversation))
    reply = requests.post(f"{servers.url}/webhooks/botframework/webhook", json=body, timeout=120,
                          headers={"Authorization": f"Bearer {token}"} if token else {})
    return reply, [c.body for c in platforms.teams(conversation)[before:]]


def test_faq_answer_ends_with_the_crisis_line(servers, platforms):
    conversation = "a:" + uuid.uuid4().hex
    reply, sent = post(servers, platforms, activity(platforms, conversation, "how much does imago therapy cost?"))
    assert reply.status_code < 300
    assert any("$700" in shown(m) for m in sent) and sent[-1]["text"] == LINE
    assert all(m["recipient"]["id"] == "29:" + conversation for m in sent)
    calls = platforms.teams(conversation)
    assert all(c.headers["Authorization"] == "Bearer teams-access-token" for c in calls)


def test_crisis_gets_the_hotlines_first_as_text(servers, platforms):
    conversation = "a:" + uuid.uuid4().hex
    _, sent = post(servers, platforms, activity(platforms, conversation, "i want to die"))
    assert sent[0]["text"].startswith("I'm really glad you told me")
    assert "988" in sent[0]["text"] and "741741" in sent[0]["text"]


def test_buttons_are_card_actions_that_send_the_choice_back(servers, platforms):
    conversation = "a:" + uuid.uuid4().hex
    _, sent = post(servers, platforms, activity(platforms, conversation, "hi"))
    card = next(m["attachments"][0] for m in sent if m.get("attachments"))
    assert card["contentType"] == "application/vnd.microsoft.card.hero"
    cost = next(b for b in card["content"]["buttons"] if b["title"] == "What does it cost?")
    assert cost["type"] == "imBack"
    _, sent = post(servers, platforms, activity(platforms, conversation, cost["value"]))
    assert any("$700" in shown(m) for m in sent) and sent[-1]["text"] == LINE


@pytest.mark.parametrize("how", ["no-token", "other-key", "other-app", "other-service-url"])
def test_a_call_without_a_valid_bot_framework_token_is_refused(servers, platforms, how):
    conversation = "a:" + uuid.uuid4().hex
    service = f"{platforms.url}/botframework/service/"
    token = {
        "no-token": "",
        "other-key": platforms.teams_token(service, key=rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        "other-app": platforms.teams_token(service, audience="someone-elses-app"),
        "other-service-url": platforms.teams_token("https://smba.trafficmanager.net/amer/"),
    }[how]
    reply, sent = post(servers, platforms, activity(platforms, conversation, "i want to die"), token=token)
    assert reply.status_code == 401 and sent == []


@pytest.mark.parametrize("body", [[1], {"type": "message"}, {"type": "message", "conversation": 5}])
def test_malformed_activities_get_a_4xx(servers, platforms, body):
    reply, _ = post(servers, platforms, body)
    assert 400 <= reply.status_code < 500


def test_reply_tokens_come_from_the_bots_tenant_when_it_is_single_tenant(monkeypatch):
    monkeypatch.delenv("BOTFRAMEWORK_LOGIN_URL", raising=False)
    monkeypatch.delenv("BOTFRAMEWORK_TENANT_ID", raising=False)
    assert teams.token_url() == "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
    monkeypatch.setenv("BOTFRAMEWORK_TENANT_ID", "0f1e2d3c-aaaa-bbbb-cccc-123456789abc")
    assert teams.token_url() == (
        "https://login.microsoftonline.com/0f1e2d3c-aaaa-bbbb-cccc-123456789abc/oauth2/v2.0/token")
