"""The turn wrapper (channels/turn.py) and the response generator (replies/nlg.py, safety/handoff.py)."""
import asyncio
from pathlib import Path

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels.turn import EMPTY_MESSAGE_REPLY, ERROR_REPLY, TIMEOUT_REPLY, arrange_turn, safe_turn
from replies.nlg import AssistantNLG
from safety import crisis_lines
from tests.helpers import LINE, Recorder

HANDOFF = {"text": "I'm glad you told me.", "custom": {"handoff": {"type": "crisis"}}}
ROOT = Path(__file__).resolve().parents[2]


def test_plain_turn_ends_with_the_crisis_line():
    out = arrange_turn([{"text": "an answer"}], "rest", None)
    assert out == [{"text": "an answer"}, {"text": LINE}]


def test_handoff_payload_goes_first_and_needs_no_extra_line():
    out = arrange_turn([{"text": "before"}, HANDOFF, {"text": "after"}], "rest", "US")
    assert out[0] == {"custom": HANDOFF["custom"]}
    assert out[1] == {"text": HANDOFF["text"]}
    assert [m["text"] for m in out[2:]] == ["before", "after"]


def test_socketio_gets_the_payload_as_emit_data():
    out = arrange_turn([HANDOFF], "socketio", "US")
    assert out[0] == {"custom": {"data": HANDOFF["custom"]}}


def test_channels_without_payload_support_get_the_handoff_as_text_only():
    out = arrange_turn([HANDOFF], "telegram", "US")
    assert out == [{"text": HANDOFF["text"]}]


def test_an_empty_turn_still_shows_the_crisis_line():
    assert arrange_turn([], "socketio", "US") == [{"text": LINE}]


def test_country_without_lines_gets_the_international_line():
    assert "findahelpline.com" in arrange_turn([], "rest", "DE")[0]["text"]


@pytest.mark.parametrize("country", ["UK", "uk", " gb "])
def test_uk_means_great_britain(country):
    assert "116 123" in arrange_turn([], "rest", country)[0]["text"]


@pytest.mark.parametrize("country", [None, "", "not a country", 7])
def test_missing_or_bad_country_falls_back_to_the_us(country):
    assert arrange_turn([], "rest", country) == [{"text": LINE}]


@pytest.mark.parametrize("language, country, line", [
    ("es", "US", "¿En crisis? Llama al 988"),
    ("fr", "CA", "En crise ? Appelle ou texte le 988 (Canada)"),
    ("es", "GB", "Llama a Samaritans al 116 123"),
    ("de", "US", "findahelpline.com"),  # any other language: the international line
    ("en", "GB", "Call Samaritans on 116 123"),
])
def test_the_crisis_line_comes_in_the_visitors_language(language, country, line):
    out = arrange_turn([{"text": "an answer"}], "rest", country, language)
    assert out[0] == {"text": "an answer"} and line in out[-1]["text"]
    assert out[-1]["text"] == crisis_lines.every_turn_line(country, language)


def test_a_handoff_turn_gets_no_line_in_any_language():
    assert arrange_turn([HANDOFF], "rest", "US", "es") == [{"custom": HANDOFF["custom"]}, {"text": HANDOFF["text"]}]


def run_turn(handler, text, channel="rest"):
    out = Recorder()
    asyncio.run(safe_turn(handler)(UserMessage(text, out, "visitor", input_channel=channel)))
    return out.sent


def test_empty_message_is_answered_without_the_model():
    async def model(message):
        raise AssertionError("the model must not see an empty message")

    assert run_turn(model, "   ") == [{"text": EMPTY_MESSAGE_REPLY}, {"text": LINE}]


def test_a_failing_turn_still_replies_with_the_crisis_line():
    async def broken(message):
        await message.output_channel.send_response("visitor", HANDOFF)
        raise RuntimeError("boom")

    sent = run_turn(broken, "hello")
    assert sent[0] == {"custom": HANDOFF["custom"]}
    assert {"text": ERROR_REPLY} in sent


def test_a_turn_that_brings_no_reply_says_something_went_wrong():
    # Rasa logs an action server that timed out or is down and sends nothing.
    async def silent(message):
        return None

    assert run_turn(silent, "help me find a therapist") == [{"text": ERROR_REPLY}, {"text": LINE}]


def test_a_failing_turn_logs_neither_the_sender_nor_the_text(caplog):
    async def broken(message):
        raise RuntimeError("boom")

    out = Recorder()
    phone = "+15551234567"  # on SMS and WhatsApp the sender id is a phone number
    message = UserMessage("i feel awful", out, phone, input_channel="twilio")
    asyncio.run(safe_turn(broken)(message))
    assert "Handling a message failed" in caplog.text
    assert phone not in caplog.text and "i feel awful" not in caplog.text


