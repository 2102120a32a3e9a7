"""A slow platform holds up only its own visitor's turn (issue 11, item 7).

The stand-in (tests/platforms.py) holds the bot's outgoing send open, as a
slow Twilio, Messenger or Microsoft would. With blocking senders the whole
event loop waited for it, so every other visitor on every channel waited
too; with aiohttp (channels/http.py) the server keeps answering, and a send
that times out costs that one message, logged without personal data.
"""
import threading
import uuid

import pytest
import requests

from tests.e2e.channels import test_messenger, test_teams, test_twilio
from tests.helpers import LINE, new_sender, texts

REST_WAIT = 90  # far longer than any answer takes; only a blocked server runs into it


def in_background(target, *args) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread


def sms_turn(servers, platforms):
    phone = test_twilio.new_phone()
    held = lambda c: c.path.endswith("/Messages.json") and c.body.get("To") == phone  # noqa: E731
    return held, lambda: test_twilio.text_in(servers, platforms, phone, "what is imago therapy")


def messenger_turn(servers, platforms):
    psid = test_messenger.new_psid()
    held = lambda c: (c.path == "/messenger/me/messages" and "message" in c.body  # noqa: E731
                      and c.body["recipient"]["id"] == psid)
    body = test_messenger.event(psid, {"text": "what is imago therapy"})
    return held, lambda: test_messenger.post(servers, platforms, psid, body)


def teams_turn(servers, platforms):
    conversation = "a:" + uuid.uuid4().hex
    held = lambda c: c.path.endswith(f"/conversations/{conversation}/activities")  # noqa: E731
    body = test_teams.activity(platforms, conversation, "what is imago therapy")
    return held, lambda: test_teams.post(servers, platforms, body)


@pytest.mark.parametrize("turn", [sms_turn, messenger_turn, teams_turn], ids=["twilio", "messenger", "teams"])
def test_a_send_held_open_by_the_platform_does_not_hold_up_another_visitor(servers, platforms, turn):
    held, send_turn = turn(servers, platforms)
    with platforms.holding(held) as hold:
        visitor = in_background(send_turn)
        assert hold.arrived.wait(120), "the bot never tried to send its answer"
        try:
            reply = requests.post(f"{servers.url}/webhooks/rest/webhook", timeout=REST_WAIT,
                                  json={"sender": new_sender("slow"), "message": "how much does imago therapy cost?"})
        except requests.Timeout:
            pytest.fail("no answer on REST while a platform held a send open: the event loop is blocked")
        assert not hold.released.is_set()  # answered while the send was still held
        assert reply.status_code == 200 and "$700" in texts(reply.json()) and reply.json()[-1]["text"] == LINE
    visitor.join(120)


def test_a_send_that_times_out_is_logged_without_personal_data_and_the_turn_goes_on(servers, platforms):
    phone = test_twilio.new_phone()
    marker = f"zebra{uuid.uuid4().hex[:8]}"
    to_phone = lambda c: c.path.endswith("/Messages.json") and c.body.get("To") == phone  # noqa: E731
    with platforms.holding(to_phone, limit=1) as hold:  # only the turn's first SMS hangs
        visitor = in_background(test_twilio.text_in, servers, platforms, phone,
                                f"my name is {marker}, how much does imago therapy cost?")
        sent = platforms.wait_for(to_phone, lambda calls: bool(calls) and calls[-1].body["Body"] == LINE)
        assert not hold.released.is_set(), "the rest of the turn went out while the first SMS hung"
    visitor.join(120)
    bodies = [c.body["Body"] for c in sent]
    assert len(bodies) >= 2 and bodies[-1] == LINE, bodies
    assert hold.held and hold.held[0].body["Body"] == bodies[0]  # the one that timed out
    log = servers.rasa_log.read_text(errors="replace")
    assert "Sending a message on twilio failed (TimeoutError)" in log
    assert phone not in log and phone.lstrip("+") not in log and marker not in log
