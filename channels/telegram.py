"""Telegram (POST /webhooks/telegram/webhook) with safe turns.

On when TELEGRAM_BOT_TOKEN (from @BotFather), TELEGRAM_BOT_USERNAME,
TELEGRAM_WEBHOOK_URL (the public https URL of /webhooks/telegram/webhook)
and TELEGRAM_SECRET_TOKEN are set. The secret is registered with the
webhook and every update must carry it in X-Telegram-Bot-Api-Secret-Token;
it is required because without it anyone could post forged updates and
have the bot send its messages to any chat id.
TELEGRAM_API_URL (test-only) points the bot at a stand-in instead of
https://api.telegram.org.
"""
import hmac
import logging
from typing import Any, Dict, Optional, Text

from aiogram.bot.api import TELEGRAM_PRODUCTION, TelegramAPIServer
from rasa.core.channels.channel import InputChannel
from rasa.core.channels.telegram import TelegramInput, TelegramOutput
from sanic import Blueprint, response
from sanic.request import Request

from channels.base import SafeInput, stand_in_url

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class SafeTelegramOutput(TelegramOutput):
    def __init__(self, access_token: Optional[Text]) -> None:
        api_url = stand_in_url("TELEGRAM_API_URL")
        server = TelegramAPIServer.from_base(api_url) if api_url else TELEGRAM_PRODUCTION
        super(TelegramOutput, self).__init__(access_token, server=server)


class SafeTelegramInput(SafeInput, TelegramInput):
    NAME, LABEL = "telegram", "Telegram"
    REQUIRED = ("TELEGRAM_BOT_TOKEN", "TELEGRAM_BOT_USERNAME", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_SECRET_TOKEN")
    secret_token = ""
    _output: Optional[SafeTelegramOutput] = None

    @classmethod
    def from_settings(cls, env: Dict[Text, Text]) -> InputChannel:
        channel = cls(env["TELEGRAM_BOT_TOKEN"], env["TELEGRAM_BOT_USERNAME"], env["TELEGRAM_WEBHOOK_URL"])
        channel.secret_token = env["TELEGRAM_SECRET_TOKEN"]
        return channel

    def get_output_channel(self) -> TelegramOutput:
        # Rasa's version sets the webhook here with asyncio.run, outside the
        # server's event loop; ours does it when the server starts. One bot
        # (one HTTP session) serves every update.
        if self._output is None:
            self._output = SafeTelegramOutput(self.access_token)
        return self._output

    def refusal(self, request: Request) -> Optional[Text]:
        # Always checked: from_settings never builds the channel without a secret.
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not self.secret_token or not hmac.compare_digest(given, self.secret_token.encode()):
            return f"missing or wrong {SECRET_HEADER}"
        return None

    def after_guard(self, webhook: Blueprint) -> None:
        out_channel = self.get_output_channel()

        @webhook.listener("before_server_start")
        async def set_webhook(app: Any, _loop: Any) -> None:
            data = {"url": self.webhook_url, "secret_token": self.secret_token}
            try:
                await out_channel.request("setWebhook", data)
                logger.info("Telegram webhook set")
            except Exception as e:  # the other channels keep working
                logger.error("Could not set the Telegram webhook (%s)", type(e).__name__)

        @webhook.listener("after_server_stop")
        async def close_session(app: Any, _loop: Any) -> None:
            await out_channel.close()

        @webhook.middleware("request")
        async def only_updates(request: Request) -> Any:
            # Rasa's /set_webhook would re-register without the secret token,
            # and its GET /webhook answers nothing (a 500).
            if request.path.endswith("/set_webhook"):
                return response.json({"error": "not found"}, status=404)
            if request.path.endswith("/webhook") and request.method != "POST":
                return response.json({"error": "Telegram posts updates here."}, status=405)
            return None
