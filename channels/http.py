"""The HTTP client the messaging connectors call their platforms with.

Teams, Twilio and Messenger send replies, fetch tokens and fetch signing
keys through `call` here: aiohttp, never `requests`, because a blocking call
inside the server's event loop freezes every channel (the website too)
while one platform is slow. One ClientSession per event loop, closed when
the server stops (`close_at_stop`); every call ends after TIMEOUT in all.

A failed call raises; what is logged is the platform and the HTTP status,
never the URL (Messenger's holds the page token) or the reply's text
(platforms quote the recipient's number or the message back).
"""
import asyncio
import json
import logging
from typing import Any, Dict, Text

import aiohttp
from sanic import Blueprint

logger = logging.getLogger(__name__)

# Seconds for a whole call (connect, send, read). The turn waits for each
# send, so one slow platform costs its own visitor this long, nobody else.
TIMEOUT = aiohttp.ClientTimeout(total=10)


class PlatformError(Exception):
    """The platform answered with an HTTP error status."""

    def __init__(self, platform: Text, status: int) -> None:
        super().__init__(f"{platform} answered HTTP {status}")
        self.status = status


# What a failed call can raise; callers that carry on after a failure catch these.
ERRORS = (PlatformError, aiohttp.ClientError, asyncio.TimeoutError, ValueError)

_sessions: Dict[asyncio.AbstractEventLoop, aiohttp.ClientSession] = {}


def session() -> aiohttp.ClientSession:
    """This event loop's session (made on first use)."""
    loop = asyncio.get_running_loop()
    for old in [other for other in _sessions if other.is_closed()]:
        del _sessions[old]  # a finished loop's (tests run one per asyncio.run)
    current = _sessions.get(loop)
    if current is None or current.closed:
        current = _sessions[loop] = aiohttp.ClientSession(timeout=TIMEOUT)
    return current


async def close() -> None:
    current = _sessions.pop(asyncio.get_running_loop(), None)
    if current is not None:
        await current.close()


def close_at_stop(blueprint: Blueprint) -> None:
    """Close the session with the server (every connector using `call` registers this; closing twice is fine)."""

    @blueprint.listener("after_server_stop")
    async def close_session(_app: Any, _loop: Any) -> None:
        await close()


async def call(method: Text, url: Text, platform: Text, **kwargs: Any) -> Any:
    """The platform's JSON answer (None when it sent no JSON); raises one of ERRORS on a failure."""
    async with session().request(method, url, **kwargs) as reply:
        body = await reply.text()
        if reply.status >= 400:
            logger.warning("%s answered HTTP %s", platform, reply.status)
            raise PlatformError(platform, reply.status)
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None
