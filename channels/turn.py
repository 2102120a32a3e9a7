"""One bot turn, made safe the same way on every channel.

Every connector in credentials.yml wraps Rasa's message handler with
`safe_turn`. Bot messages of a turn are collected, then sent in this order:
  1. a handoff (crisis or abuse), payload first, so it is the first thing
     the visitor sees;
  2. the rest of the turn;
  3. when the turn holds no handoff, the short crisis line for the
     visitor's country, once, at the end.
The visitor's country is the one the response generator decided for this
turn's responses (safety/country.py, attached under country.TURN_KEY, which
is stripped here), unless this message itself says where the visitor is;
only a turn without such a response (an empty message, an error, a
time-out) has it decided here, from the stored conversation.
Then channels/render.py fits them to the channel (numbered choices on SMS,
links, length limits); REST and Socket.IO get them unchanged.
An empty message gets a plain reply without reaching the model, and so
does one over channels/limits.py's MAX_MESSAGE_CHARS ("too long").

Before Rasa sees a message, its text is cleaned (safety/clean.py: broken
characters, zero-width and look-alike letters) and a leading "/" is dropped
unless the text is one of the bot's own button payloads, so visitor text
never sets an intent, entity or slot. The conversation id is namespaced by
channel ("rest:...", "twilio:+1..."), so one channel cannot read or steer
another's conversation. The rule layer also reads the text here: when it
matches and the turn comes back without a handoff (an error, a time-out),
the handoff is added first all the same. A message with two questions
("how much is it? and is it covered by insurance?") goes to Rasa as two
messages, so each gets its own answer (understanding/split.py).
"""
import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered

from channels import limiter, limits, render
from privacy import logs, store
from safety import country as visitor
from safety import crisis_lines
from safety.clean import clean, unslash
from safety.detector import default_detector
from safety.handoff import handoff_message
from understanding.language import detect as detect_language
from understanding.split import PART_KEY, split_questions

logger = logging.getLogger(__name__)

Handler = Callable[[UserMessage], Awaitable[Any]]
CountryLookup = Callable[[Text], Awaitable[Optional[Text]]]

ERROR_REPLY = "Sorry, something went wrong on my side. Please try again in a moment."
EMPTY_MESSAGE_REPLY = (
    "I didn't get any text there. You can ask me about Imago therapy: what it "
    "is, how it works, what it costs, or how to find a therapist."
)
TIMEOUT_REPLY = "Sorry, that is taking me too long. Please try again in a moment."
NOT_SAVED_REPLY = (
    "Sorry, I couldn't save this part of our conversation on my side, so I may not "
    "remember it if you come back later."
)
# Channels whose clients render the machine-readable handoff payload; the
# others get the same handoff as plain text only.
PAYLOAD_CHANNELS = {"rest", "socketio"}
# Longest wait for Rasa's reply; past it the visitor gets TIMEOUT_REPLY (and
# the handoff, if the rule layer matched) while Rasa finishes in the background.
TURN_TIMEOUT = 30.0


def conversation_id(channel: Text, sender_id: Text) -> Text:
    """The tracker id: the sender, namespaced by the channel it came on."""
    return f"{channel}:{sender_id}"


class TurnBuffer(OutputChannel):
    """Holds a turn's bot messages until the turn is complete."""

    def __init__(self, inner: OutputChannel) -> None:
        self.inner = inner
        self.messages: List[Dict[Text, Any]] = []
        self.closed = False  # after a time-out: the turn was answered without Rasa

    def name(self) -> Text:  # responses may vary by channel, so keep its name
        return self.inner.name()

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        if not self.closed:
            self.messages.append(dict(message))


def is_handoff(message: Dict[Text, Any]) -> bool:
    return bool((message.get("custom") or {}).get("handoff"))


