"""Each messaging channel is off (no webhook at all) until its environment
variables are set, and says at start-up which ones switch it on."""
import asyncio
import logging

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels import gate
from channels.messenger import SafeFacebookInput
from channels.slack import SafeSlackInput
from channels.teams import SafeBotFrameworkInput
from channels.telegram import SafeTelegramInput
from channels.turn import StatedCountry
from channels.twilio import SafeTwilioInput, SafeWhatsAppInput

CHANNELS = {
    SafeSlackInput: ("slack", ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]),
    # The secret last: without it the channel is off (updates could be forged).
    SafeTelegramInput: ("telegram", ["TELEGRAM_BOT_TOKEN", "TELEGRAM_BOT_USERNAME", "TELEGRAM_WEBHOOK_URL",
                                     "TELEGRAM_SECRET_TOKEN"]),
    SafeFacebookInput: ("facebook", ["MESSENGER_PAGE_ACCESS_TOKEN", "MESSENGER_APP_SECRET", "MESSENGER_VERIFY_TOKEN"]),
    SafeTwilioInput: ("twilio", ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_SMS_NUMBER"]),
    SafeWhatsAppInput: ("whatsapp", ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_WHATSAPP_NUMBER"]),
    SafeBotFrameworkInput: ("botframework", ["BOTFRAMEWORK_APP_ID", "BOTFRAMEWORK_APP_PASSWORD"]),
}


async def never(message):
    raise AssertionError("an off channel must not handle messages")


@pytest.mark.parametrize("connector", CHANNELS, ids=[name for name, _ in CHANNELS.values()])
def test_a_channel_without_its_variables_is_off_and_says_how_to_switch_it_on(connector, platforms, monkeypatch,
                                                                             caplog):
    name, variables = CHANNELS[connector]
    for variable, value in platforms.env.items():
        monkeypatch.setenv(variable, value)
    monkeypatch.setenv(variables[-1], "  ")  # set but blank counts as unset
    with caplog.at_level(logging.INFO, logger="channels.gate"):
        channel = connector.from_credentials({})
    assert isinstance(channel, gate.ChannelOff) and channel.url_prefix() == name
    blueprint = channel.blueprint(never)
    assert not blueprint._future_routes and not blueprint._future_listeners  # no webhook, no start-up calls
    logged = [r for r in caplog.records if r.levelno == logging.INFO]
    assert len(logged) == 1 and all(v in logged[0].getMessage() for v in variables)
    assert not any(platforms.env[v] in logged[0].getMessage() for v in variables[:-1]), "no secrets in the log"


@pytest.mark.parametrize("connector", CHANNELS, ids=[name for name, _ in CHANNELS.values()])
def test_a_channel_with_its_variables_is_on(connector, platforms, monkeypatch):
    for variable, value in platforms.env.items():
        monkeypatch.setenv(variable, value)
    channel = connector.from_credentials(None)
    assert isinstance(channel, connector) and channel.url_prefix() == CHANNELS[connector][0]


class FakeApp:
    """Just enough of the running app for the tracker lookups."""

    def __init__(self, tracker):
        class Store:
            async def retrieve(self, sender_id):
                return tracker

        class Agent:
            tracker_store = Store()

        class Ctx:
            agent = Agent()

        self.ctx = Ctx()


def test_last_buttons_are_read_from_the_stored_conversation():
    greet = [{"title": "Cost", "payload": "How much does Imago therapy cost?"}]
    later = [{"title": "Online", "payload": "online"}, {"title": "Skip", "payload": "skip"}]
    events = [UserUttered("hi"), BotUttered("Hi", {"buttons": greet}), ActionExecuted("action_listen"),
              UserUttered("help me choose"), BotUttered("How?", {"buttons": later[:1]}),
              BotUttered("Where?", {"buttons": later[1:]}), ActionExecuted("action_listen")]
    lookup = StatedCountry()
    lookup.app = FakeApp(DialogueStateTracker.from_events("v", events))
    assert asyncio.run(lookup.last_buttons("v")) == later  # this turn's, in order; not the greeting's


def test_no_stored_conversation_means_no_choices():
    lookup = StatedCountry()
    lookup.app = FakeApp(None)
    assert asyncio.run(lookup.last_buttons("v")) == []
    lookup.app = None  # the store cannot be reached: the reply is read as typed
    assert asyncio.run(lookup.last_buttons("v")) == []
