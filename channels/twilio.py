"""SMS and WhatsApp through Twilio, with safe turns.

  POST /webhooks/twilio/webhook    SMS: on when TWILIO_ACCOUNT_SID,
                                   TWILIO_AUTH_TOKEN and TWILIO_SMS_NUMBER are set
  POST /webhooks/whatsapp/webhook  WhatsApp: on when TWILIO_ACCOUNT_SID,
                                   TWILIO_AUTH_TOKEN and TWILIO_WHATSAPP_NUMBER
                                   ("whatsapp:+1...") are set

Buttons arrive as numbered choices (channels/render.py); a reply of a bare
number is turned back into that choice's payload, read from the tracker
store, so it works after a restart too (only for such a reply: any other
text costs no extra read).

Every call must carry a valid X-Twilio-Signature (Rasa 3.6 does not check
it). Twilio signs the exact URL it calls; behind a proxy that rewrites the
URL, set TWILIO_SMS_WEBHOOK_URL / TWILIO_WHATSAPP_WEBHOOK_URL to the URL
entered in the Twilio console. TWILIO_API_URL (test-only) replaces
https://api.twilio.com for sending.

Replies go out through Twilio's Messages API with aiohttp (channels/http.py),
not the twilio library's blocking client, so a slow Twilio holds up only
this visitor's turn; a send that fails or times out is logged by type and
the rest of the turn still goes out (channels/turn.py).
"""
import logging
from typing import Any, Dict, List, Optional, Text, Tuple

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.twilio import TwilioInput, TwilioOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from channels import http, render
from channels.base import Handler, SafeInput, stand_in_url
from channels.turn import conversation_id

logger = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH = 1600  # what Twilio accepts in one inbound body
API_URL = "https://api.twilio.com"


def twilio_form(message_data: Dict[Text, Any]) -> List[Tuple[Text, Text]]:
    """Rasa's keyword arguments for the twilio library ("from_", "media_url")
    as the form fields the library would post ("From", "MediaUrl", one per item)."""
    form = []
    for key, value in message_data.items():
        field = "".join(part.capitalize() for part in key.split("_") if part)
        for item in value if isinstance(value, list) else [value]:
            form.append((field, str(item)))
    return form


class SafeTwilioOutput(TwilioOutput):
    """Rasa's Twilio output (blank-line splitting, images, custom JSON), sending with aiohttp."""

    def __init__(self, account_sid: Text, auth_token: Text, twilio_number: Text, name: Text) -> None:
        super().__init__(account_sid, auth_token, twilio_number)
        self._name = name
        base = stand_in_url("TWILIO_API_URL") or API_URL
        self.messages_url = f"{base}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self.auth = aiohttp.BasicAuth(account_sid, auth_token)

    def name(self) -> Text:  # type: ignore[override]
        return self._name

    async def _send_message(self, message_data: Dict[Text, Any]) -> Any:
        # Raises on a failure (Rasa's logs Twilio's error text, which quotes the phone number).
        return await http.call("POST", self.messages_url, "Twilio", data=twilio_form(message_data), auth=self.auth)


class SafeTwilioInput(SafeInput, TwilioInput):
    NAME, LABEL = "twilio", "Twilio SMS"
    OWN_WEBHOOK = True
    NUMBER, URL = "TWILIO_SMS_NUMBER", "TWILIO_SMS_WEBHOOK_URL"
    REQUIRED, OPTIONAL = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", NUMBER), (URL,)
    public_url = ""

    @classmethod
    def from_settings(cls, env: Dict[Text, Text]) -> InputChannel:
        channel = cls(env["TWILIO_ACCOUNT_SID"], env["TWILIO_AUTH_TOKEN"], env[cls.NUMBER], debug_mode=False)
        channel.public_url = env[cls.URL]
        return channel

    def get_output_channel(self) -> OutputChannel:
        return SafeTwilioOutput(self.account_sid, self.auth_token, self.twilio_number, self.name())

    def refusal(self, request: Request) -> Optional[Text]:
        url = self.public_url or request.url
        params = {key: values[0] for key, values in request.form.items()}
        if not RequestValidator(self.auth_token).validate(url, params, request.headers.get("X-Twilio-Signature", "")):
            return "missing or wrong X-Twilio-Signature"
        return None

    async def receive(self, request: Request, handle: Handler) -> HTTPResponse:
        sender, text = request.form.get("From"), request.form.get("Body")
        if not sender or text is None:
            return response.json({"error": "Expected Twilio's From and Body fields."}, status=400)
        if len(text) > MAX_MESSAGE_LENGTH:
            return response.json({"error": "Body is too long."}, status=413)
        text = text.replace("¡", "@")  # some carriers turn @ into ¡ (as Rasa does)
        choice = await self.picked_choice(sender, text)
        if choice is not None:
            logger.debug("A numbered reply picked one of the choices offered")
            text = choice
        await handle(UserMessage(text, self.get_output_channel(), sender,
                                 input_channel=self.name(), metadata=self.get_metadata(request)))
        # Replies go out through the REST API; an empty TwiML answer sends nothing more.
        return response.text("<Response/>", content_type="text/xml")

    async def picked_choice(self, sender: Text, text: Text) -> Optional[Text]:
        """The payload a bare-number reply picks from the choices offered last, else None.
        Only such a reply reads the stored conversation: every other message skips that read."""
        if not render.BARE_NUMBER.fullmatch(text):
            return None
        offered = await self.stated_country.last_buttons(conversation_id(self.name(), sender))
        return render.pick_choice(text, offered)

    def after_guard(self, webhook: Blueprint) -> None:
        http.close_at_stop(webhook)


class SafeWhatsAppInput(SafeTwilioInput):
    NAME, LABEL = "whatsapp", "Twilio WhatsApp"
    NUMBER, URL = "TWILIO_WHATSAPP_NUMBER", "TWILIO_WHATSAPP_WEBHOOK_URL"
    REQUIRED, OPTIONAL = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", NUMBER), (URL,)
