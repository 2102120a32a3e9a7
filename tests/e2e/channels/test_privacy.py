"""No channel writes the visitor's words to the server log at INFO."""
import uuid

from safety import crisis_lines
from tests.e2e.channels import test_messenger, test_slack, test_teams, test_telegram, test_twilio


def test_message_text_is_not_logged_on_any_channel(servers, platforms):
    marker = f"zebra{uuid.uuid4().hex[:8]}"
    text = f"my name is {marker}, what is imago therapy"

    test_twilio.text_in(servers, platforms, test_twilio.new_phone(), text)
    test_twilio.text_in(servers, platforms, "whatsapp:" + test_twilio.new_phone(), text, channel="whatsapp")
    chat = test_telegram.new_chat()
    test_telegram.post(servers, platforms, chat, test_telegram.message_update(chat, text))
    psid = test_messenger.new_psid()
    test_messenger.post(servers, platforms, psid, test_messenger.event(psid, {"text": text}))
    conversation = "a:" + uuid.uuid4().hex
    test_teams.post(servers, platforms, test_teams.activity(platforms, conversation, text))
    user, channel = test_slack.new_ids()
    test_slack.post(servers, platforms, test_slack.message_event(user, channel, text))
    test_slack.turn(platforms, channel, 0, lambda t: t == crisis_lines.every_turn_line("US"))

    assert marker not in servers.rasa_log.read_text(errors="replace")
