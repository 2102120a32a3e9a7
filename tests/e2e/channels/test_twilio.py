"""SMS and WhatsApp through Twilio, end to end: Twilio's documented webhook
form posted to the running connector, replies caught at the stand-in."""
import uuid

import pytest
import requests

from channels import render
from tests.helpers import LINE
from tests.platforms import SMS_NUMBER, TWILIO_SID, WHATSAPP_NUMBER


def new_phone() -> str:
    return "+1555" + str(uuid.uuid4().int)[:7]


def text_in(servers, platforms, sender, body, channel="twilio", signature=None):
    """Post what Twilio posts for an incoming message; return the status and the SMS bodies sent back."""
    url = f"{servers.url}/webhooks/{channel}/webhook"
    to = SMS_NUMBER if channel == "twilio" else WHATSAPP_NUMBER
    form = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": TWILIO_SID, "From": sender, "To": to,
            "Body": body, "NumMedia": "0", "NumSegments": "1", "SmsStatus": "received", "ApiVersion": "2010-04-01"}
    if signature is None:
        signature = platforms.twilio_signature(url, form)
    before = len(platforms.sms(sender))
    reply = requests.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=120)
    return reply, platforms.sms(sender)[before:]


def test_faq_answer_by_sms_ends_with_the_crisis_line(servers, platforms):
    reply, sent = text_in(servers, platforms, new_phone(), "how much does imago therapy cost?")
    assert reply.status_code == 200
    assert any("$700" in body for body in sent) and sent[-1] == LINE
    assert all(len(body) <= 1600 for body in sent)


def test_crisis_by_sms_gets_the_hotlines_first(servers, platforms):
    _, sent = text_in(servers, platforms, new_phone(), "i want to die")
    assert sent[0].startswith("I'm really glad you told me")
    assert "988" in sent[0] and "741741" in sent[0]
    assert not any("{" in body for body in sent), "the JSON payload must not reach an SMS"


def test_buttons_arrive_as_numbered_choices_and_a_number_picks_one(servers, platforms):
    phone = new_phone()
    _, sent = text_in(servers, platforms, phone, "hi")
    greeting = sent[0]
    assert "\n1. What is Imago therapy?\n2. What does it cost?\n3. Does it work?\n4. Find a therapist\n" in greeting
    assert greeting.endswith(render.CHOICE_HINT) and sent[-1] == LINE
    _, sent = text_in(servers, platforms, phone, "2")
    assert any("$700" in body for body in sent), sent  # "What does it cost?"


def test_a_number_with_no_choices_on_offer_is_read_as_typed(servers, platforms):
    phone = new_phone()
    text_in(servers, platforms, phone, "how much does imago therapy cost?")
    _, sent = text_in(servers, platforms, phone, "2")
    assert not any("$700" in body for body in sent)
    assert sent[-1] == LINE


def test_whatsapp_replies_come_from_the_whatsapp_number(servers, platforms):
    sender = "whatsapp:" + new_phone()
    reply, _ = text_in(servers, platforms, sender, "what is imago therapy", channel="whatsapp")
    assert reply.status_code == 200
    calls = platforms.twilio_calls(sender)
    assert calls and all(c.body["From"] == WHATSAPP_NUMBER for c in calls)
    assert calls[-1].body["Body"] == LINE


@pytest.mark.parametrize("channel", ["twilio", "whatsapp"])
def test_a_wrongly_signed_message_is_refused_and_answered_with_nothing(servers, platforms, channel):
    phone = new_phone()
    reply, sent = text_in(servers, platforms, phone, "i want to die", channel=channel, signature="bm90IHNpZ25lZA==")
    assert reply.status_code == 403 and sent == []
    reply, sent = text_in(servers, platforms, phone, "hi", channel=channel, signature="")
    assert reply.status_code == 403 and sent == []


def test_a_signed_call_without_a_message_gets_a_clear_400(servers, platforms):
    url = f"{servers.url}/webhooks/twilio/webhook"
    form = {"AccountSid": TWILIO_SID, "From": new_phone()}
    reply = requests.post(url, data=form, headers={"X-Twilio-Signature": platforms.twilio_signature(url, form)},
                          timeout=30)
    assert reply.status_code == 400 and "Body" in reply.json()["error"]
