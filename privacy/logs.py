"""Log records without personal data, on every path and at every level.

Conversations here are health information, and an SMS sender id is a phone
number. `install()` puts a log-record factory in front of Python's logging,
so every record any library makes (Rasa, Sanic, SQLAlchemy, the platforms'
clients, structlog's JSON lines) is cleaned once, where it is made, before
any handler sees it; handlers Rasa or Sanic configure later are covered
too. A record's message is formatted there and its traceback rendered to
text (`exc_text`, the original exception dropped), then cleaned of:
  - SQLAlchemy's bound parameters (`[parameters: ...]`: the sender id and
    the event's JSON with the message text);
  - the current turn's sender ids and text (`keep_out`, set by the turn
    wrapper; asyncio copies it into every task the turn starts, so Rasa's
    own debug lines about that message are cleaned too);
  - phone numbers and namespaced conversation ids ("twilio:+1...") anywhere;
  - in structlog's events and JSON lines, the values Rasa marks as message content;
  - tracebacks from Rasa's platform connectors (rasa.core.channels): the
    exception type only, since a refused token or a platform's error text
    can carry the caller's data.
"""
import contextvars
import json
import logging
import re
import traceback
from typing import Any, Iterable, Text

WITHHELD = "[withheld]"
# Shorter values ("me", "hi") would blank unrelated words; they say nothing about anyone.
MIN_VALUE_LENGTH = 4
MIN_WORD_LENGTH = 3  # a name can be short ("my name is Amy")

_base_factory: Any = None

PARAMETERS = re.compile(r"\[parameters: [^\n]*")  # SQLAlchemy renders them on one line
PHONE = re.compile(r"(?<![\w+])\+\d{7,15}\b")  # as platforms send them (E.164); not ports, dates or IPs
CHANNELS = "rest|socketio|twilio|whatsapp|telegram|facebook|messenger|slack|botframework|teams"
CONVERSATION_ID = re.compile(rf"\b({CHANNELS}):[^\s'\",)\]}}]+")
# Rasa's own list of structlog keys that hold message content (rasa/utils/log_utils.py), and ids.
CONTENT_KEYS = {
    "text", "response_text", "user_text", "slot_values", "parse_data_text", "parse_data_entities",
    "prediction_events", "tracker_latest_message", "prefilled_slots", "message", "response",
    "slot_candidates", "rasa_event", "rasa_events", "tracker_states", "current_states", "old_states",
    "successes", "current_entity", "next_entity", "states", "entity", "token_text", "user_message",
    "json_message", "sender_id", "conversation_id", "metadata", "tracker",
}
CONNECTOR_LOGGERS = ("rasa.core.channels.",)  # Rasa's; ours (channels/) log only what they mean to


class Withheld:
    """What one turn must keep out of the log: whole values, and the words of its text."""

    def __init__(self, values: Iterable[Text] = (), words: Iterable[Text] = ()) -> None:
        self.values = tuple(sorted(set(values), key=len, reverse=True))  # longest first: a part never hides the whole
        words = sorted({w for w in words if len(w) >= MIN_WORD_LENGTH}, key=len, reverse=True)
        self.words = re.compile(r"\b(?:%s)\b" % "|".join(map(re.escape, words)), re.IGNORECASE) if words else None

    def apply(self, text: Text) -> Text:
        for value in self.values:
            text = text.replace(value, WITHHELD)
        return self.words.sub(WITHHELD, text) if self.words else text


NOTHING = Withheld()
_turn: contextvars.ContextVar[Withheld] = contextvars.ContextVar("privacy_turn", default=NOTHING)


def keep_out(ids: Iterable[Any] = (), texts: Iterable[Any] = ()) -> None:
    """Withhold a turn's sender ids and texts from every log line of this turn (this task and
    the tasks it starts). A text's words go too: Rasa logs a message in parts and tokens."""
    values, words = set(), set()
    for value in [*ids, *texts]:
        if isinstance(value, str) and len(value.strip()) >= MIN_VALUE_LENGTH:
            # As logged raw, in a repr, and inside JSON (escaped, with or without \\u escapes).
            values.update({value, repr(value)[1:-1], json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]})
    for text in texts:
        if isinstance(text, str):
            words.update(re.findall(r"\w+", text))
    _turn.set(Withheld(values, words))


def redact(text: Text, turn: Withheld = NOTHING) -> Text:
    text = PARAMETERS.sub("[parameters: withheld]", turn.apply(text))
    text = CONVERSATION_ID.sub(lambda m: f"{m.group(1)}:{WITHHELD}", text)
    return PHONE.sub(WITHHELD, text)


def _structlog_line(message: Text) -> Text:
    """A structlog JSON line with its content values withheld; other text unchanged."""
    if not message.startswith("{"):
        return message
    try:
        event = json.loads(message)
    except ValueError:
        return message
    if not isinstance(event, dict) or "event" not in event:
        return message
    return json.dumps({k: (WITHHELD if k in CONTENT_KEYS else v) for k, v in event.items()})


def clean(record: logging.LogRecord) -> None:
    """Format the record's message and traceback now, without personal data."""
    turn = _turn.get()
    connector = record.name.startswith(CONNECTOR_LOGGERS)
    if connector and isinstance(record.msg, BaseException):  # logger.exception(error): the text is the error's
        message = f"{type(record.msg).__name__} (details withheld)"
    else:
        message = _structlog_line(record.getMessage())
    record.msg, record.args = redact(message, turn), ()
    if record.exc_info and record.exc_info[0] is not None:
        kind, error, trace = record.exc_info
        if connector:
            text = f"{kind.__name__} (traceback withheld: it can carry the caller's data)"
        else:
            text = "".join(traceback.format_exception(kind, error, trace)).rstrip("\n")
        record.exc_text = redact(text, turn)
    elif record.exc_text:
        record.exc_text = redact(record.exc_text, turn)
    record.exc_info = None  # handlers print exc_text; the exception itself holds the raw parameters
    if record.stack_info:
        record.stack_info = redact(record.stack_info, turn)


def _make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    try:
        clean(record)
    except Exception:  # e.g. arguments that don't fit the format: say so, show nothing
        record.msg, record.args = "A log line was withheld: it could not be checked for personal data", ()
        record.exc_info, record.exc_text, record.stack_info = None, None, None
    return record


def install() -> None:
    """Clean every log record of this process from now on (idempotent)."""
    global _base_factory
    if _base_factory is not None:
        return
    _base_factory = logging.getLogRecordFactory()
    logging.setLogRecordFactory(_make_record)
    _clean_structlog()


def _withhold_content(_logger: Any, _method: Text, event: dict) -> dict:
    for key in CONTENT_KEYS & event.keys():
        event[key] = WITHHELD
    return event


def _clean_structlog() -> None:
    """Rasa's structlog renders a console line (on a terminal) that the record factory can't parse
    as JSON: take the content out of every event before any renderer sees it. Rasa configured
    structlog at start-up; its loggers share this one list, so adding to it reaches them all."""
    try:
        import structlog
    except ImportError:  # the action server alone may lack it
        return
    processors = structlog.get_config()["processors"]
    if _withhold_content not in processors:
        processors.insert(0, _withhold_content)
