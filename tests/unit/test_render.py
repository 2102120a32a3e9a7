"""Per-channel rendering (channels/render.py): choices, links, length limits."""
import pytest

from channels import render
from channels.turn import arrange_turn
from safety import crisis_lines

BUTTONS = [
    {"title": "What is Imago therapy?", "payload": "What is Imago therapy?"},
    {"title": "Cost", "payload": "How much does Imago therapy cost?"},
    {"title": "What can you answer?", "payload": "/help"},
]
HANDOFF = {"text": "I'm really glad you told me.\n• 988 Suicide & Crisis Lifeline: call or text 988",
           "custom": {"handoff": {"type": "crisis"}}}


@pytest.mark.parametrize("channel", ["rest", "socketio"])
def test_website_channels_are_left_alone(channel):
    messages = [{"text": "see [the article](https://example.org/a) " + "x" * 5000, "buttons": BUTTONS}]
    assert render.for_channel(messages, channel) is messages


@pytest.mark.parametrize("channel", ["twilio", "whatsapp"])
def test_sms_buttons_become_numbered_choices(channel):
    out = render.for_channel([{"text": "Pick a topic:", "buttons": BUTTONS}], channel)
    assert out == [{"text": "Pick a topic:\n1. What is Imago therapy?\n2. Cost\n3. What can you answer?\n"
                            + render.CHOICE_HINT}]


def test_sms_choices_are_numbered_across_the_turn():
    out = render.for_channel([{"text": "a", "buttons": BUTTONS[:1]}, {"text": "b", "buttons": BUTTONS[1:]}], "twilio")
    assert "1. What is Imago therapy?" in out[0]["text"]
    assert "2. Cost" in out[1]["text"] and "3. What can you answer?" in out[1]["text"]


@pytest.mark.parametrize("reply, picked", [
    ("2", "How much does Imago therapy cost?"), (" 3 ", "/help"), ("1.", "What is Imago therapy?"),
    ("#2", "How much does Imago therapy cost?"), ("4", None), ("0", None), ("988", None),
    ("2 please", None), ("", None), (None, None),
])
def test_a_bare_number_picks_that_choice(reply, picked):
    assert render.pick_choice(reply, BUTTONS) == picked


def test_a_number_without_choices_on_offer_is_read_as_typed():
    assert render.pick_choice("2", []) is None


def test_messenger_gets_quick_replies_with_titles_it_can_show():
    out = render.for_channel([{"text": "Pick:", "buttons": BUTTONS * 5}], "facebook")
    replies = out[0]["quick_replies"]
    assert len(replies) == render.MESSENGER_QUICK_REPLIES and "buttons" not in out[0]
    assert all(len(r["title"]) <= render.MESSENGER_TITLE for r in replies)
    assert replies[0] == {"content_type": "text", "title": "What is Imago thera…", "payload": "What is Imago therapy?"}


def test_teams_buttons_are_card_actions_that_post_the_payload_back():
    out = render.for_channel([{"text": "Pick:", "buttons": BUTTONS[2:]}], "botframework")
    assert out[0]["buttons"] == [{"type": "imBack", "title": "What can you answer?", "value": "/help"}]


def test_telegram_buttons_get_a_row_each():
    out = render.for_channel([{"text": "Pick:", "buttons": BUTTONS}], "telegram")
    assert out[0]["button_type"] == "vertical" and out[0]["buttons"] == BUTTONS


@pytest.mark.parametrize("channel, expected", [
    ("slack", "Read <https://example.org/a|the article> &amp; more &lt;3"),
    ("botframework", "Read [the article](https://example.org/a) & more <3"),
    ("telegram", "Read the article (https://example.org/a) & more <3"),
    ("facebook", "Read the article (https://example.org/a) & more <3"),
    ("twilio", "Read the article (https://example.org/a) & more <3"),
])
def test_links_are_written_the_way_the_channel_shows_them(channel, expected):
    text = "Read [the article](https://example.org/a) & more <3"
    assert render.for_channel([{"text": text}], channel)[0]["text"] == expected


def test_bare_urls_stay_as_they_are():
    assert render.format_links("chat at 988lifeline.org or https://988lifeline.org", "twilio") == \
        "chat at 988lifeline.org or https://988lifeline.org"


SENTENCE = "Imago therapy helps couples talk about what hurts without blame. "


@pytest.mark.parametrize("channel", sorted(render.LIMITS))
def test_long_texts_are_split_within_the_channel_limit_at_sentence_ends(channel):
    text = SENTENCE * 400  # about 26,000 characters
    out = render.for_channel([{"text": text}], channel)
    assert len(out) > 1
    assert all(len(m["text"]) <= render.LIMITS[channel] for m in out)
    assert all(m["text"].endswith("blame.") for m in out)
    assert " ".join(m["text"] for m in out) == text.strip()


def test_split_prefers_paragraphs_then_lines():
    text = "a" * 900 + "\n\n" + "b" * 500 + "\n" + "c" * 500
    assert render.split_text(text, 1600) == ["a" * 900, "b" * 500 + "\n" + "c" * 500]
    assert render.split_text("x" * 3500, 1600) == ["x" * 1600, "x" * 1600, "x" * 300]


def test_buttons_stay_on_the_last_part_of_a_long_message():
    out = render.for_channel([{"text": SENTENCE * 80, "buttons": BUTTONS}], "telegram")
    assert "buttons" not in out[0] and out[-1]["buttons"] == BUTTONS


def test_numbered_choices_survive_splitting():
    out = render.for_channel([{"text": SENTENCE * 30, "buttons": BUTTONS}], "twilio")
    assert len(out) == 2 and all(len(m["text"]) <= 1600 for m in out)
    assert out[-1]["text"].endswith("3. What can you answer?\n" + render.CHOICE_HINT)


@pytest.mark.parametrize("channel", sorted(render.LIMITS))
def test_on_every_messaging_channel_the_handoff_is_first_and_text_only(channel):
    out = render.for_channel(arrange_turn([{"text": "before"}, HANDOFF], channel, "US"), channel)
    assert "988" in out[0]["text"] and "custom" not in out[0]
    assert not any("custom" in m for m in out)


@pytest.mark.parametrize("channel", sorted(render.LIMITS))
def test_on_every_messaging_channel_a_plain_turn_ends_with_the_crisis_line(channel):
    out = render.for_channel(arrange_turn([{"text": "an answer", "buttons": BUTTONS}], channel, "US"), channel)
    assert out[-1]["text"] == render.format_links(crisis_lines.every_turn_line("US"), channel)
