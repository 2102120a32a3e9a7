"""Long answers reach each platform in parts within its limit, the crisis
line last: a turn through safe_turn and our real output channels (Rasa's
senders and the platform client libraries) to the stand-in APIs. No
answer in the current content is that long, so the model is replaced by
a handler that says one long text; everything after it is real."""
import asyncio
import uuid

import pytest
from rasa.core.channels.channel import UserMessage

from channels import http, render
from channels.messenger import SafeMessenger, SafeMessengerBot
from channels.slack import SafeSlackBot
from channels.teams import SafeBotFramework
from channels.telegram import SafeTelegramOutput
from channels.turn import safe_turn
from channels.twilio import SafeTwilioOutput
from tests.helpers import LINE
from tests.platforms import SMS_NUMBER, TELEGRAM_TOKEN, TWILIO_SID, TWILIO_TOKEN

SENTENCE = "In Imago dialogue one partner mirrors, validates and empathises with the other. "
LONG = SENTENCE * 160  # about 13,000 characters, in one message


@pytest.fixture
def platform_env(platforms, monkeypatch):
    for name, value in platforms.env.items():
        monkeypatch.setenv(name, value)
    return platforms


def say_long(output, sender, channel):
    async def model(message):
        await message.output_channel.send_response(sender, {"text": LONG})

    async def run():
        await safe_turn(model)(UserMessage("tell me everything", output, sender, input_channel=channel))
        session = getattr(output, "_session", None)  # aiogram keeps one per bot
        if session is not None:
            await session.close()
        await http.close()  # our senders' aiohttp session (channels/http.py)

    asyncio.run(run())


def check_parts(texts, limit):
    assert len(texts) >= 3, texts  # at least two parts and the line
    assert all(len(t) <= limit for t in texts)
    assert texts[-1] == LINE
    assert " ".join(texts[:-1]) == LONG.strip()  # nothing lost, cut between sentences


def test_sms(platform_env):
    phone = "+1555" + str(uuid.uuid4().int)[:7]
    say_long(SafeTwilioOutput(TWILIO_SID, TWILIO_TOKEN, SMS_NUMBER, "twilio"), phone, "twilio")
    check_parts(platform_env.sms(phone), 1600)


def test_telegram(platform_env):
    chat = str(uuid.uuid4().int)[:9]
    say_long(SafeTelegramOutput(TELEGRAM_TOKEN), chat, "telegram")
    check_parts([m["text"] for m in platform_env.telegram(chat)], 4096)


def test_messenger(platform_env):
    psid = str(uuid.uuid4().int)[:16]
    client = SafeMessenger("page-token", None).client
    say_long(SafeMessengerBot(client), psid, "facebook")
    check_parts([m["text"] for m in platform_env.messenger(psid)], 2000)


def test_slack(platform_env):
    channel = "D" + uuid.uuid4().hex[:10].upper()
    say_long(SafeSlackBot("xoxb-test-token", channel), channel, "slack")
    check_parts([c.body["text"] for c in platform_env.slack_calls(channel)], render.LIMITS["slack"])


def test_teams(platform_env):
    conversation = "a:" + uuid.uuid4().hex
    output = SafeBotFramework("app", "password", {"id": conversation}, {"id": "28:bot"},
                              f"{platform_env.url}/botframework/service")
    say_long(output, "29:visitor", "botframework")
    check_parts([c.body["text"] for c in platform_env.teams(conversation)], render.LIMITS["botframework"])
