"""REST channel (POST /webhooks/rest/webhook) with input checks and safe turns.

Same request and reply format as Rasa's own REST channel, but a malformed
request gets a 4xx with a plain explanation instead of a 500: JSON nested
too deeply a 400, a sender id that is not valid Unicode a 400 (it would stop
the server: `is_unicode_text`), metadata over 4 kB a 413 (channels/limits.py),
and only metadata keys the project reads are kept. Every turn goes through
channels.turn.safe_turn (channels/base.py).
"""
from typing import Any, Dict, Text, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import limits
from channels.base import Handler, SafeInput

MAX_SENDER_LENGTH = 128
MAX_MESSAGE_LENGTH = 20_000


class BadRequest(Exception):
    def __init__(self, status: int, reason: Text) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def is_unicode_text(value: Text) -> bool:
    """False for a string holding a lone surrogate ("\\ud800" in JSON): it cannot be
    stored, and Rasa's SQL tracker store exits the whole server on the error
    (a UnicodeEncodeError is a ValueError, which its session_scope reads as a
    missing schema)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_request(request: Request) -> Tuple[Text, Text, Dict[Text, Any]]:
    """Sender, text and metadata of a webhook call, or BadRequest."""
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip()
    if content_type != "application/json":
        raise BadRequest(415, "Send the message as JSON (Content-Type: application/json).")
    try:
        body = limits.load_json(request.body or b"")
    except limits.TooDeep:
        raise BadRequest(400, f"The JSON is nested deeper than {limits.MAX_JSON_DEPTH} levels.")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BadRequest(400, "The request body is not valid JSON.")
    if not isinstance(body, dict):
        raise BadRequest(400, 'The body must be a JSON object like {"sender": "id", "message": "hi"}.')
    sender, text, metadata = body.get("sender"), body.get("message"), body.get("metadata") or {}
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_LENGTH:
        raise BadRequest(400, f'"sender" must be a non-empty string of at most {MAX_SENDER_LENGTH} characters.')
    if not is_unicode_text(sender):
        raise BadRequest(400, '"sender" must be valid Unicode text.')
    if not isinstance(text, str):
        raise BadRequest(400, '"message" must be a string.')
    if len(text) > MAX_MESSAGE_LENGTH:
        raise BadRequest(413, f'"message" is longer than {MAX_MESSAGE_LENGTH} characters.')
    if not isinstance(metadata, dict):
        raise BadRequest(400, '"metadata" must be a JSON object.')
    if limits.metadata_bytes(metadata) > limits.MAX_METADATA_BYTES:
        raise BadRequest(413, f'"metadata" is larger than {limits.MAX_METADATA_BYTES:,} bytes.')
    return sender, text, limits.known_metadata(metadata)


class SafeRestInput(SafeInput, RestInput):
    NAME = "rest"
    OWN_WEBHOOK = True
    GUARDED = False  # parse_request answers a bad call with its own 4xx

    async def receive(self, request: Request, handle: Handler) -> HTTPResponse:
        try:
            sender, text, metadata = parse_request(request)
        except BadRequest as e:
            return response.json({"error": e.reason}, status=e.status)
        collector = CollectingOutputChannel()
        await handle(UserMessage(text, collector, sender, input_channel=self.name(), metadata=metadata))
        return response.json(collector.messages)
