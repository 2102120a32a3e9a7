"""Facebook Messenger (GET/POST /webhooks/facebook/webhook) with safe turns.

On when MESSENGER_PAGE_ACCESS_TOKEN, MESSENGER_APP_SECRET and
MESSENGER_VERIFY_TOKEN are set. MESSENGER_API_URL (test-only) replaces
https://graph.facebook.com/v<version> for sending.

Every POST must be signed with the app secret: X-Hub-Signature-256
(sha256, what Meta documents) or, when only that is sent, X-Hub-Signature
(sha1). Rasa 3.6 checks only the sha1 header, trusts the hash name the
caller puts in it, and answers a wrong signature with a 200; here a wrong
or missing signature gets a 403.
"""
import hashlib
import hmac
from typing import Any, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel
from rasa.core.channels.facebook import FacebookInput, Messenger
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.base import Handler, SafeInput, stand_in_url


def signature_ok(app_secret: Text, body: bytes, headers: Any) -> bool:
    for header, algorithm in (("X-Hub-Signature-256", hashlib.sha256), ("X-Hub-Signature", hashlib.sha1)):
        sent = headers.get(header)
        if sent:  # the strongest header present decides
            expected = hmac.new(app_secret.encode("utf-8"), body, algorithm).hexdigest()
            name = "sha256" if algorithm is hashlib.sha256 else "sha1"
            return hmac.compare_digest(sent, f"{name}={expected}")
    return False


class SafeMessenger(Messenger):
    def __init__(self, page_access_token: Text, on_new_message: Handler) -> None:
        super().__init__(page_access_token, on_new_message)
        api_url = stand_in_url("MESSENGER_API_URL")
        if api_url:
            self.client.graph_url = api_url


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
