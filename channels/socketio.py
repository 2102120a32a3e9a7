"""Socket.IO channel (the website widget) with safe turns.

Rasa's own connector, with its message handler wrapped by safe_turn
(channels/base.py). The pinned python-socketio (< 5.10) keeps `enter_room`
synchronous, which Rasa 3.6's session persistence relies on.

Rasa 3.6 creates its AsyncServer with `cors_allowed_origins=[]`, which turns
off engine.io's origin check, so any web page could talk to the bot. Here the
allowed origins come from SOCKETIO_ORIGINS (comma-separated; `*` for any),
by default only the demo page (web/, port WEB_PORT, 8080). A request with
another Origin header is refused (HTTP 400); clients that send no Origin
(server-side clients, the tests' python client) are not affected.
"""
import logging
import os
from typing import Any, Dict, List, Optional, Text, Union

from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from channels import limits
from channels.base import Handler, SafeInput
from safety import crisis_lines

logger = logging.getLogger(__name__)

BAD_EVENT_REPLY = (
    "Sorry, I could not read that message. Please type your question again."
)


def checked_event(data: Any, metadata_key: Text = "metadata") -> Optional[Dict[Text, Any]]:
    """A user_uttered event Rasa's handler can take without failing, or None.

    Rasa 3.6 calls `data.get` and `json.loads(metadata)` unguarded, so a
    non-object event or metadata that is not JSON got no reply at all.
    Metadata nested too deeply or over 4 kB is dropped, and only the keys
    the project reads are kept (channels/limits.py): the turn still gets
    its reply, and nothing else is stored with it.
    """
    if not isinstance(data, dict):
        return None
    metadata = data.get(metadata_key)
    if isinstance(metadata, str):
        try:
            metadata = limits.load_json(metadata)
        except (ValueError, RecursionError):
            metadata = None
    if limits.metadata_bytes(metadata) > limits.MAX_METADATA_BYTES:
        metadata = None
    message = data.get("message")
    return {
        **data,
        "message": message if isinstance(message, str) else "",
        metadata_key: limits.known_metadata(metadata),
    }


def allowed_origins() -> Union[Text, List[Text]]:
    """The origins (scheme://host:port) whose pages may open a Socket.IO session."""
    configured = os.environ.get("SOCKETIO_ORIGINS", "").strip()
    if configured == "*":
        return "*"
    if configured:
        return [o.strip().rstrip("/") for o in configured.split(",") if o.strip()]
    web_port = os.environ.get("WEB_PORT", "8080")
    return [f"http://127.0.0.1:{web_port}", f"http://localhost:{web_port}"]


class SafeSocketIOInput(SafeInput, SocketIOInput):
    NAME = "socketio"
    GUARDED = False  # checked_event stands in for the guard

    def routes(self, handle: Handler) -> Blueprint:
        blueprint = super().routes(handle)
        # Rasa's blueprint just created self.sio; engine.io reads this on
        # every request, both for the origin check and the CORS headers.
        self._check_user_events()
        origins = allowed_origins()
        self.sio.eio.cors_allowed_origins = origins
        logger.info("Socket.IO allowed origins: %s", origins)
        return blueprint

    def _check_user_events(self) -> None:
        """Put checked_event in front of Rasa's user_uttered handler."""
        handlers = self.sio.handlers[self.namespace or "/"]
        rasa_handler = handlers[self.user_message_evt]

        async def handle_checked(sid: Text, data: Any = None) -> None:
            event = checked_event(data, self.metadata_key)
            if event is None:
                # Not a turn safe_turn can see, so the crisis line is added here.
                for text in (BAD_EVENT_REPLY, crisis_lines.every_turn_line(None)):
                    await self.sio.emit(self.bot_message_evt, {"text": text}, room=sid)
                return
            await rasa_handler(sid, event)

        handlers[self.user_message_evt] = handle_checked
