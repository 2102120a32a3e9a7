"""Size limits on what a visitor or platform sends, in one place.

The server faces the open internet, so nothing a caller sends may cost much
more to read, store or understand than a normal message:
  - the request body: at most MAX_BODY_BYTES (64 kB; env MAX_BODY_BYTES),
    else a 413 before any handler reads it (`limit_body`, on every
    channel's blueprint from channels/base.py, so it holds however the
    server is started);
  - JSON nesting: at most MAX_JSON_DEPTH levels (`load_json`, and
    `refuse_deep_json` for the guarded channels). Python's json parser
    recurses, so a 10 kB "[[[[...]]]]" raised RecursionError (a 500);
  - metadata: at most MAX_METADATA_BYTES serialized, and only the keys the
    project reads (`known_metadata`), so nothing else is stored in the
    tracker and read back on every turn;
  - message text: at most MAX_MESSAGE_CHARS reach the model (channels/turn.py
    answers a longer one with TOO_LONG_REPLY; the rule layer still reads it).
"""
import json
import os
from typing import Any, Dict, Text, Union

from sanic import Blueprint, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request

DEFAULT_BODY_BYTES = 64 * 1024
MAX_JSON_DEPTH = 20
MAX_METADATA_BYTES = 4 * 1024
MAX_MESSAGE_CHARS = 5_000
# The metadata keys the project reads (safety/country.py: the widget's
# data-country), with the longest value kept for each.
KNOWN_METADATA_KEYS = {"country": 64}

TOO_LONG_REPLY = (
    "That message is too long for me; please send a shorter one, "
    f"up to {MAX_MESSAGE_CHARS:,} characters."
)


class TooDeep(ValueError):
    """JSON nested deeper than MAX_JSON_DEPTH."""


def max_body_bytes() -> int:
    """The request body limit: MAX_BODY_BYTES from the environment, else 64 kB."""
    try:
        value = int(os.environ.get("MAX_BODY_BYTES", "").strip())
    except ValueError:
        return DEFAULT_BODY_BYTES
    return value if value > 0 else DEFAULT_BODY_BYTES


def json_depth(raw: Union[bytes, Text]) -> int:
    """How deeply arrays and objects nest in a JSON text, without parsing it.

    A linear scan (no recursion), so it is safe on any input; brackets
    inside strings don't count.
    """
    text = raw.decode("utf-8", "replace") if isinstance(raw, (bytes, bytearray)) else raw
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def load_json(raw: Union[bytes, Text]) -> Any:
    """json.loads, refusing (TooDeep, a ValueError) nesting past MAX_JSON_DEPTH."""
    if json_depth(raw) > MAX_JSON_DEPTH:
        raise TooDeep(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return json.loads(raw)


def metadata_bytes(metadata: Any) -> int:
    """The size of metadata as it would be stored."""
    try:
        return len(json.dumps(metadata, ensure_ascii=False).encode("utf-8"))
    except (TypeError, ValueError, RecursionError):
        return MAX_METADATA_BYTES + 1  # unstorable counts as too big


def known_metadata(metadata: Any) -> Dict[Text, Any]:
    """Only the keys the project reads, each a short string; the rest is dropped."""
    if not isinstance(metadata, dict):
        return {}
    return {
        key: metadata[key]
        for key, longest in KNOWN_METADATA_KEYS.items()
        if isinstance(metadata.get(key), str) and len(metadata[key]) <= longest
    }


def limit_body(blueprint: Blueprint) -> Blueprint:
    """Cap request bodies at max_body_bytes() with a JSON 413.

    Sanic reads REQUEST_MAX_SIZE for each new connection, so setting it
    before the server starts listening holds for every route, whether Rasa
    was started by scripts/serve/serve.sh, tooling/servers.py or by hand.
    """

    @blueprint.listener("before_server_start")
    async def set_body_limit(app: Any, _loop: Any) -> None:
        app.config.REQUEST_MAX_SIZE = max_body_bytes()

    @blueprint.exception(PayloadTooLarge)
    async def too_large(request: Request, exception: Exception) -> Any:
        return response.json(
            {"error": f"The request is larger than {max_body_bytes():,} bytes."}, status=413
        )

    return blueprint


def refuse_deep_json(blueprint: Blueprint) -> Blueprint:
    """A 400 for a JSON body nested past MAX_JSON_DEPTH, before the route parses it."""

    @blueprint.middleware("request")
    async def not_too_deep(request: Request) -> Any:
        # JSON bodies only: a form-encoded SMS may hold brackets as typed.
        is_json = "json" in (request.headers.get("content-type") or "")
        if request.method == "POST" and is_json and json_depth(request.body or b"") > MAX_JSON_DEPTH:
            return response.json(
                {"error": f"The body is nested deeper than {MAX_JSON_DEPTH} levels."}, status=400
            )
        return None

    return blueprint
