"""What the retention tests on SQLite (tests/unit) and PostgreSQL (tests/e2e) share: conversations
last active some days ago, saved through the store, and the check that exactly the old ones go."""
import asyncio
import time

from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

DAY = 24 * 3600.0
# Conversation id -> the ages in days of its events. "revived" began long ago but is active again.
CONVERSATIONS = {"rest:old": [45, 44], "twilio:+15550009999": [31], "rest:recent": [2, 1],
                 "rest:revived": [60, 1], "rest:today": [0]}
OLD = {"rest:old", "twilio:+15550009999"}


def fill(store, now: float) -> None:
    async def save_all():
        for sender, ages in CONVERSATIONS.items():
            tracker = DialogueStateTracker(sender, [])
            for age in ages:
                tracker.update(UserUttered("hello", timestamp=now - age * DAY))
                tracker.update(ActionExecuted("action_listen", timestamp=now - age * DAY + 1))
            await store.save(tracker)

    asyncio.run(save_all())


def check_purge(store) -> None:
    """Thirty days: the two old conversations go whole (3 messages, 6 events); the rest stay whole."""
    now = time.time()
    fill(store, now)
    done = store.purge(now)
    assert (done.conversations, done.events) == (2, 6)
    assert set(asyncio.run(store.keys())) == set(CONVERSATIONS) - OLD
    revived = asyncio.run(store.retrieve_full_tracker("rest:revived"))
    assert len([e for e in revived.events if isinstance(e, UserUttered)]) == 2  # its old part is kept with it
    again = store.purge(now)
    assert (again.conversations, again.events) == (0, 0)
