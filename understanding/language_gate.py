"""NLU component: a message in another language gets `other_language`.

The model knows English only, so a Spanish or French question ("¿cuánto
cuesta?") came out as some intent and topic with confidence, and got that
topic's answer. When understanding/language.py is sure a message is not
English, an entity `language` carries its code (so the reply,
utter_other_language, can say in Spanish or French that the assistant
answers in English) and the intent becomes `other_language` (confidence 1.0).

A crisis or abuse verdict of the model keeps its intent (the entity is
added all the same), and the safety rule layer runs after this component:
a message in any language that names a danger still gets the handoff.
"""
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from understanding import language

INTENT_NAME = "other_language"
ENTITY = "language"
KEEP = ("crisis", "abuse")  # the model's handoff verdicts: never replaced here


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class LanguageGate(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LanguageGate":
        language.warm_up()  # at model load, not on the first visitor's message
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            found = language.detect(text)
            if found is None:
                continue
            entities = list(message.get(ENTITIES) or [])
            entities.append({"entity": ENTITY, "value": found, "start": 0, "end": len(text),
                             "extractor": self.__class__.__name__})
            message.set(ENTITIES, entities, add_to_output=True)
            if (message.get(INTENT) or {}).get("name") in KEEP:
                continue
            forced = {"name": INTENT_NAME, "confidence": 1.0}
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != INTENT_NAME]
            message.set(INTENT, forced, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [forced] + ranking, add_to_output=True)
        return messages
