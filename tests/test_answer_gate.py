"""understanding/answer_gate.py: no article answer when the answer itself is unlikely."""
import pytest
from rasa.shared.nlu.training_data.message import Message

from understanding.answer_gate import AnswerConfidenceGate


def parsed(intent, answer_confidence=None):
    message = Message(data={"text": "a question"})
    message.set("intent", {"name": intent, "confidence": 0.97}, add_to_output=True)
    message.set("intent_ranking", [{"name": intent, "confidence": 0.97}], add_to_output=True)
    if answer_confidence is not None:
        message.set("response_selector", {"faq": {"response": {"confidence": answer_confidence,
                                                                "intent_response_key": "faq/cost"}}},
                    add_to_output=True)
    return message


def gate(message, threshold=0.5):
    return AnswerConfidenceGate({"threshold": threshold}).process([message])[0].get("intent")["name"]


def test_a_sure_answer_passes():
    assert gate(parsed("faq", 0.93)) == "faq"


def test_an_unsure_answer_asks_to_rephrase():
    assert gate(parsed("faq", 0.31)) == "nlu_fallback"


@pytest.mark.parametrize("intent", ["crisis", "abuse", "greet", "inform"])
def test_other_intents_are_untouched(intent):
    assert gate(parsed(intent, 0.1)) == intent


def test_a_faq_verdict_without_a_selected_answer_asks_to_rephrase():
    assert gate(parsed("faq")) == "nlu_fallback"
