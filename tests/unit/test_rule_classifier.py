"""The rule layer as an NLU component: what it does to the model's verdict."""
import pytest
from rasa.shared.nlu.training_data.message import Message

from safety.rule_classifier import SafetyRuleClassifier


@pytest.fixture(scope="module")
def component():
    return SafetyRuleClassifier()


def parsed(component, text, intent, confidence=0.95):
    message = Message(data={"text": text, "intent": {"name": intent, "confidence": confidence},
                            "intent_ranking": [{"name": intent, "confidence": confidence}]})
    component.process([message])
    return message


def test_a_rule_match_overrides_any_model_verdict(component):
    message = parsed(component, "how much does it cost, i want to die", "faq", 0.99)
    assert message.get("intent") == {"name": "crisis", "confidence": 1.0}
    assert message.get("intent_ranking")[0]["name"] == "crisis"
    assert message.get("safety")["detector"] == "rules"


def test_a_rule_match_overrides_the_fallback(component):
    message = parsed(component, "kms", "nlu_fallback", 0.3)
    assert message.get("intent")["name"] == "crisis"


def test_a_supported_model_verdict_stands(component):
    message = parsed(component, "i feel hopeless and empty all the time", "crisis", 0.8)
    assert message.get("intent")["name"] == "crisis"
    assert message.get("safety") == {"detector": "model", "category": "crisis", "language": "en", "about": "self"}


@pytest.mark.parametrize("text, intent", [("i lost my card and need a new one", "crisis"),
                                          ("tell me about my health benefits", "abuse"),
                                          ("sorry can you say that again", "ask_crisis_lines")])
def test_an_unsupported_model_verdict_becomes_not_understood(component, text, intent):
    message = parsed(component, text, intent, 0.99)
    assert message.get("intent")["name"] == "nlu_fallback"
    assert message.get("safety") is None


@pytest.mark.parametrize("text, model, words", [("i feel trapped in my own home", "crisis", "abuse"),
                                                ("i feel so hopeless and worthless lately", "abuse", "crisis")])
def test_a_model_verdict_of_one_handoff_with_only_the_others_words_becomes_the_other(component, text, model, words):
    message = parsed(component, text, model, 0.8)
    assert message.get("intent") == {"name": words, "confidence": 0.8}
    assert [r["name"] for r in message.get("intent_ranking")].count(words) == 1
    assert message.get("safety")["category"] == words


def test_asking_for_the_number_again_stands(component):
    message = parsed(component, "what was that number again", "ask_crisis_lines", 0.9)
    assert message.get("intent")["name"] == "ask_crisis_lines"


def test_other_intents_are_left_alone(component):
    message = parsed(component, "what is imago therapy", "faq", 0.9)
    assert message.get("intent") == {"name": "faq", "confidence": 0.9}


def test_where_the_visitor_is_becomes_a_country_entity(component):
    message = parsed(component, "hi, im in ireland", "greet", 0.9)
    assert {"entity": "country", "value": "IE"}.items() <= message.get("entities")[0].items()
