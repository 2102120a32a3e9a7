"""NLU component: an article answer only when the answer itself is likely.

Rasa's FallbackClassifier looks at the intent's confidence only, and the
ResponseSelector picks a topic whatever its own confidence, so a question
the article can't answer ("is it covered by insurance?") got some topic's
answer with confidence. Here, when the intent is `faq` but the selector's
confidence in its topic is under `threshold` (default 0.5, the same bar the
FallbackClassifier sets for intents), the intent becomes `nlu_fallback`:
the visitor is asked to say it another way (and still sees the crisis
line). Crisis, abuse and every other intent pass untouched; the safety rule
layer runs after this component and has the last word.
"""
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

RETRIEVAL_INTENT = "faq"


def answer_confidence(message: Message) -> float:
    selected = ((message.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}).get("response") or {}
    return float(selected.get("confidence") or 0.0)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class AnswerConfidenceGate(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"threshold": 0.5}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "AnswerConfidenceGate":
        return cls(config)

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.threshold = float(config.get("threshold", 0.5))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get("name") == RETRIEVAL_INTENT and answer_confidence(message) < self.threshold:
                fallback = {"name": "nlu_fallback", "confidence": 1.0 - answer_confidence(message)}
                message.set(INTENT, fallback, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [fallback] + (message.get(INTENT_RANKING_KEY) or []),
                            add_to_output=True)
        return messages
