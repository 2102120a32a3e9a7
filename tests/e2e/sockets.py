"""A visitor's Socket.IO client for the session and limit tests: what it
received, in order, and what it asks. Long-polling, as in test_socketio.py
(the pinned aiohttp predates engineio's websocket client)."""
import asyncio
from typing import Any, Dict, List, Optional

import socketio


class Visitor:
    def __init__(self, url: str, address: Optional[str] = None) -> None:
        self.url = url
        # Read by the server only when its TRUSTED_PROXIES names 127.0.0.1.
        self.headers = {"X-Forwarded-For": address} if address else {}
        self.client = socketio.AsyncClient(reconnection=False)
        self.received: List[Dict[str, Any]] = []
        self.confirmed: asyncio.Queue = asyncio.Queue()
        self.client.on("bot_uttered", lambda data: self.received.append(data))
        self.client.on("session_confirm", lambda data: self.confirmed.put_nowait(data))

    async def connect(self) -> "Visitor":
        await self.client.connect(self.url, socketio_path="/socket.io", transports=["polling"],
                                  headers=self.headers)
        return self

    async def session(self, session_id: Any = None, wait: float = 10.0) -> Any:
        """The id the server confirmed for a session_request."""
        await self.client.emit("session_request", {"session_id": session_id})
        return await asyncio.wait_for(self.confirmed.get(), wait)

    async def emit(self, event: str, data: Any) -> None:
        await self.client.emit(event, data)

    async def turn(self, event: Any, wait: float = 30.0, quiet: float = 2.0) -> List[Dict[str, Any]]:
        """Send a user_uttered event; what arrived until the bot went quiet."""
        start = len(self.received)
        await self.client.emit("user_uttered", event)
        return await self.settle(start, wait, quiet)

    async def settle(self, start: int = 0, wait: float = 30.0, quiet: float = 2.0) -> List[Dict[str, Any]]:
        """What arrived after `start` once nothing more came for `quiet` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while len(self.received) == start and loop.time() < deadline:
            await asyncio.sleep(0.1)
        seen = -1
        while seen != len(self.received):
            seen = len(self.received)
            await asyncio.sleep(quiet)
        return self.received[start:]

    async def close(self) -> None:
        await self.client.disconnect()
