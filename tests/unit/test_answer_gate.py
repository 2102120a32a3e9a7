"""understanding/answer_gate.py: no article answer when the answer itself is unlikely;
"Do you mean A or B?" when two topics share the confidence."""
import pytest
from rasa.shared.nlu.training_data.message import Message

from understanding.answer_gate import AnswerConfidenceGate


def parsed(intent, *ranked, retrieval_intent="faq"):
    """A parse whose selector ranked (topic, confidence) pairs, in any order."""
    message = Message(data={"text": "a question"})
    message.set("intent", {"name": intent, "confidence": 0.97}, add_to_output=True)
    message.set("intent_ranking", [{"name": intent, "confidence": 0.97}], add_to_output=True)
    if ranked:
        ranking = [{"intent_response_key": f"{retrieval_intent}/{t}", "confidence": c} for t, c in ranked]
        best = max(ranking, key=lambda r: r["confidence"])
        message.set("response_selector", {retrieval_intent: {"response": best, "ranking": ranking}},
                    add_to_output=True)
    return message


def gate(message, **config):
    return AnswerConfidenceGate(config).process([message])[0]


def verdict(message, **config):
    return gate(message, **config).get("intent")["name"]


def test_a_sure_answer_passes():
    assert verdict(parsed("faq", ("cost", 0.93), ("duration", 0.04))) == "faq"


def test_an_unsure_answer_with_no_clear_pair_asks_to_rephrase():
    assert verdict(parsed("faq", ("cost", 0.31), ("duration", 0.12), ("sources", 0.1))) == "nlu_fallback"


def test_two_topics_sharing_the_confidence_ask_which_is_meant():
    message = gate(parsed("faq", ("effectiveness", 0.28), ("cost", 0.44), ("sources", 0.1)))
    assert message.get("intent")["name"] == "clarify"
    assert message.get("clarify") == ["faq/cost", "faq/effectiveness"]  # likelier first
    assert message.as_dict_nlu()["clarify"] == ["faq/cost", "faq/effectiveness"]  # in the parse data


def test_two_topics_too_close_to_call_ask_which_is_meant_even_when_both_are_likely():
    assert verdict(parsed("faq", ("cost", 0.51), ("effectiveness", 0.46))) == "clarify"
    assert verdict(parsed("faq", ("cost", 0.58), ("effectiveness", 0.40))) == "faq"


def test_the_settings_come_from_config():
    message = parsed("faq", ("cost", 0.45), ("effectiveness", 0.3))
    assert verdict(message, threshold=0.4) == "faq"
    assert verdict(parsed("faq", ("cost", 0.45), ("effectiveness", 0.3)), pair=0.9) == "nlu_fallback"


def test_an_unsure_not_covered_subject_asks_to_rephrase_and_never_offers_choices():
    message = parsed("not_covered", ("insurance", 0.4), ("privacy", 0.35), retrieval_intent="not_covered")
    assert verdict(message) == "nlu_fallback"
    sure = parsed("not_covered", ("insurance", 0.9), ("privacy", 0.05), retrieval_intent="not_covered")
    assert verdict(sure) == "not_covered"


@pytest.mark.parametrize("intent", ["crisis", "abuse", "greet", "inform"])
def test_other_intents_are_untouched(intent):
    assert verdict(parsed(intent, ("cost", 0.1))) == intent


def test_a_faq_verdict_without_a_selected_answer_asks_to_rephrase():
    assert verdict(parsed("faq")) == "nlu_fallback"


def test_a_selector_that_reports_only_its_pick_is_read_too():
    message = parsed("faq")
    message.set("response_selector", {"faq": {"response": {"confidence": 0.9, "intent_response_key": "faq/cost"}}})
    assert verdict(message) == "faq"


def unsure_subject_with_topic(confidence):
    message = parsed("not_covered", ("insurance", 0.4), ("privacy", 0.35), retrieval_intent="not_covered")
    message.set("response_selector", {**message.get("response_selector"), "faq": {
        "ranking": [{"intent_response_key": "faq/limitations", "confidence": confidence},
                    {"intent_response_key": "faq/cost", "confidence": 0.01}]}})
    return message


def test_not_covered_with_no_subject_found_but_a_very_sure_topic_is_that_article_question():
    assert verdict(unsure_subject_with_topic(0.97)) == "faq"
    assert verdict(unsure_subject_with_topic(0.8)) == "nlu_fallback"  # sure, but not very sure


@pytest.mark.parametrize("typed", ["Techniques", "techniques", " Does it work? "])
def test_a_topic_buttons_title_typed_back_is_that_topic_whatever_the_model_guessed(typed):
    # The clean clone's model read the bare word "Techniques" as nlu_fallback.
    message = parsed("nlu_fallback", ("what_is_imago", 0.4), ("techniques", 0.3))
    message.set("text", typed)
    out = gate(message)
    topic = "faq/techniques" if "tech" in typed.lower() else "faq/effectiveness"
    assert out.get("intent")["name"] == "faq"
    assert out.get("response_selector")["faq"]["response"]["intent_response_key"] == topic
    assert out.get("response_selector")["faq"]["response"]["utter_action"] == f"utter_{topic}"


def test_a_longer_message_with_a_title_in_it_is_left_to_the_model():
    message = parsed("nlu_fallback", ("what_is_imago", 0.4), ("techniques", 0.3))
    message.set("text", "techniques for my anxiety")
    assert verdict(message) == "nlu_fallback"


def unsure_topic_with_subject(subject_confidence, diet_not_covered):
    """A faq verdict whose selector finds no topic, with the not-covered selector's pick and
    DIET's confidence in `not_covered`."""
    message = parsed("faq", ("what_to_expect", 0.2), ("affair", 0.12), ("comparison", 0.09))
    message.set("intent_ranking", [{"name": "faq", "confidence": 1 - diet_not_covered},
                                   {"name": "not_covered", "confidence": diet_not_covered}])
    message.set("response_selector", {**message.get("response_selector"), "not_covered": {
        "response": {"intent_response_key": "not_covered/particular_needs", "confidence": subject_confidence},
        "ranking": [{"intent_response_key": "not_covered/particular_needs", "confidence": subject_confidence},
                    {"intent_response_key": "not_covered/therapist", "confidence": 0.005}]}})
    return message


def test_a_topic_not_found_when_diet_was_torn_and_the_subject_is_very_sure_is_that_subject():
    # "my wife and i are both women, would an imago therapist be weird about that":
    # DIET faq 0.53 / not_covered 0.42, faq selector 0.2, not-covered selector 0.99.
    message = gate(unsure_topic_with_subject(0.99, 0.42))
    assert message.get("intent") == {"name": "not_covered", "confidence": 0.99}
    assert message.get("response_selector")["not_covered"]["response"]["intent_response_key"] == \
        "not_covered/particular_needs"


def test_a_sure_subject_alone_does_not_turn_a_topic_question_into_not_covered():
    # "partner had a fling, what would imago sessions focus on": DIET faq 1.0, and the
    # not-covered selector 0.99 "children", as it ranks its subjects whatever the message.
    assert verdict(unsure_topic_with_subject(0.99, 0.0)) == "nlu_fallback"
    assert verdict(unsure_topic_with_subject(0.8, 0.42)) == "nlu_fallback"  # subject not very sure
    assert verdict(unsure_topic_with_subject(0.99, 0.42), torn=0.5) == "nlu_fallback"
