"""content/topics.py and the topic cards (`topic:` in data/faq and data/not_covered): related topics
after an answer, "Do you mean ...?" with two buttons, and "tell me more"."""
import asyncio
from pathlib import Path

import pytest
import yaml
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from content.answers import domain_responses, read_answers, read_topics
from replies.nlg import AssistantNLG
from understanding import split

ROOT = Path(__file__).resolve().parents[2]


def nlg() -> AssistantNLG:
    generator = AssistantNLG()
    generator.responses = {**domain_responses(), **read_answers()}
    return generator


def card(topic: str):
    folder, name = topic.split("/")
    return yaml.safe_load((ROOT / "data" / folder / f"{name}.yml").read_text(encoding="utf-8"))["topic"]


def asked(text, intent, topic=None, **extra):
    parse = {"intent": {"name": intent}, "text": text, **extra}
    if topic:
        parse["response_selector"] = {intent: {"response": {"intent_response_key": topic, "confidence": 0.9}}}
    return UserUttered(text, parse_data=parse)


def say(action, *events):
    tracker = DialogueStateTracker.from_events("t", list(events))
    return asyncio.run(nlg().generate(action, tracker, "rest"))


def test_every_topic_has_a_card_and_every_related_topic_exists():
    topics = read_topics()
    faq = sorted(p.stem for p in (ROOT / "data" / "faq").glob("*.yml"))
    assert sorted(t.split("/")[1] for t in topics if t.startswith("faq/")) == faq
    for name, topic in topics.items():
        assert topic["related"], f"{name} offers nothing after its answer"
        assert set(topic["related"]) <= set(faq)
        if name.startswith("faq/"):
            assert topic["title"] and topic["question"]


def test_an_answer_ends_with_its_related_topics_as_buttons():
    reply = say("utter_faq/cost", asked("how much is it", "faq", "faq/cost"))
    related = card("faq/cost")["related"]
    assert [b["title"] for b in reply["buttons"]] == [card(f"faq/{t}")["title"] for t in related]
    assert [b["payload"] for b in reply["buttons"]] == [card(f"faq/{t}")["question"] for t in related]
    assert reply["text"] == read_answers()["utter_faq/cost"][0]["text"]


def test_the_buttons_are_not_added_to_the_stored_response_twice():
    generator = nlg()
    tracker = DialogueStateTracker.from_events("t", [asked("how much is it", "faq", "faq/cost")])
    first = asyncio.run(generator.generate("utter_faq/cost", tracker, "rest"))
    second = asyncio.run(generator.generate("utter_faq/cost", tracker, "rest"))
    assert first["buttons"] == second["buttons"] and len(second["buttons"]) == len(card("faq/cost")["related"])


def test_a_not_covered_reply_points_to_the_nearest_topics():
    reply = say("utter_not_covered/insurance", asked("does insurance pay", "not_covered", "not_covered/insurance"))
    assert "insurance" in reply["text"]
    titles = [b["title"] for b in reply["buttons"]]
    assert titles and titles[0] == card("faq/formats")["title"]
    assert card("faq/cost")["title"] not in titles  # not offered as a button: its answer is in the reply


def test_a_reply_that_promises_the_article_gives_it_in_the_same_message():
    """The insurance reply ends "Here is what the article does say about cost:": its card says
    `then: cost`, so the cost answer follows, its figures and Source line with it."""
    answers = read_answers()
    reply = say("utter_not_covered/insurance", asked("does insurance pay", "not_covered", "not_covered/insurance"))
    assert reply["text"] == answers["utter_not_covered/insurance"][0]["text"] + "\n\n" + \
        answers["utter_faq/cost"][0]["text"]
    assert "$700" in reply["text"] and "Source:" in reply["text"]
    # Every reply that ends on a colon has its `then:` topic after it.
    for name, variants in answers.items():
        if variants[0]["text"].rstrip().endswith(":"):
            topic = card(name[len("utter_"):])["then"]
            assert topic in [p.stem for p in (ROOT / "data" / "faq").glob("*.yml")], name


