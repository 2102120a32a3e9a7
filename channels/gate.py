"""What channels/base.py builds every messaging connector with: switched on
by environment variables, and no 500 (or crash) for a bad or forged webhook call.

Rasa fills `${VAR}` in credentials.yml but fails when a variable is unset,
so our connectors read their settings from the environment themselves and,
when any is missing, register no webhook at all (`ChannelOff`).
"""
import logging
import os
from typing import Any, Awaitable, Callable, Dict, Optional, Sequence, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

# Returns why a webhook call is refused (wrong signature, ...) or None.
Check = Callable[[Request], Optional[Text]]


def settings(
    channel: Text, required: Sequence[Text], optional: Sequence[Text] = ()
) -> Optional[Dict[Text, Text]]:
    """The channel's environment variables, or None (logged) when one is unset."""
    values = {name: os.environ.get(name, "").strip() for name in (*required, *optional)}
    if all(values[name] for name in required):
        return values
    logger.info("The %s channel is off; set %s to switch it on.", channel, ", ".join(required))
    return None


def own_webhook(channel: Text) -> Blueprint:
    """A connector's own blueprint, with the GET / health route Rasa's connectors have."""
    blueprint = Blueprint(f"safe_{channel}_webhook", __name__)

    @blueprint.route("/", methods=["GET"])
    async def health(request: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    return blueprint


class ChannelOff(InputChannel):
    """A connector whose environment variables are unset: it serves nothing."""

    def __init__(self, channel: Text) -> None:
        self.channel = channel

    def url_prefix(self) -> Text:
        return self.channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return Blueprint(f"{self.channel}_off")


def guard(blueprint: Blueprint, channel: Text, check: Optional[Check] = None) -> Blueprint:
    """Refuse forged calls before Rasa's route runs; bad bodies get a 400, not a 500."""
    if check is not None:

        @blueprint.middleware("request")
        async def verify(request: Request) -> Any:
            if request.method != "POST":
                return None
            refusal = check(request)
            if refusal:
                logger.warning("Refused a %s webhook call: %s", channel, refusal)
                return response.json({"error": refusal}, status=403)
            return None

    @blueprint.exception(Exception)
    async def unreadable(request: Request, exception: Exception) -> Any:
        # Only the exception type: its text may quote the visitor's message.
        logger.warning("Could not handle a %s webhook call (%s)", channel, type(exception).__name__)
        logger.debug("Webhook call failed", exc_info=exception)
        return response.json({"error": "The webhook call could not be read."}, status=400)

    return blueprint
