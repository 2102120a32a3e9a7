"""Socket.IO channel (the website widget) with safe turns.

Rasa's own connector, with its message handler wrapped by safe_turn. The
pinned python-socketio (< 5.10) keeps `enter_room` synchronous, which Rasa
3.6's session persistence relies on.

Rasa 3.6 creates its AsyncServer with `cors_allowed_origins=[]`, which turns
off engine.io's origin check, so any web page could talk to the bot. Here the
allowed origins come from SOCKETIO_ORIGINS (comma-separated; `*` for any),
by default only the demo page (web/, port WEB_PORT, 8080). A request with
another Origin header is refused (HTTP 400); clients that send no Origin
(server-side clients, the tests' python client) are not affected.
"""
import logging
import os
from typing import Awaitable, Callable, List, Text, Union

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from channels.turn import StatedCountry, safe_turn

logger = logging.getLogger(__name__)


def allowed_origins() -> Union[Text, List[Text]]:
    """The origins (scheme://host:port) whose pages may open a Socket.IO session."""
    configured = os.environ.get("SOCKETIO_ORIGINS", "").strip()
    if configured == "*":
        return "*"
    if configured:
        return [o.strip().rstrip("/") for o in configured.split(",") if o.strip()]
    web_port = os.environ.get("WEB_PORT", "8080")
    return [f"http://127.0.0.1:{web_port}", f"http://localhost:{web_port}"]


class SafeSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[None]]
    ) -> Blueprint:
        stated_country = StatedCountry()
        blueprint = stated_country.attach(
            super().blueprint(safe_turn(on_new_message, stated_country))
        )
        # Rasa's blueprint just created self.sio; engine.io reads this on
        # every request, both for the origin check and the CORS headers.
        origins = allowed_origins()
        self.sio.eio.cors_allowed_origins = origins
        logger.info("Socket.IO allowed origins: %s", origins)
        return blueprint