def test_the_promised_answer_is_not_repeated_within_one_message():
    """"how much is it and is it covered by insurance?" (channels/turn.py sends it as two parts):
    the costs, then the insurance reply without them again. Asked in a later message, the reply
    has them again, or it would end on "Here is what the article does say about cost:"."""
    answers = read_answers()
    cost, insurance = answers["utter_faq/cost"][0]["text"], answers["utter_not_covered/insurance"][0]["text"]

    def second_question(metadata):
        first = asked("how much is it", "faq", "faq/cost")
        second = asked("is it covered by insurance", "not_covered", "not_covered/insurance")
        second.metadata = metadata
        return say("utter_not_covered/insurance", first, BotUttered(cost, metadata={"utter_action": "utter_faq/cost"}),
                   second)["text"]

    assert second_question({split.PART_KEY: 2}) == insurance
    assert second_question({}) == insurance + "\n\n" + cost  # the next message, not the same one
    assert second_question({split.PART_KEY: "2"}) == insurance + "\n\n" + cost  # a client's metadata: ignored


@pytest.mark.parametrize("metadata, number", [(None, 1), ({}, 1), ({"split_part": 2}, 2), ({"split_part": True}, 1),
                                              ({"split_part": 99}, 1), ([], 1), ({"split_part": "x"}, 1)])
def test_part_number_reads_only_what_the_turn_wrapper_writes(metadata, number):
    assert split.part_number(metadata) == number


def test_do_you_mean_names_both_topics_and_offers_them_as_buttons():
    reply = say("utter_clarify", asked("is it worth it", "clarify", clarify=["faq/cost", "faq/effectiveness"]))
    cost, works = card("faq/cost"), card("faq/effectiveness")
    assert cost["title"] in reply["text"] and works["title"] in reply["text"] and "{" not in reply["text"]
    assert reply["buttons"] == [{"title": cost["title"], "payload": cost["question"]},
                                {"title": works["title"], "payload": works["question"]}]


def test_do_you_mean_without_two_known_topics_gives_the_help_text():
    reply = say("utter_clarify", asked("hm", "clarify", clarify=["faq/gone"]))
    assert reply["text"] == domain_responses()["utter_help"][0]["text"]


def test_tell_me_more_says_there_is_no_more_and_offers_the_last_topics_related_ones():
    reply = say("utter_tell_me_more",
                asked("how long does it take", "faq", "faq/duration"),
                ActionExecuted("utter_faq"), BotUttered("(the duration answer)"),
                asked("tell me more", "tell_me_more"))
    duration = card("faq/duration")
    assert duration["title"] in reply["text"] and "{" not in reply["text"]
    assert [b["title"] for b in reply["buttons"]] == [card(f"faq/{t}")["title"] for t in duration["related"]]
    assert reply["text"] != read_answers()["utter_faq/duration"][0]["text"]  # not the answer again


def test_tell_me_more_before_any_answer_gives_the_help_text():
    reply = say("utter_tell_me_more", asked("tell me more", "tell_me_more"))
    assert reply["text"] == domain_responses()["utter_help"][0]["text"]


def test_a_follow_up_after_the_find_a_therapist_guidance_leans_on_finding_a_therapist():
    # A visitor test: "what about online?" after the form's guidance asked
    # "Formats or What is Imago?", as if nothing had been asked before.
    reply = say("utter_follow_up",
                asked("help me find an imago therapist", "request_therapist_guide"),
                ActionExecuted("find_therapist_form"),
                asked("no preference", "no_preference"),
                ActionExecuted("action_find_therapist"), BotUttered("(the guidance)"),
                asked("what about online?", "follow_up", follow_up=["faq/formats", "faq/what_is_imago"]))
    titles = [b["title"] for b in reply["buttons"]]
    assert card("faq/find_therapist")["title"] in titles
    assert card("faq/what_is_imago")["title"] not in titles
