"""Socket.IO channel (the website widget) with safe turns and bound sessions.

Rasa's own connector, with its session and message handlers replaced so
every turn goes through safe_turn (channels/base.py) and reaches only the
socket that sent it.

Sessions. Rasa 3.6 takes `session_request {session_id}` as given: any
value, any number of rooms per socket, and bot messages go to the room
named by the session id, so a second socket naming someone else's id got
their turns. Here:
  - an id must be what the widget makes (web/src/widget.js: 32 hex
    characters) or a UUID, as a string; anything else is refused with a
    reply (BAD_SESSION_REPLY and the crisis line), no session;
  - a message refused here (no session, too long) is still read by the
    rule layer, and a crisis or abuse message gets the handoff;
  - a socket holds one session; asking for another ("Clear chat") gives up
    the first;
  - an id held by another live socket is not shared: the newcomer is
    confirmed with a fresh id (the widget adopts a confirmed id), so it
    starts a conversation of its own;
  - a turn is sent to the socket that sent the message (its own sid), never
    to a room named by the id; a message naming an id its socket does not
    hold is refused.
Chosen over ids signed by the server (an HMAC token the widget keeps)
because it needs no change to the widget nor a secret to manage, and
because a token would guard nothing more: the id is 128 random bits kept
in the visitor's browser beside where a token would be kept. The cost: a
second tab, or a reconnection the server has not yet seen the end of (up
to engine.io's ping time-out, about 45 s), starts a new conversation; the
widget keeps showing what it showed.

Limits (environment): SOCKETIO_MAX_PER_ADDRESS (default 20) connections
from one client address (the handshake's peer, or X-Forwarded-For from a
TRUSTED_PROXIES proxy; engine.io's Sanic driver always says 127.0.0.1 in
REMOTE_ADDR, so the address is read from the Sanic request); past it a
connection is refused. SOCKETIO_MAX_SESSIONS (default 5000) sessions held
at once; past it a session request gets BUSY_REPLY. An engine.io packet
may be at most MAX_PACKET_BYTES, and a message as long as REST allows.
The rate limits (channels/limiter.py) apply per conversation and address.

Rasa 3.6 creates its AsyncServer with `cors_allowed_origins=[]`, which turns
off engine.io's origin check, so any web page could talk to the bot. Here the
allowed origins come from SOCKETIO_ORIGINS (comma-separated; `*` for any),
by default only the demo page (web/, port WEB_PORT, 8080). A request with
another Origin header is refused (HTTP 400); clients that send no Origin
(server-side clients, the tests' python client) are not affected.
"""
import logging
import os
import re
import uuid
from collections import Counter
from typing import Any, Dict, List, Optional, Text, Union

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from channels import limiter, limits
from channels.base import Handler, SafeInput
from channels.rest import MAX_MESSAGE_LENGTH
from channels.turn import arrange_turn
from safety import country as visitor
from safety import crisis_lines
from safety.clean import clean, unslash
from safety.detector import default_detector
from safety.handoff import handoff_message

logger = logging.getLogger(__name__)