def test_messages_reach_a_collecting_channel_in_order():
    async def model(message):
        await message.output_channel.send_response("visitor", {"text": "one"})
        await message.output_channel.send_response("visitor", HANDOFF)

    collector = CollectingOutputChannel()
    asyncio.run(safe_turn(model)(UserMessage("hello", collector, "visitor", input_channel="rest")))
    assert collector.messages[0]["custom"]["handoff"]["type"] == "crisis"
    assert collector.messages[-1]["text"] == "one"


DOMAIN = Domain.from_yaml(
    """
version: "3.1"
slots:
  country:
    type: text
    mappings: [{type: custom}]
responses:
  utter_handoff_abuse:
  - text: "You deserve to be safe."
    custom: {handoff: {type: abuse, country: "{country}"}}
  utter_plain:
  - text: "plain"
"""
)


def generate(action, metadata=None, stated=None):
    events = [UserUttered("x", metadata=metadata)] + ([SlotSet("country", stated)] if stated else [])
    tracker = DialogueStateTracker.from_events("v", events, DOMAIN.slots)
    return asyncio.run(AssistantNLG(domain=DOMAIN).generate(action, tracker, "rest"))


def test_handoff_response_gets_the_lines_from_the_data_file():
    response = generate("utter_handoff_abuse")
    handoff = response["custom"]["handoff"]
    assert handoff["type"] == "abuse" and handoff["country"] == "US"
    assert handoff["lines"][0]["name"] == "National Domestic Violence Hotline"
    assert "source" not in handoff["lines"][0]
    assert "text START to 88788" in response["text"]


def test_other_responses_are_untouched():
    assert generate("utter_plain")["text"] == "plain"


@pytest.mark.parametrize("metadata", [{"country": "usa!"}, {"country": 7}, None])
def test_bad_country_metadata_falls_back_to_us(metadata):
    assert generate("utter_handoff_abuse", metadata)["custom"]["handoff"]["country"] == "US"


def test_country_metadata_picks_that_countrys_lines():
    response = generate("utter_handoff_abuse", {"country": "gb"})
    assert response["custom"]["handoff"]["country"] == "GB"
    assert "0808 2000 247" in response["text"] and "999" in response["text"]


def test_where_the_visitor_says_they_are_beats_the_site_metadata():
    response = generate("utter_handoff_abuse", {"country": "gb"}, stated="AU")
    assert response["custom"]["handoff"]["country"] == "AU"


def test_an_unsupported_country_still_gets_phone_numbers():
    response = generate("utter_handoff_abuse", {"country": "BR"})
    handoff = response["custom"]["handoff"]
    assert handoff["country"] == "INTL"
    assert any(line.get("call") for line in handoff["lines"])
    assert "findahelpline.com" in response["text"] and "1-800-799-7233" in response["text"]
    assert "911" not in response["text"]  # another country's emergency number would be wrong


def test_the_line_uses_the_country_the_visitor_stated():
    async def model(message):
        await message.output_channel.send_response("visitor", {"text": "hello"})

    async def stated(sender_id):
        return "GB"

    out = Recorder()
    asyncio.run(safe_turn(model, stated)(UserMessage("hi", out, "visitor", input_channel="rest")))
    assert out.sent[-1]["text"] == crisis_lines.every_turn_line("GB")
    out = Recorder()
    message = UserMessage("hi", out, "visitor", input_channel="rest", metadata={"country": "AU"})
    asyncio.run(safe_turn(model, stated)(message))
    assert out.sent[-1]["text"] == crisis_lines.every_turn_line("GB")  # the visitor knows where they are


def test_without_a_statement_the_site_metadata_picks_the_line():
    async def model(message):
        await message.output_channel.send_response("visitor", {"text": "hello"})

    async def stated(sender_id):
        return None

    out = Recorder()
    message = UserMessage("hi", out, "visitor", input_channel="rest", metadata={"country": "AU"})
    asyncio.run(safe_turn(model, stated)(message))
    assert out.sent[-1]["text"] == crisis_lines.every_turn_line("AU")


def test_every_response_carries_the_country_the_generator_decided():
    from safety.country import TURN_KEY
    assert generate("utter_plain", {"country": "gb"}, stated="AU")[TURN_KEY] == "AU"
    assert generate("utter_plain", {"country": "gb"})[TURN_KEY] == "GB"
    handoff = generate("utter_handoff_abuse", {"country": "BR"})
    assert handoff[TURN_KEY] == handoff["custom"]["handoff"]["country"] == "INTL"


