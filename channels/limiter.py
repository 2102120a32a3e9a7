"""Rate limits: per conversation and per client address, in the Rasa server.

`RATE_LIMIT_CONVERSATION` (default "20/60": 20 messages in any 60 s) and
`RATE_LIMIT_ADDRESS` (default "120/60") set them; "off" turns one off.
channels/turn.py's safe_turn asks `Limits.admit` once per message, after
the rule layer has read it: a message over a limit is not passed to Rasa
and gets SLOW_DOWN_REPLY (with the crisis line, as every turn), and a
crisis message over a limit gets the handoff alone, built without Rasa.

The client address is only known for the website's channels, where the
visitor's own browser or client calls us: channels/base.py sets
`client_address` for the REST route and channels/socketio.py for each
Socket.IO event. The messaging platforms' webhooks come from the
platform's servers (one address for every SMS visitor), so they are
limited per conversation only. The address lives in this context variable
for the one turn: it is never stored in the tracker nor logged.
Behind a reverse proxy every caller has the proxy's address: name it in
`TRUSTED_PROXIES` (comma-separated addresses or networks) and the
visitor's address is read from its X-Forwarded-For header; that header is
ignored from anyone else, since a client can write anything in it.

Each limit is a sliding window: the times of the messages let through in
the last window, per key, at most its count of them. Memory is bounded:
past MAX_KEYS keys the least recently seen is forgotten.
"""
import ipaddress
import os
import time
from collections import OrderedDict, deque
from contextvars import ContextVar
from typing import Deque, List, Optional, Text, Union

SLOW_DOWN_REPLY = "You're sending messages faster than I can answer; please wait a moment."
DEFAULTS = {"RATE_LIMIT_CONVERSATION": "20/60", "RATE_LIMIT_ADDRESS": "120/60"}
MAX_KEYS = 10_000

client_address: ContextVar[Optional[Text]] = ContextVar("client_address", default=None)

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]


class RateLimit:
    """At most `count` admitted hits per key in any `window` seconds."""

    def __init__(self, count: int, window: float, max_keys: int = MAX_KEYS) -> None:
        if count < 1 or window <= 0 or max_keys < 1:
            raise ValueError("a rate limit needs a count of at least 1 and a positive window")
        self.count, self.window, self.max_keys = count, window, max_keys
        self.hits: "OrderedDict[Text, Deque[float]]" = OrderedDict()

    @classmethod
    def parse(cls, variable: Text, value: Optional[Text] = None) -> Optional["RateLimit"]:
        """The limit an environment variable sets ("20/60"), None when "off"."""
        value = (os.environ.get(variable, DEFAULTS.get(variable, "off")) if value is None else value).strip()
        if value.lower() == "off":
            return None
        try:
            count, window = value.split("/")
            return cls(int(count), float(window))
        except ValueError:
            # At start-up, so a typo stops the server instead of lifting the limit.
            raise ValueError(f'{variable} must look like "20/60" (messages/seconds) or "off", not {value!r}')

    def allows(self, key: Text, now: float) -> bool:
        times = self.hits.get(key)
        return times is None or len(times) < self.count or now - times[0] >= self.window

    def hit(self, key: Text, now: float) -> None:
        times = self.hits.pop(key, None) or deque(maxlen=self.count)
        times.append(now)
        self.hits[key] = times  # last in the order: most recently seen
        while len(self.hits) > self.max_keys:
            self.hits.popitem(last=False)


_address_limit: Optional[RateLimit] = None
_address_limit_read = False


def shared_address_limit() -> Optional[RateLimit]:
    """One address limit for the whole process: a visitor's address has one
    budget whether it talks REST or Socket.IO."""
    global _address_limit, _address_limit_read
    if not _address_limit_read:
        _address_limit = RateLimit.parse("RATE_LIMIT_ADDRESS")
        _address_limit_read = True
    return _address_limit


class Limits:
    """The conversation limit and the address limit, asked together."""

    def __init__(self, conversation: Optional[RateLimit], address: Optional[RateLimit]) -> None:
        self.conversation, self.address = conversation, address

    @classmethod
    def from_env(cls) -> "Limits":
        # Conversation ids are namespaced by channel, so each channel's
        # safe_turn can keep its own conversation limit.
        return cls(RateLimit.parse("RATE_LIMIT_CONVERSATION"), shared_address_limit())

    def admit(self, conversation: Text, address: Optional[Text] = None) -> bool:
        """Whether this message may go to Rasa; counted only when it may."""
        now = time.monotonic()
        checks = [(self.conversation, conversation), (self.address, address)]
        checks = [(limit, key) for limit, key in checks if limit is not None and key]
        if not all(limit.allows(key, now) for limit, key in checks):
            return False
        for limit, key in checks:
            limit.hit(key, now)
        return True


def trusted_proxies(value: Optional[Text] = None) -> List[Network]:
    """The networks named in TRUSTED_PROXIES ("127.0.0.1,10.0.0.0/8")."""
    value = os.environ.get("TRUSTED_PROXIES", "") if value is None else value
    try:
        return [ipaddress.ip_network(p.strip(), strict=False) for p in value.split(",") if p.strip()]
    except ValueError:
        raise ValueError(f"TRUSTED_PROXIES must list IP addresses or networks, not {value!r}")


def _is_in(address: Text, networks: List[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def visitor_address(peer: Optional[Text], forwarded_for: Optional[Text],
                    proxies: Optional[List[Network]] = None) -> Optional[Text]:
    """The visitor's address: the peer's, or, when the peer is a trusted
    proxy, the nearest address in X-Forwarded-For that is not one."""
    proxies = trusted_proxies() if proxies is None else proxies
    address = peer or None
    if not (address and forwarded_for and _is_in(address, proxies)):
        return address
    # Proxies append the address they saw, so read from the right; what a
    # client wrote itself sits further left and is never reached.
    for hop in reversed([h.strip() for h in forwarded_for.split(",")]):
        try:
            address = str(ipaddress.ip_address(hop))
        except ValueError:
            return address  # garbage past our proxies: stop at the last good hop
        if not _is_in(address, proxies):
            return address
    return address
