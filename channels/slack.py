"""Slack (POST /webhooks/slack/webhook, Events API and interactivity) with safe turns.

On when SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set. SLACK_API_URL
(test-only) points the Web API client at a stand-in instead of slack.com.
Every call must carry a valid X-Slack-Signature (checked by Rasa's
connector too; here it is checked first, so a forged call gets a 403
before anything reads its body).
"""
import json
from typing import Any, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import Blueprint, response
from sanic.request import Request
from slack_sdk.web.async_client import AsyncWebClient

from channels.base import SafeInput, stand_in_url

# Slack's actions block holds up to 25 elements (Rasa 3.6 stops at 5).
MAX_BUTTONS = 25


class SafeSlackBot(SlackBot):
    def __init__(self, token: Text, slack_channel: Optional[Text] = None,
                 thread_id: Optional[Text] = None, proxy: Optional[Text] = None) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        api_url = stand_in_url("SLACK_API_URL")
        if api_url:
            self.client = AsyncWebClient(token, base_url=api_url + "/", proxy=proxy)

    async def _post_message(self, channel: Text, **kwargs: Any) -> None:
        # Rasa 3.6 sends as_user=True (and a stray `type`); Slack apps made
        # since 2020 get `invalid_arguments` for any as_user, so drop both.
        kwargs.pop("as_user", None)
        kwargs.pop("type", None)
        await super()._post_message(channel, **kwargs)

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        recipient = self.slack_channel or recipient_id
        # mrkdwn, so links render the same as in plain messages.
        text_block = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
        button_block = {
            "type": "actions",
            "elements": [
                {"type": "button", "text": {"type": "plain_text", "text": b["title"]}, "value": b["payload"]}
                for b in buttons[:MAX_BUTTONS]
            ],
        }
        await self._post_message(channel=recipient, as_user=True, text=text, blocks=[text_block, button_block])


class SafeSlackInput(SafeInput, SlackInput):
    NAME, LABEL = "slack", "Slack"
    REQUIRED = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")

    @classmethod
    def from_settings(cls, env: Dict[Text, Text]) -> InputChannel:
        return cls(
            env["SLACK_BOT_TOKEN"],
            slack_retry_reason_header="x-slack-retry-reason",  # Rasa's defaults
            slack_retry_number_header="x-slack-retry-num",
            slack_signing_secret=env["SLACK_SIGNING_SECRET"],
        )

    def get_output_channel(self, channel: Optional[Text] = None, thread_id: Optional[Text] = None) -> OutputChannel:
        return SafeSlackBot(self.slack_token, channel or self.slack_channel, thread_id, self.proxy)

    def refusal(self, request: Request) -> Optional[Text]:
        if not self.is_request_from_slack_authentic(request):
            return "missing or wrong X-Slack-Signature"
        return None

    def after_guard(self, webhook: Blueprint) -> None:
        @webhook.middleware("request")
        async def url_verification(request: Request) -> Any:
            # Slack's set-up handshake wants {"challenge": ...} back (Rasa 3.6
            # answers a bare JSON string). Runs after the signature check.
            if request.method == "POST" and request.headers.get("content-type") == "application/json":
                try:
                    body = json.loads(request.body or b"")
                except ValueError:
                    return response.json({"error": "The body is not valid JSON."}, status=400)
                if isinstance(body, dict) and body.get("type") == "url_verification":
                    return response.json({"challenge": body.get("challenge")})
                if not isinstance(body, dict):
                    return response.json({"error": "The body must be a JSON object."}, status=400)
            return None

        @webhook.middleware("response")
        async def no_500(request: Request, resp: Any) -> Any:
            # Rasa answers an unsupported interactive component with a 500.
            if resp is not None and resp.status == 500:
                return response.json({"error": "This kind of Slack input is not supported."}, status=400)
            return None