def arrange_turn(
    messages: List[Dict[Text, Any]], channel: Text, country: Optional[Text], language: Optional[Text] = None
) -> List[Dict[Text, Any]]:
    """The turn's messages in the order and form the visitor should get them;
    the crisis line in the visitor's `language` (understanding/language.py).
    The country the generator attached to its responses is not sent."""
    messages = [{k: v for k, v in m.items() if k != visitor.TURN_KEY} for m in messages]
    handoffs = [m for m in messages if is_handoff(m)]
    others = [m for m in messages if not is_handoff(m)]
    arranged: List[Dict[Text, Any]] = []
    for handoff in handoffs:
        payload = handoff["custom"]
        rest_of_it = {k: v for k, v in handoff.items() if k != "custom"}
        if channel == "socketio":
            # Rasa's Socket.IO output emits custom JSON as keyword arguments
            # of `emit`, so the payload has to travel as its `data`.
            arranged.append({"custom": {"data": payload}})
        elif channel in PAYLOAD_CHANNELS:
            arranged.append({"custom": payload})
        arranged.append(rest_of_it)
    arranged.extend(others)
    if not handoffs:
        arranged.append({"text": crisis_lines.every_turn_line(country, language)})
    return arranged


def decided_country(messages: List[Dict[Text, Any]]) -> Optional[Text]:
    """The country the response generator decided for this turn (its last
    response's); None when no message came from the generator."""
    decided = None
    for message in messages:
        value = message.get(visitor.TURN_KEY)
        if isinstance(value, str):
            decided = value
    return decided


class StatedCountry:
    """The stored conversation, read from the channel layer only where the
    turn itself cannot tell.

    `attach` hooks a channel's blueprint so the running app (and with it the
    tracker store) is known; the lookups then read the visitor's tracker (by
    its namespaced id, `conversation_id`). Calling it gives the `country`
    slot a visitor set by saying where they are ("I'm in the UK"), for a
    turn with no response from the generator. `last_buttons` gives the
    choices the bot offered last, before Rasa reads the next message, so an
    SMS reply of "2" still picks one after a restart (Twilio, WhatsApp).
    """

    def __init__(self) -> None:
        self.app: Any = None

    def attach(self, blueprint: Any) -> Any:
        @blueprint.listener("before_server_start")
        async def remember_app(app: Any, _loop: Any) -> None:
            self.app = app

        return blueprint

    async def __call__(self, sender_id: Text) -> Optional[Text]:
        try:
            tracker = await self.app.ctx.agent.tracker_store.retrieve(sender_id)
            return tracker.get_slot("country") if tracker else None
        except Exception:  # the line falls back to the default country
            logger.warning("Could not read the country slot")  # no sender: it can be a phone number
            return None

    async def last_buttons(self, sender_id: Text) -> List[Dict[Text, Any]]:
        """The buttons of the bot's last turn, in the order they were shown."""
        try:
            tracker = await self.app.ctx.agent.tracker_store.retrieve(sender_id)
        except Exception:  # no choices known: the reply is read as typed
            logger.warning("Could not read the last choices offered")
            return []
        buttons: List[Dict[Text, Any]] = []
        for event in reversed(list(tracker.events) if tracker else []):
            if isinstance(event, UserUttered):
                break
            if isinstance(event, BotUttered):
                buttons[:0] = (event.data or {}).get("buttons") or []
        return buttons


