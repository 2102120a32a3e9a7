"""What every connector in credentials.yml is built on: `SafeInput`.

A connector is `class SafeXInput(SafeInput, XInput)` over Rasa's own
connector for the platform, and says only what differs there:
  - NAME (its URL prefix and the conversation id's channel), LABEL (logs);
  - REQUIRED / OPTIONAL environment variables and `from_settings`: the
    channel is off (`gate.ChannelOff`) until every REQUIRED one is set.
    With none (the website's channels) Rasa's own `from_credentials` reads
    credentials.yml and the channel is always on;
  - its webhook: Rasa's, or with OWN_WEBHOOK its own POST /webhook that
    calls `receive(request, handle)`;
  - `refusal(request)`: why a forged call is refused (e.g. a bad signature);
  - `after_guard(webhook)`: middleware and listeners that must run after
    that check.
The base wraps Rasa's handler in `safe_turn` (handoff first, crisis line
on every turn) before any route sees it, so no connector can skip it, and
puts channels/limits.py's body size and JSON depth limits on every webhook.
On the website's channels (not GUARDED) the caller is the visitor's own
client, so its address is set for the turn's per-address rate limit
(channels/limiter.py); a platform's webhook comes from the platform.
"""
import os
from typing import Any, Dict, Optional, Sequence, Text

from rasa.core.channels.channel import InputChannel
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import gate, limiter, limits
from channels.turn import Handler, StatedCountry, safe_turn


def stand_in_url(variable: Text) -> Optional[Text]:
    """A test-only variable's URL (docs/channels.md), without a trailing "/"; None when unset.

    Each points one platform API at tests/platforms.py; production
    leaves them unset and the client library keeps the platform's own URL.
    """
    return os.environ.get(variable, "").strip().rstrip("/") or None


class SafeInput(InputChannel):
    NAME: Text = ""
    LABEL: Text = ""  # the platform's name in log lines
    REQUIRED: Sequence[Text] = ()
    OPTIONAL: Sequence[Text] = ()
    # Our own POST /webhook, calling `receive`, where Rasa's route lacks
    # the checks or the output channel the platform needs.
    OWN_WEBHOOK = False
    # gate.guard: refuse forged calls and answer unreadable ones with a 400.
    # The website's channels check their own input instead.
    GUARDED = True
    refusal: Optional[gate.Check] = None  # a method where the platform signs its calls

    @classmethod
    def name(cls) -> Text:
        return cls.NAME

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if not cls.REQUIRED:
            return super().from_credentials(credentials)
        env = gate.settings(cls.LABEL, cls.REQUIRED, cls.OPTIONAL)
        if env is None:
            return gate.ChannelOff(cls.name())
        return cls.from_settings(env)

    @classmethod
    def from_settings(cls, env: Dict[Text, Text]) -> InputChannel:
        raise NotImplementedError(f"{cls.__name__} has REQUIRED variables but no from_settings")

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        # Kept on the connector: Twilio reads the last choices offered from it.
        self.stated_country = StatedCountry()
        handle = safe_turn(on_new_message, self.stated_country)
        webhook = self.stated_country.attach(self.routes(handle))
        if self.GUARDED:
            webhook = gate.guard(webhook, self.LABEL, self.refusal)
            # After the signature check, before anything parses the body.
            limits.refuse_deep_json(webhook)
        else:
            proxies = limiter.trusted_proxies()  # read at start-up: a bad setting stops the server

            @webhook.middleware("request")
            async def note_address(request: Request) -> None:
                # Same task as the route, so the turn sees it; never stored or logged.
                forwarded = ",".join(request.headers.getall("x-forwarded-for", []))
                limiter.client_address.set(limiter.visitor_address(request.ip, forwarded, proxies))
        limits.limit_body(webhook)  # every channel, so no launch can skip it
        self.after_guard(webhook)
        return webhook

    def routes(self, handle: Handler) -> Blueprint:
        """The platform's webhook, every message going to `handle`."""
        if not self.OWN_WEBHOOK:
            return super().blueprint(handle)  # Rasa's, after SafeInput in the MRO
        webhook = gate.own_webhook(self.name())

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self.receive(request, handle)

        return webhook

    async def receive(self, request: Request, handle: Handler) -> HTTPResponse:
        raise NotImplementedError(f"{type(self).__name__} has OWN_WEBHOOK but no receive")

    def after_guard(self, webhook: Blueprint) -> None:
        return None
