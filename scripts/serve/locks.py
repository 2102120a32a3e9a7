"""Rasa's Redis lock store, made safe for two servers taking a ticket at the same moment.

Rasa 3.6's RedisLockStore keeps a conversation's ticket lock as one JSON value, and changes it by
reading it, changing it in Python and writing it back (issue_ticket, update_lock, cleanup), with
nothing in between to stop another server doing the same. Two replicas receiving messages for one
visitor at once can then both read "no tickets", both issue ticket 0 and both run their turn on the
same tracker: one turn's events are lost (tests/e2e/test_scale_out.py saw 2 of 8 messages go).
Here each of those read-change-write steps runs under a short Redis mutex per conversation (redis-py's
Lock: SET NX PX, released by a script that checks the owner), so tickets are issued one at a time.
The waiting itself is Rasa's, unchanged. LOCK_STORE_URL (scripts/serve/stores.py) names this class.
"""
from typing import Any, Optional, Text

from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

# Each guarded step is a Redis round trip or two: a guard older than this is a crashed holder's.
GUARD_SECONDS = 5


class AtomicRedisLockStore(RedisLockStore):
    """RedisLockStore whose ticket changes for one conversation never interleave (module docstring)."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        # Rasa builds a custom lock store from its endpoint config alone; the keys are RedisLockStore's.
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _guard(self, conversation_id: Text) -> Any:
        return self.red.lock(f"{self.key_prefix}{conversation_id}:guard", timeout=GUARD_SECONDS,
                             blocking_timeout=GUARD_SECONDS)

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._guard(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: Text) -> None:
        with self._guard(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        with self._guard(conversation_id):
            super().cleanup(conversation_id, ticket_number)