def safe_turn(on_new_message: Handler, stated_country: Optional[CountryLookup] = None,
              timeout: float = TURN_TIMEOUT, rate_limits: Optional[limiter.Limits] = None) -> Handler:
    """Wrap Rasa's handler so every turn leaves through `arrange_turn`.

    The crisis line's country (safety/country.py decides it): what the
    visitor said about where they are (this message, else earlier in the
    session), else the message metadata, else the default. Earlier in the
    session is what the response generator saw; `stated_country` reads the
    stored conversation only for a turn with no response from it.
    A message over a rate limit (channels/limiter.py) is not passed to Rasa.
    """
    rate_limits = rate_limits or limiter.Limits.from_env()  # read at start-up: a bad setting stops the server

    async def handle(message: UserMessage) -> None:
        real_output = message.output_channel
        reply_to = message.sender_id  # the channel's own id, e.g. a phone number
        channel = message.input_channel or real_output.name()
        message.sender_id = conversation_id(channel, reply_to)
        buffer = TurnBuffer(real_output)
        text = unslash(clean(message.text)).strip()
        # Nothing of this visitor in any log line of the turn, at any level (privacy/logs.py).
        logs.keep_out(ids=(reply_to, message.sender_id), texts=(message.text, text))
        message.text = text
        reading = default_detector().read(text)
        language = detect_language(text)  # None: English, or not sure
        storage = {"failed": False}  # privacy/store.py notes a failed save here
        store.turn_storage.set(storage)
        if not text:
            buffer.messages.append({"text": EMPTY_MESSAGE_REPLY})
        elif len(text) > limits.MAX_MESSAGE_CHARS:
            # Not for the model (its cost grows with the square of the length);
            # the rule layer has read all of it above, so a handoff still comes.
            buffer.messages.append({"text": limits.TOO_LONG_REPLY})
        elif not rate_limits.admit(message.sender_id, limiter.client_address.get()):
            # Decided after the rule layer read it: a crisis message gets its
            # handoff below all the same, and no request to slow down.
            if not reading.detection:
                buffer.messages.append({"text": limiter.SLOW_DOWN_REPLY})
        else:
            message.output_channel = buffer
            # Two questions in one message get two answers, in order; a message
            # the rule layer matched goes whole, so its handoff comes once, and
            # so does one in another language, so its reply comes once.
            parts = [text] if reading.detection or language else split_questions(text)
            for number, part in enumerate(parts, 1):
                await _run(on_new_message, message if len(parts) == 1 else _part_of(message, part, number),
                           buffer, timeout)
                if buffer.closed:
                    break
        if storage["failed"] and not buffer.closed:
            # Answered from memory but not stored: say so rather than lose it silently.
            logger.error("A turn on %s was answered but could not be saved", channel)
            buffer.messages.append({"text": NOT_SAVED_REPLY})
        country = decided_country(buffer.messages)
        if country is None or reading.country:
            stated = reading.country
            if stated is None and stated_country is not None:
                stated = await stated_country(message.sender_id)
            country = visitor.visitor_country(stated, message.metadata)
        if reading.detection and not any(is_handoff(m) for m in buffer.messages):
            # The rule layer matched but Rasa's turn brought no handoff: add it anyway.
            buffer.messages.insert(0, handoff_message(reading.detection, country))
        arranged = arrange_turn(buffer.messages, channel, country, language)
        for outgoing in render.for_channel(arranged, channel):
            try:
                await real_output.send_response(reply_to, outgoing)
            except Exception as e:  # one failed send must not cost the rest of the turn
                # Only the type: some clients put tokens in their error text.
                # No sender: on SMS and WhatsApp it is the visitor's phone number.
                logger.error("Sending a message on %s failed (%s)", channel, type(e).__name__)
                logger.debug("Send failure", exc_info=True)

    return handle


def _part_of(message: UserMessage, text: Text, number: int) -> UserMessage:
    """One question of a message that holds several, as a message of its own, its
    number in the metadata (content/topics.py: an answer the first part gave is not repeated)."""
    metadata = message.metadata if isinstance(message.metadata, dict) else {}
    return UserMessage(text, message.output_channel, message.sender_id,
                       input_channel=message.input_channel, metadata={**metadata, PART_KEY: number})


async def _run(on_new_message: Handler, message: UserMessage, buffer: TurnBuffer, timeout: float) -> None:
    """Rasa's turn into `buffer`; an error, a time-out or silence adds a reply instead of failing."""
    replies_before = len(buffer.messages)
    task = asyncio.ensure_future(on_new_message(message))
    done, _ = await asyncio.wait({task}, timeout=timeout)
    if not done:
        # Left to finish (its tracker is saved), but its late messages go nowhere.
        logger.error("Handling a message on %s took over %.0f s", message.input_channel, timeout)
        buffer.messages = [{"text": TIMEOUT_REPLY}]
        buffer.closed = True
        return
    error = task.exception()
    if error is not None:  # the visitor still gets a reply and the crisis line
        # Only the type: the exception's text may hold the message or its sender.
        logger.error("Handling a message failed on %s (%s)", message.input_channel, type(error).__name__)
        logger.debug("Turn failure", exc_info=error)
        buffer.messages.append({"text": ERROR_REPLY})
    elif len(buffer.messages) == replies_before:
        # Every rule and story answers, so silence means a step failed inside Rasa
        # (it logs a custom action the action server didn't answer, and goes on).
        logger.error("Handling a message on %s brought no reply", message.input_channel)
        buffer.messages.append({"text": ERROR_REPLY})