BAD_EVENT_REPLY = (
    "Sorry, I could not read that message. Please type your question again."
)
BAD_SESSION_REPLY = (
    "Sorry, this chat's session is not valid here. Please reload the page to start again."
)
BUSY_REPLY = "Sorry, the assistant is very busy right now. Please try again in a few minutes."
TOO_LONG_REPLY = f"That message is too long for me. Please keep it under {MAX_MESSAGE_LENGTH:,} characters."
# The longest message in UTF-8 (up to 3 bytes a character as the browser
# sends it), plus room for the event's other fields.
MAX_PACKET_BYTES = 3 * MAX_MESSAGE_LENGTH + 16_000
SESSION_ID = re.compile(r"[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def valid_session_id(value: Any) -> Optional[Text]:
    """The id in its one spelling (lower case) if it is the widget's or a UUID, else None."""
    if not isinstance(value, str) or not SESSION_ID.fullmatch(value.lower()):
        return None
    return value.lower()


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


def _setting(variable: Text, default: int) -> int:
    value = os.environ.get(variable, str(default)).strip()
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{variable} must be a whole number of at least 1, not {value!r}")
    return int(value)


class Sessions:
    """Which socket holds which session, and how many sockets each address has.

    Memory is bounded by the two limits: every entry belongs to a live socket.
    """

    def __init__(self, max_sessions: int, max_per_address: int) -> None:
        self.max_sessions, self.max_per_address = max_sessions, max_per_address
        self.session_of: Dict[Text, Text] = {}  # sid -> session id
        self.holder: Dict[Text, Text] = {}  # session id -> sid
        self.address_of: Dict[Text, Optional[Text]] = {}  # sid -> client address
        self.per_address: Counter = Counter()

    @classmethod
    def from_env(cls) -> "Sessions":
        return cls(_setting("SOCKETIO_MAX_SESSIONS", 5000), _setting("SOCKETIO_MAX_PER_ADDRESS", 20))

    def connect(self, sid: Text, address: Optional[Text]) -> bool:
        """Count a new socket; False (refused) when its address has too many."""
        if address and self.per_address[address] >= self.max_per_address:
            return False
        self.address_of[sid] = address
        if address:
            self.per_address[address] += 1
        return True

    def bind(self, sid: Text, requested: Optional[Text]) -> Optional[Text]:
        """The session this socket now holds: the one requested (a valid id,
        or None for a new one) unless another socket holds it; None when
        there is no room for another session."""
        self.release(sid)
        if len(self.holder) >= self.max_sessions:
            return None
        session = requested if requested and requested not in self.holder else uuid.uuid4().hex
        self.session_of[sid], self.holder[session] = session, sid
        return session

    def release(self, sid: Text) -> None:
        session = self.session_of.pop(sid, None)
        if session is not None:
            self.holder.pop(session, None)

    def disconnect(self, sid: Text) -> None:
        self.release(sid)
        address = self.address_of.pop(sid, None)
        if address:
            self.per_address[address] -= 1
            if self.per_address[address] <= 0:
                del self.per_address[address]


class SocketOutput(SocketIOOutput):
    """Rasa's Socket.IO output, sending to one socket whatever the recipient id."""

    def __init__(self, sio: Any, bot_message_evt: Text, sid: Text) -> None:
        super().__init__(sio, bot_message_evt)
        self.sid = sid

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        await self.sio.emit(self.bot_message_evt, response, room=self.sid)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        await self.sio.emit(self.bot_message_evt, **{**json_message, "room": self.sid})


class SafeSocketIOInput(SafeInput, SocketIOInput):
    NAME = "socketio"
    GUARDED = False  # checked_event stands in for the guard

    def routes(self, handle: Handler) -> Blueprint:
        blueprint = super().routes(handle)
        # Rasa's blueprint just created self.sio; engine.io reads these on
        # every request: the origin check, the CORS headers, the size cap.
        origins = allowed_origins()
        self.sio.eio.cors_allowed_origins = origins
        self.sio.eio.max_http_buffer_size = MAX_PACKET_BYTES
        logger.info("Socket.IO allowed origins: %s", origins)
        self.sessions = Sessions.from_env()
        self._replace_handlers(handle, limiter.trusted_proxies())
        return blueprint

    async def _refuse(self, sid: Text, reply: Text) -> None:
        # Not a turn safe_turn sees, so the crisis line is added here.
        for text in (reply, crisis_lines.every_turn_line(None)):
            await self.sio.emit(self.bot_message_evt, {"text": text}, room=sid)

    async def _refuse_turn(self, sid: Text, reply: Text, text: Text, metadata: Dict[Text, Any]) -> None:
        """A message not passed on, answered as a turn: the rule layer still
        reads it, so a crisis or abuse message gets its handoff instead."""
        reading = default_detector().read(unslash(clean(text)).strip())
        country = visitor.visitor_country(reading.country, metadata)
        messages = [handoff_message(reading.detection, country)] if reading.detection else [{"text": reply}]
        output = SocketOutput(self.sio, self.bot_message_evt, sid)
        for message in arrange_turn(messages, self.name(), country):
            await output.send_response(sid, message)

    def _replace_handlers(self, handle: Handler, proxies: List[Any]) -> None:
        """Our connect, disconnect, session_request and user_uttered in place of Rasa's."""
        handlers = self.sio.handlers[self.namespace or "/"]
        rasa_connect = handlers["connect"]  # keeps Rasa's JWT check, if configured

        async def connect(sid: Text, environ: Dict[Text, Any], auth: Any = None) -> bool:
            if not await rasa_connect(sid, environ, auth):
                return False
            request = environ.get("sanic.request")
            address = limiter.visitor_address(
                getattr(request, "ip", None), environ.get("HTTP_X_FORWARDED_FOR"), proxies)
            if not self.sessions.connect(sid, address):
                logger.warning("Refused a Socket.IO connection: too many from one address")
                return False
            return True

        async def disconnect(sid: Text) -> None:
            self.sessions.disconnect(sid)

        async def session_request(sid: Text, data: Any = None) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            session_id = valid_session_id(requested)
            if requested is not None and session_id is None:
                await self._refuse(sid, BAD_SESSION_REPLY)
                return
            session = self.sessions.bind(sid, session_id)
            if session is None:
                logger.warning("Refused a Socket.IO session: %d held", self.sessions.max_sessions)
                await self._refuse(sid, BUSY_REPLY)
                return
            await self.sio.emit("session_confirm", session, room=sid)

        async def user_uttered(sid: Text, data: Any = None) -> None:
            event = checked_event(data, self.metadata_key)
            if event is None:
                await self._refuse(sid, BAD_EVENT_REPLY)
                return
            session = self.sessions.session_of.get(sid)
            named = event.get("session_id")
            text, metadata = event["message"], event[self.metadata_key]
            if session is None or (named is not None and valid_session_id(named) != session):
                await self._refuse_turn(sid, BAD_SESSION_REPLY, text, metadata)
                return
            if len(text) > MAX_MESSAGE_LENGTH:
                await self._refuse_turn(sid, TOO_LONG_REPLY, text, metadata)
                return
            # This event's own task, so the turn (and only it) sees the address.
            limiter.client_address.set(self.sessions.address_of.get(sid))
            output = SocketOutput(self.sio, self.bot_message_evt, sid)
            await handle(UserMessage(text, output, session, input_channel=self.name(), metadata=metadata))

        handlers.update({"connect": connect, "disconnect": disconnect, "session_request": session_request,
                         self.user_message_evt: user_uttered})