def test_the_line_uses_the_turns_country_without_reading_the_conversation_again():
    from safety.country import TURN_KEY

    async def model(message):
        await message.output_channel.send_response("visitor", {"text": "hello", TURN_KEY: "GB"})

    async def stated(sender_id):
        raise AssertionError("the turn already says which country")

    out = Recorder()
    message = UserMessage("hi", out, "visitor", input_channel="rest", metadata={"country": "AU"})
    asyncio.run(safe_turn(model, stated)(message))
    assert out.sent == [{"text": "hello"}, {"text": crisis_lines.every_turn_line("GB")}]  # the key is not sent


def test_the_country_the_generator_attached_is_never_sent():
    from safety.country import TURN_KEY
    out = arrange_turn([{**HANDOFF, TURN_KEY: "GB"}, {"text": "a", TURN_KEY: "GB"}], "rest", "GB")
    assert out and not any(TURN_KEY in m for m in out)


def test_a_failed_send_does_not_cost_the_rest_of_the_turn_or_the_crisis_line():
    class FlakyPlatform(Recorder):
        async def send_response(self, recipient_id, message):
            if message.get("text") == "one":
                raise ConnectionError("the platform is down")
            await super().send_response(recipient_id, message)

    async def model(message):
        await message.output_channel.send_response("visitor", {"text": "one"})
        await message.output_channel.send_response("visitor", {"text": "two"})

    out = FlakyPlatform()
    asyncio.run(safe_turn(model)(UserMessage("hi", out, "visitor", input_channel="twilio")))
    assert out.sent == [{"text": "two"}, {"text": LINE}]


def seen_by_rasa(text, channel="rest", sender="visitor"):
    """What Rasa's handler receives for a visitor's message, and what the visitor gets."""
    seen = []

    async def model(message):
        seen.append(message)
        await message.output_channel.send_response(message.sender_id, {"text": "answer"})

    out = Recorder()
    asyncio.run(safe_turn(model)(UserMessage(text, out, sender, input_channel=channel)))
    return (seen[0] if seen else None), out.sent


@pytest.mark.parametrize("text, expected", [
    ("/greet", "greet"),
    ('/greet{"country":"IN"}', 'greet{"country":"IN"}'),
    ("/greet@1 hello there", "greet@1 hello there"),
    ("  //help", "help"),
    ("/help", "/help"),  # the bot's own button payloads keep their slash
    ("/request_therapist_guide", "/request_therapist_guide"),
])
def test_visitor_text_never_sets_an_intent(text, expected):
    message, _ = seen_by_rasa(text)
    assert message.text == expected


def test_broken_and_hidden_characters_are_removed_before_rasa_reads_the_text():
    message, _ = seen_by_rasa("i want to ki\u200bll mys\u00adelf \ud83d")
    assert message.text == "i want to kill myself"


def test_the_conversation_id_is_namespaced_by_channel_but_replies_go_to_the_sender():
    out = Recorder()
    recipients = []

    class Platform(Recorder):
        async def send_response(self, recipient_id, message):
            recipients.append(recipient_id)

    seen = []

    async def model(message):
        seen.append(message.sender_id)
        await message.output_channel.send_response(message.sender_id, {"text": "answer"})

    asyncio.run(safe_turn(model)(UserMessage("hi", Platform(), "+15551234567", input_channel="twilio")))
    assert seen == ["twilio:+15551234567"]
    assert set(recipients) == {"+15551234567"}
    assert out.sent == []


def test_a_crisis_message_gets_the_handoff_first_even_when_rasa_fails():
    async def broken(message):
        raise RuntimeError("an NLU component failed")

    sent = run_turn(broken, "i want to end my life")
    assert sent[0]["custom"]["handoff"]["type"] == "crisis"
    assert "988" in sent[1]["text"]
    assert {"text": ERROR_REPLY} in sent and {"text": LINE} not in sent


def test_a_crisis_message_gets_the_handoff_first_when_rasa_is_too_slow():
    async def hung(message):
        await asyncio.sleep(30)

    out = Recorder()
    message = UserMessage("my husband hits me", out, "visitor", input_channel="rest")
    asyncio.run(safe_turn(hung, timeout=0.2)(message))
    assert out.sent[0]["custom"]["handoff"]["type"] == "abuse"
    assert {"text": TIMEOUT_REPLY} in out.sent


def test_the_wrapper_adds_no_second_handoff_when_rasa_gave_one():
    async def model(message):
        await message.output_channel.send_response("visitor", HANDOFF)

    sent = run_turn(model, "i want to end my life")
    assert sum("custom" in m for m in sent) == 1


def test_a_message_the_rule_layer_does_not_match_gets_no_handoff_from_the_wrapper():
    async def broken(message):
        raise RuntimeError("boom")

    assert not any("custom" in m for m in run_turn(broken, "what does imago cost"))


