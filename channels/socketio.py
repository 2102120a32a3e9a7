"""Socket.IO channel (the website widget) with safe turns.

Rasa's own connector, with its message handler wrapped by safe_turn. The
pinned python-socketio (< 5.10) keeps `enter_room` synchronous, which Rasa
3.6's session persistence relies on.
"""
from typing import Awaitable, Callable, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from channels.turn import StatedCountry, safe_turn


class SafeSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[None]]
    ) -> Blueprint:
        stated_country = StatedCountry()
        return stated_country.attach(super().blueprint(safe_turn(on_new_message, stated_country)))
