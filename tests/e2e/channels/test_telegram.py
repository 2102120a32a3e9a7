"""Telegram end to end: the Bot API's documented Update posted to the
running connector, replies caught at the stand-in Bot API."""
import json
import random
import time

import pytest
import requests

from tests.helpers import LINE
from tests.platforms import TELEGRAM_SECRET


def new_chat() -> int:
    return random.randint(10**8, 10**9)


def message_update(chat_id: int, text: str) -> dict:
    user = {"id": chat_id, "is_bot": False, "first_name": "Visitor", "language_code": "en"}
    return {"update_id": random.randint(1, 10**9), "message": {
        "message_id": random.randint(1, 10**6), "from": user, "date": int(time.time()),
        "chat": {"id": chat_id, "first_name": "Visitor", "type": "private"}, "text": text}}


def button_update(chat_id: int, data: str) -> dict:
    user = {"id": chat_id, "is_bot": False, "first_name": "Visitor"}
    return {"update_id": random.randint(1, 10**9), "callback_query": {
        "id": str(random.randint(1, 10**9)), "from": user, "chat_instance": "1", "data": data,
        "message": {"message_id": 5, "date": int(time.time()), "chat": {"id": chat_id, "type": "private"},
                    "text": "Pick a topic"}}}


def post(servers, platforms, chat_id, update, secret=TELEGRAM_SECRET):
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    before = len(platforms.telegram(chat_id))
    reply = requests.post(f"{servers.url}/webhooks/telegram/webhook", json=update, headers=headers, timeout=120)
    return reply, platforms.telegram(chat_id)[before:]


def test_the_webhook_was_registered_with_the_secret_token(servers, platforms):
    calls = platforms.find(lambda c: c.path.endswith("/setWebhook"))
    assert calls and calls[-1].body == {"url": "https://bot.example.org/webhooks/telegram/webhook",
                                        "secret_token": TELEGRAM_SECRET}


def test_faq_answer_ends_with_the_crisis_line(servers, platforms):
    chat = new_chat()
    reply, sent = post(servers, platforms, chat, message_update(chat, "how much does imago therapy cost?"))
    assert reply.status_code == 200
    assert any("$700" in m["text"] for m in sent) and sent[-1]["text"] == LINE


def test_crisis_gets_the_hotlines_first_as_text(servers, platforms):
    chat = new_chat()
    _, sent = post(servers, platforms, chat, message_update(chat, "i want to die"))
    assert sent[0]["text"].startswith("I'm really glad you told me")
    assert "988" in sent[0]["text"] and "741741" in sent[0]["text"]


def test_buttons_are_a_keyboard_with_a_row_each_and_a_tap_picks_one(servers, platforms):
    chat = new_chat()
    _, sent = post(servers, platforms, chat, message_update(chat, "hi"))
    keyboard = json.loads(sent[0]["reply_markup"])["inline_keyboard"]
    assert [row[0]["text"] for row in keyboard][:2] == ["What is Imago therapy?", "What does it cost?"]
    assert all(len(row) == 1 for row in keyboard)
    _, sent = post(servers, platforms, chat, button_update(chat, keyboard[1][0]["callback_data"]))
    assert any("$700" in m["text"] for m in sent) and sent[-1]["text"] == LINE


@pytest.mark.parametrize("secret", [None, "wrong-secret"], ids=["no-secret", "wrong-secret"])
def test_an_update_without_the_secret_token_is_refused(servers, platforms, secret):
    chat = new_chat()
    reply, sent = post(servers, platforms, chat, message_update(chat, "i want to die"), secret=secret)
    assert reply.status_code == 403 and sent == []


@pytest.mark.parametrize("body", [b"[1, 2]", b"{not json", b'{"update_id": 1}', b'{"update_id": 1, "message": 5}'])
def test_malformed_updates_get_a_4xx(servers, body):
    reply = requests.post(f"{servers.url}/webhooks/telegram/webhook", data=body, timeout=30,
                          headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET,
                                   "Content-Type": "application/json"})
    assert 400 <= reply.status_code < 500


def test_set_webhook_route_is_not_exposed(servers):
    assert requests.get(f"{servers.url}/webhooks/telegram/set_webhook", timeout=30).status_code == 404
