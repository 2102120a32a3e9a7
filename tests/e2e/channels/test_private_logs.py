"""No personal data in the server's log on an error path, at the default level and at DEBUG (privacy/logs.py).

Its own Rasa server (one at each level), whose tracker database refuses every write once it is up
(a trigger: as root, a 0400 file would still be written), so saving a turn fails with an error
whose text holds the sender id and the message's JSON (SQLAlchemy's parameters). A message with a
unique marker goes over REST and over Twilio from a phone number; the visitor still gets a reply
and the crisis line, and neither the marker, the REST sender nor the phone number is in the log.
"""
import sqlite3
import stat
import time
import uuid

import pytest
import requests

from channels.turn import NOT_SAVED_REPLY
from tests.e2e.channels import test_messenger, test_teams, test_twilio
from tests.helpers import LINE
from tooling.servers import MODEL, Servers


@pytest.fixture(scope="module", params=["default", "debug"])
def failing_store_server(request, tmp_path_factory, platforms):
    """At Rasa's default level the failed write is an ERROR line; --debug adds Rasa's own lines about each message."""
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train` (make test does it for you)")
    server = Servers(tmp_path_factory.mktemp("private-logs"), extra_env=platforms.env)
    server.level = request.param
    server.start_rasa(debug=request.param == "debug")
    try:
        yield server
    finally:
        server.stop_all()


def refuse_writes(db) -> None:
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TRIGGER refuse_writes BEFORE INSERT ON events "
                           "BEGIN SELECT RAISE(ABORT, 'the database is read-only'); END")
    db.chmod(0o400)


def test_a_failing_store_logs_no_message_text_sender_or_phone_number(failing_store_server, platforms):
    server = failing_store_server
    assert stat.S_IMODE(server.tracker_db.stat().st_mode) == 0o600  # created owner-only by the store
    refuse_writes(server.tracker_db)
    marker = f"zebra{uuid.uuid4().hex[:10]}"
    sender = f"visitor-{uuid.uuid4().hex[:10]}"
    phone = test_twilio.new_phone()
    text = f"my name is {marker}, what is imago therapy"

    # Rasa logs the failed write at ERROR (with SQLAlchemy's parameters in its text) and goes on
    # with an in-memory store, so the visitor still gets a whole turn, told it was not saved.
    reply = requests.post(f"{server.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=120)
    assert reply.status_code == 200 and reply.json()[-1]["text"] == LINE
    assert reply.json()[-2]["text"] == NOT_SAVED_REPLY
    answer, sent = test_twilio.text_in(server, platforms, phone, text)
    assert answer.status_code == 200 and sent[-1] == LINE

    time.sleep(1)  # the server's last lines reach the file
    log = server.rasa_log.read_text(errors="replace")
    for secret in (marker, sender, phone, phone[1:]):
        assert secret not in log
    assert "the database is read-only" in log, "the writes should have failed"
    assert "[parameters: withheld]" in log  # SQLAlchemy's error was logged, without its parameters
    assert ("DEBUG" in log) == (server.level == "debug")


def test_connectors_own_warnings_carry_no_visitor_data(failing_store_server, platforms):
    """Rasa's Messenger connector logs a whole event it can't handle; Rasa's Teams connector logged
    the traceback of a token it refused (ours, channels/teams.py, logs one line with the error's type)."""
    server = failing_store_server
    marker = f"okapi{uuid.uuid4().hex[:10]}"
    psid = test_messenger.new_psid()
    body = test_messenger.event(psid, {"sticker_id": 369239263222822, "metadata": f"my name is {marker}"})
    reply, sent = test_messenger.post(server, platforms, psid, body)
    assert reply.status_code == 200 and sent == []  # nothing to answer
    conversation = "a:" + uuid.uuid4().hex
    forged = platforms.teams_token("https://smba.trafficmanager.net/amer/", audience=f"app-{marker}")
    reply, sent = test_teams.post(server, platforms, test_teams.activity(platforms, conversation, marker), token=forged)
    assert reply.status_code == 401 and sent == []

    time.sleep(1)
    log = server.rasa_log.read_text(errors="replace")
    assert "facebook.message.cannot.handle" in log and "Refused a Teams call" in log
    for secret in (marker, psid, conversation, forged):
        assert secret not in log
    assert "Traceback" not in log