@pytest.mark.parametrize("language, about, starts", [
    ("es", "someone_else", "Parece que alguien"), ("fr", "someone_else", "Il semble qu'une personne"),
    ("es", "self", "Me alegra"), ("fr", "self", "Merci de me l'avoir dit"),
    ("en", "someone_else", "It sounds like someone"), ("en", "self", "I'm really glad"),
])
def test_the_most_specific_handoff_wording_is_chosen_every_time(language, about, starts):
    """Rasa picks at random among matching variations; the handoff must not."""
    domain = Domain.load(str(ROOT / "domain.yml"))
    nlg = AssistantNLG(domain=domain)
    message = UserUttered("x", parse_data={"intent": {"name": "crisis", "confidence": 1.0},
                                           "safety": {"language": language, "about": about}})
    tracker = DialogueStateTracker.from_events("v", [message], domain.slots)
    for _ in range(10):
        response = asyncio.run(nlg.generate("utter_handoff_crisis", tracker, "rest"))
        assert response["text"].startswith(starts)
    # ... and the wrapper's own handoff (safety/handoff.py) says the same.
    from safety.detector import Detection
    from safety.handoff import handoff_message
    assert handoff_message(Detection("crisis", "self", language, about), "US")["text"].startswith(starts)


def test_the_lines_again_after_an_abuse_handoff_are_the_abuse_lines():
    from rasa.shared.core.events import BotUttered
    domain = Domain.load(str(ROOT / "domain.yml"))
    events = [UserUttered("he hits me"),
              BotUttered("I'm sorry this is happening.", data={"custom": {"handoff": {"type": "abuse"}}}),
              UserUttered("what was that number again")]
    tracker = DialogueStateTracker.from_events("v", events, domain.slots)
    response = asyncio.run(AssistantNLG(domain=domain).generate("utter_crisis_lines", tracker, "rest"))
    assert response["custom"]["handoff"]["type"] == "abuse"
    assert "1-800-799-7233" in response["text"]


def test_a_message_about_both_dangers_gets_both_kinds_of_lines():
    domain = Domain.load(str(ROOT / "domain.yml"))
    message = UserUttered("x", parse_data={"intent": {"name": "crisis", "confidence": 1.0},
                                           "safety": {"language": "en", "about": "self", "also": "abuse"}})
    tracker = DialogueStateTracker.from_events("v", [message], domain.slots)
    response = asyncio.run(AssistantNLG(domain=domain).generate("utter_handoff_crisis", tracker, "rest"))
    names = [line["name"] for line in response["custom"]["handoff"]["lines"]]
    assert "988 Suicide & Crisis Lifeline" in names and "National Domestic Violence Hotline" in names
    assert names.count("Emergency services") == 1


@pytest.mark.parametrize("text, line", [
    ("¿cuánto cuesta la terapia imago?", crisis_lines.every_turn_line("US", "es")),
    ("combien ça coûte", crisis_lines.every_turn_line("US", "fr")),
    ("Was kostet das pro Sitzung?", crisis_lines.every_turn_line("INTL")),
    ("how much does imago cost", LINE),
])
def test_the_wrapper_reads_the_language_of_the_message_for_the_line(text, line):
    _, sent = seen_by_rasa(text)
    assert sent == [{"text": "answer"}, {"text": line}]


def test_an_english_message_after_a_spanish_one_gets_the_english_line_again():
    async def model(message):
        await message.output_channel.send_response(message.sender_id, {"text": "answer"})

    handler = safe_turn(model)
    for text, line in (("hola", crisis_lines.every_turn_line("US", "es")), ("how much is it", LINE)):
        out = Recorder()
        asyncio.run(handler(UserMessage(text, out, "visitor", input_channel="rest")))
        assert out.sent[-1]["text"] == line


def test_a_turn_answered_but_not_saved_says_so_instead_of_losing_it_silently():
    # privacy/store.py notes a failed save (a full disk): Rasa still answers from memory.
    from channels.turn import NOT_SAVED_REPLY
    from privacy.store import save_failed

    async def answered_unsaved(message):
        await message.output_channel.send_response("visitor", {"text": "an answer"})
        save_failed()

    assert run_turn(answered_unsaved, "how much is it") == [
        {"text": "an answer"}, {"text": NOT_SAVED_REPLY}, {"text": LINE}]


def test_a_saved_turn_gets_no_note():
    async def answered(message):
        await message.output_channel.send_response("visitor", {"text": "an answer"})

    assert run_turn(answered, "how much is it") == [{"text": "an answer"}, {"text": LINE}]
