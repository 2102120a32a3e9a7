"""What several test files use: the repo root, the crisis line every US turn ends with, a fresh
conversation id, and the texts of a reply joined. Imported (conftest.py holds fixtures only)."""
import uuid
from pathlib import Path

from rasa.core.channels.channel import OutputChannel

from safety import crisis_lines

ROOT = Path(__file__).resolve().parent.parent
LINE = crisis_lines.every_turn_line("US")


def new_sender(prefix: str = "test") -> str:
    """A conversation id no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def texts(messages) -> str:
    """Every message's text, one a line (a message without text counts as an empty line)."""
    return "\n".join(m.get("text") or "" for m in messages)


class Recorder(OutputChannel):
    """An output channel that keeps what a turn sends, for safe_turn's unit tests."""

    def __init__(self):
        self.sent = []

    @classmethod
    def name(cls):
        return "recorder"

    async def send_response(self, recipient_id, message):
        self.sent.append(message)
