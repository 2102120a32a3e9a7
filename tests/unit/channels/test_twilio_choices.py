"""A numbered SMS reply picks a choice the bot offered, read from the stored
conversation; any other message costs no read of the store (channels/twilio.py)."""
import asyncio
from types import SimpleNamespace

from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels.turn import StatedCountry
from channels.twilio import SafeTwilioInput

CHOICES = [{"title": "What does it cost?", "payload": "How much does Imago therapy cost?"},
           {"title": "Find a therapist", "payload": "/find_therapist"}]


class CountingStore(InMemoryTrackerStore):
    """Rasa's in-memory tracker store, counting its reads."""

    def __init__(self) -> None:
        super().__init__(Domain.empty())
        self.reads = 0

    async def retrieve(self, sender_id):
        self.reads += 1
        return await super().retrieve(sender_id)


def sms_channel(store: CountingStore) -> SafeTwilioInput:
    channel = SafeTwilioInput("AC123", "token", "+15550000000", debug_mode=False)
    channel.stated_country = StatedCountry()
    channel.stated_country.app = SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=store)))
    return channel


def offered(store: CountingStore, phone: str) -> None:
    events = [UserUttered("hi"), BotUttered("Hi! What would you like to know?", {"buttons": CHOICES}),
              ActionExecuted("action_listen")]
    asyncio.run(store.save(DialogueStateTracker.from_events(f"twilio:{phone}", events)))


def test_a_number_picks_the_choice_offered_last():
    store = CountingStore()
    offered(store, "+15551234567")
    channel = sms_channel(store)
    assert asyncio.run(channel.picked_choice("+15551234567", "2")) == "/find_therapist"
    assert asyncio.run(channel.picked_choice("+15551234567", " #1. ")) == CHOICES[0]["payload"]
    assert asyncio.run(channel.picked_choice("+15551234567", "3")) is None  # not on offer: read as typed
    assert store.reads == 3


def test_any_other_message_does_not_read_the_store():
    store = CountingStore()
    offered(store, "+15551234567")
    channel = sms_channel(store)
    for text in ["how much does it cost?", "2 of us want to come", "", "two"]:
        assert asyncio.run(channel.picked_choice("+15551234567", text)) is None
    assert store.reads == 0
