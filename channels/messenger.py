"""Facebook Messenger (GET/POST /webhooks/facebook/webhook) with safe turns.

On when MESSENGER_PAGE_ACCESS_TOKEN, MESSENGER_APP_SECRET and
MESSENGER_VERIFY_TOKEN are set. MESSENGER_API_URL (test-only) replaces
https://graph.facebook.com/v<version> for sending.

Every POST must be signed with the app secret: X-Hub-Signature-256
(sha256, what Meta documents) or, when only that is sent, X-Hub-Signature
(sha1). Rasa 3.6 checks only the sha1 header, trusts the hash name the
caller puts in it, and answers a wrong signature with a 200; here a wrong
or missing signature gets a 403.

Replies, "seen" and typing indicators go to the Send API with aiohttp
(channels/http.py), not fbmessenger's blocking client: Rasa's MessengerBot
still shapes every message, into an outbox, and `SafeMessengerBot` posts
what it collected. A failed send is logged by type; the rest of the turn
still goes out (channels/turn.py).
"""
import hashlib
import hmac
import logging
from typing import Any, Dict, List, Optional, Text

from fbmessenger import MessengerClient
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.facebook import FacebookInput, Messenger, MessengerBot
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import http
from channels.base import Handler, SafeInput, stand_in_url

logger = logging.getLogger(__name__)


def signature_ok(app_secret: Text, body: bytes, headers: Any) -> bool:
    for header, algorithm in (("X-Hub-Signature-256", hashlib.sha256), ("X-Hub-Signature", hashlib.sha1)):
        sent = headers.get(header)
        if sent:  # the strongest header present decides
            expected = hmac.new(app_secret.encode("utf-8"), body, algorithm).hexdigest()
            name = "sha256" if algorithm is hashlib.sha256 else "sha1"
            return hmac.compare_digest(sent, f"{name}={expected}")
    return False


class Outbox:
    """Takes fbmessenger's client's place inside Rasa's MessengerBot: keeps
    the Send API bodies the client would have posted, in order."""

    def __init__(self) -> None:
        self.bodies: List[Dict[Text, Any]] = []

    def send(self, payload: Any, recipient_id: Text, messaging_type: Text = "RESPONSE", **_: Any) -> None:
        self.bodies.append({"messaging_type": messaging_type, "notification_type": "REGULAR",
                            "recipient": {"id": recipient_id}, "message": payload})

    def send_action(self, sender_action: Text, recipient_id: Text, **_: Any) -> None:
        self.bodies.append({"recipient": {"id": recipient_id}, "sender_action": sender_action})


class SafeMessengerBot(MessengerBot):
    """Rasa's Messenger output, posting with aiohttp to the same URL with the same token."""

    def __init__(self, client: MessengerClient) -> None:
        super().__init__(Outbox())  # type: ignore[arg-type]
        self.url = f"{client.graph_url}/me/messages"
        self.auth = client.auth_args  # the page token, as a query parameter

    async def _post_outbox(self) -> None:
        bodies, self.messenger_client.bodies = self.messenger_client.bodies, []
        failure = None
        for body in bodies:  # a message Rasa split at blank lines: send every part
            try:
                await http.call("POST", self.url, "Messenger", params=self.auth, json=body)
            except http.ERRORS as e:
                failure = failure or e
        if failure is not None:
            raise failure

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        await super().send_response(recipient_id, message)
        await self._post_outbox()

    async def send_action(self, recipient_id: Text, sender_action: Text) -> None:
        await super().send_action(recipient_id, sender_action)
        try:
            await self._post_outbox()
        except http.ERRORS as e:  # a lost typing indicator costs nothing; the turn goes on
            logger.warning("Messenger %s not sent (%s)", sender_action, type(e).__name__)


class SafeMessenger(Messenger):
    def __init__(self, page_access_token: Text, on_new_message: Handler) -> None:
        super().__init__(page_access_token, on_new_message)
        api_url = stand_in_url("MESSENGER_API_URL")
        if api_url:
            self.client.graph_url = api_url

    async def _handle_user_message(self, text: Text, sender_id: Text, metadata: Optional[Dict[Text, Any]]) -> None:
        """Rasa's, with the aiohttp output."""
        out_channel = SafeMessengerBot(self.client)
        await out_channel.send_action(sender_id, sender_action="mark_seen")
        await out_channel.send_action(sender_id, sender_action="typing_on")
        try:
            await self.on_new_message(UserMessage(text, out_channel, sender_id, input_channel=self.name(),
                                                  metadata=metadata))
        except Exception as e:  # Meta still gets its 200, as from Rasa's; only the type is logged
            logger.error("Handling a Messenger message failed (%s)", type(e).__name__)
        finally:
            await out_channel.send_action(sender_id, sender_action="typing_off")


class SafeFacebookInput(SafeInput, FacebookInput):
    NAME, LABEL = "facebook", "Messenger"
    OWN_WEBHOOK = True
    REQUIRED = ("MESSENGER_PAGE_ACCESS_TOKEN", "MESSENGER_APP_SECRET", "MESSENGER_VERIFY_TOKEN")

    @classmethod
    def from_settings(cls, env: Dict[Text, Text]) -> InputChannel:
        return cls(env["MESSENGER_VERIFY_TOKEN"], env["MESSENGER_APP_SECRET"], env["MESSENGER_PAGE_ACCESS_TOKEN"])

    def refusal(self, request: Request) -> Optional[Text]:
        if not signature_ok(self.fb_secret, request.body or b"", request.headers):
            return "missing or wrong X-Hub-Signature-256 / X-Hub-Signature"
        return None

    def routes(self, handle: Handler) -> Blueprint:
        webhook = super().routes(handle)

        @webhook.route("/webhook", methods=["GET"])
        async def verify_token(request: Request) -> HTTPResponse:
            # Meta's subscription handshake.
            sent = request.args.get("hub.verify_token") or ""
            if request.args.get("hub.mode") == "subscribe" and hmac.compare_digest(sent, self.fb_verify):
                return response.text(request.args.get("hub.challenge") or "")
            return response.json({"error": "wrong verify token"}, status=403)

        return webhook

    async def receive(self, request: Request, handle: Handler) -> HTTPResponse:
        body = request.json
        if not isinstance(body, dict) or not isinstance(body.get("entry"), list):
            return response.json({"error": 'Expected a Messenger webhook event with an "entry" list.'}, status=400)
        await SafeMessenger(self.fb_access_token, handle).handle(body, self.get_metadata(request))
        return response.text("EVENT_RECEIVED")

    def after_guard(self, webhook: Blueprint) -> None:
        http.close_at_stop(webhook)
