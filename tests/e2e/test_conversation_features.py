"""End to end over REST: two questions in one message, "not covered" replies, related topics
as buttons, "tell me more" and short follow-ups, as a visitor's client sees them."""

import pytest

from content import answers
from safety import crisis_lines
from tests.helpers import new_sender


def answer(topic: str) -> str:
    return answers.read_answers()[topic][0]["text"]


def texts(messages):
    return [m.get("text", "") for m in messages]


def test_two_questions_in_one_message_get_both_answers_in_order(servers):
    messages = servers.say(new_sender(), "how much does imago cost? and how many sessions does it take?")
    said = texts(messages)
    assert said.index(answer("utter_faq/cost")) < said.index(answer("utter_faq/duration"))
    assert said[-1] == crisis_lines.every_turn_line("US")  # the crisis line once, at the end
    assert said.count(crisis_lines.every_turn_line("US")) == 1


def test_a_typo_and_a_two_word_second_question_still_get_both_answers(servers):
    said = texts(servers.say(new_sender(), "how long dose it take and how much?"))
    assert said.index(answer("utter_faq/duration")) < said.index(answer("utter_faq/cost"))


def test_a_question_and_one_the_article_cant_answer_get_an_answer_and_an_honest_reply(servers):
    said = texts(servers.say(new_sender(), "how much is it and is it covered by insurance?"))
    # The insurance reply's `then: cost` is left out: the costs were just given.
    assert said[:2] == [answer("utter_faq/cost"), answer("utter_not_covered/insurance")]


def test_a_question_the_article_doesnt_cover_names_what_was_asked_and_points_to_help(servers):
    messages = servers.say(new_sender(), "does my health insurance pay for imago sessions?")
    # "Here is what the article does say about cost:", and then it does (`then: cost`).
    assert messages[0]["text"] == answer("utter_not_covered/insurance") + "\n\n" + answer("utter_faq/cost")
    assert "Formats" in [b["title"] for b in messages[0]["buttons"]]


# Visitors' questions from conversations held over REST (2026-12-03), one per subject
# added that day; none is a training example.
NEW_SUBJECTS = {
    "legal": "what about custody stuff, we're separating",
    "children": "can our kids come to sessions",
    "particular_needs": "my gf and i are both trans, is imago ok for us",
    "becoming_a_therapist": "im a counselor, how long is the imago training",
    "confidentiality": "is couples therapy confidential, like will they tell my wife what i say privately",
}


@pytest.mark.parametrize("subject", sorted(NEW_SUBJECTS))
def test_each_subject_the_article_lacks_gets_its_own_honest_reply(servers, subject):
    messages = servers.say(new_sender(), NEW_SUBJECTS[subject])
    assert messages[0]["text"] == answer(f"utter_not_covered/{subject}")
    assert messages[0]["buttons"], "the reply offers the nearest article topics"


def test_an_answer_offers_related_topics_and_tapping_one_answers_it(servers):
    sender = new_sender()
    reply = servers.say(sender, "how many sessions does imago take")[0]
    assert reply["text"] == answer("utter_faq/duration")
    tapped = reply["buttons"][0]
    topic = answers.read_topics()["faq/duration"]["related"][0]
    assert servers.say(sender, tapped["payload"])[0]["text"] == answer(f"utter_faq/{topic}")


def test_tell_me_more_says_what_there_is_instead_of_repeating_the_answer(servers):
    sender = new_sender()
    servers.say(sender, "how many sessions does imago take")
    more = servers.say(sender, "tell me more")[0]
    assert more["text"] != answer("utter_faq/duration")
    assert answers.read_topics()["faq/duration"]["title"] in more["text"]
    assert more["buttons"]


def test_a_short_follow_up_leans_on_the_last_topic_instead_of_guessing_one(servers):
    sender = new_sender()
    servers.say(sender, "how much does imago therapy cost?")
    title = answers.read_topics()["faq/cost"]["title"]
    for follow_up in ("and what about that?", "what about that one then?"):
        reply = servers.say(sender, follow_up)[0]
        assert f'"{title}"' in reply["text"], follow_up  # "Do you mean "Cost" or ...?" or "that's all on "Cost""
        assert reply["buttons"]


def test_a_crisis_message_with_a_question_is_not_split_and_gets_one_handoff(servers):
    messages = servers.say(new_sender(), "how much does it cost? i want to kill myself")
    assert messages[0]["custom"]["handoff"]["type"] == "crisis"
    assert sum(1 for m in messages if (m.get("custom") or {}).get("handoff")) == 1
