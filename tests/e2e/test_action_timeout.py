"""A hung action server costs one reply, not the conversation (scripts/serve/action_timeout.py).

The action server is replaced by a stand-in on ACTION_PORT that accepts
connections and never answers. The find-a-therapist form's last step calls
it: the visitor still gets a reply within ~10 s (Rasa gives up after
ACTION_TIMEOUT, 5 s by default, instead of 300 s), and the same visitor's
next message is answered at once (the conversation's lock is free again).
Handoffs never call the action server. Runs on the shared server, last in
its file, and restarts the real action server after.
"""
import socket
import threading
import time

import pytest

from channels.turn import ERROR_REPLY, TIMEOUT_REPLY
from tests.helpers import LINE, new_sender, texts

ASK_FORMAT, ASK_PLACE = "How would you like to do Imago therapy", "Where do you live?"


class HungActionServer:
    """Accepts every connection on the port and never sends a byte."""

    def __init__(self, port: int) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen(16)
        self.held = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(connection)

    def close(self) -> None:
        self.listener.close()
        for connection in self.held:
            connection.close()


@pytest.fixture
def hung_actions(servers):
    servers.stop_actions()
    hung = HungActionServer(servers.action_port)
    yield hung
    hung.close()
    servers.start_actions()


def timed_say(servers, sender, text):
    start = time.monotonic()
    messages = servers.say(sender, text)
    return messages, time.monotonic() - start


def test_a_hung_action_server_costs_one_reply_not_the_conversation(servers, hung_actions):
    sender = new_sender()
    assert ASK_FORMAT in texts(servers.say(sender, "find a therapist"))
    assert ASK_PLACE in texts(servers.say(sender, "idk"))

    messages, seconds = timed_say(servers, sender, "Chicago")  # the form's last step calls the action server
    assert hung_actions.held, "the action server was not called"
    # Rasa gave up on the action before the turn wrapper's 30 s time-out, and said so.
    assert ERROR_REPLY in texts(messages) and TIMEOUT_REPLY not in texts(messages), f"after {seconds:.1f} s"
    assert messages[-1]["text"] == LINE

    messages, seconds = timed_say(servers, sender, "how much does imago therapy cost?")
    # With the lock still held (Rasa's 300 s wait) this would be the time-out reply.
    assert "$700" in texts(messages) and messages[-1]["text"] == LINE, f"after {seconds:.1f} s"

    messages, seconds = timed_say(servers, sender, "i want to die")
    assert messages[0]["custom"]["handoff"]["type"] == "crisis", f"after {seconds:.1f} s"
