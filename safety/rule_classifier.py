"""NLU component: the rule layer's verdict overrides the model's.

Runs last in the pipeline, after DIET and the FallbackClassifier. When a
phrase in safety/phrases.yml matches, the intent becomes `crisis` or
`abuse` with confidence 1.0, so the handoff rule fires whatever the model
or the fallback threshold said. A model-only crisis/abuse verdict on a
message with no supporting word (phrases.yml, model_needs_one_of) becomes
the other handoff when only its words are there ("he shoves me around" read
as crisis becomes abuse), and otherwise `nlu_fallback`: the visitor is asked
to rephrase and still sees the crisis line, instead of an everyday request
getting a handoff. It also records, for the handoff and for
monitoring, which detector fired, the language and whom the danger is to,
and adds a `country` entity when the visitor says where they are, and a
`helping_with` entity (crisis or abuse) when the danger is to someone else.
"""
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from safety.detector import Detection, Reading, default_detector

HANDOFF_INTENTS = ("crisis", "abuse")
# Intents whose reply carries a handoff payload (or, for help_someone, may);
# a model-only verdict for one of them needs a supporting word (phrases.yml,
# model_needs_one_of).
GATED_INTENTS = HANDOFF_INTENTS + ("ask_crisis_lines", "help_someone")
SAFETY_KEY = "safety"  # in the parse data: {"detector", "category", "language", "about"}


def safety_info(detection: Optional[Detection], intent_name: Optional[Text]) -> Optional[Dict[Text, Any]]:
    if detection:
        return {"detector": "rules", "category": detection.category,
                "language": detection.language, "about": detection.about, "also": detection.also}
    if intent_name in HANDOFF_INTENTS:
        return {"detector": "model", "category": intent_name, "language": "en", "about": "self"}
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SafetyRuleClassifier(GraphComponent, IntentClassifier):
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
    ) -> "SafetyRuleClassifier":
        return cls()

    def __init__(self) -> None:
        self.detector = default_detector()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._process(message)
        return messages

    def _implausible_model_verdict(self, message: Message, reading: Reading) -> bool:
        """The model said crisis/abuse/lines but the message holds no word that supports it."""
        intent = (message.get(INTENT) or {}).get("name")
        return intent in GATED_INTENTS and not self.detector.supports(intent, reading)

    def _the_other_handoff(self, message: Message, reading: Reading) -> Optional[Dict[Text, Any]]:
        """For a model-only crisis verdict that only abuse words support (or the reverse), that other handoff."""
        intent = (message.get(INTENT) or {}).get("name")
        if intent not in HANDOFF_INTENTS:
            return None
        other = HANDOFF_INTENTS[1 - HANDOFF_INTENTS.index(intent)]
        if not self.detector.supports(other, reading):
            return None
        return {"name": other, "confidence": (message.get(INTENT) or {}).get("confidence", 0.0)}

    def _process(self, message: Message) -> None:
        text = message.get(TEXT)
        reading = self.detector.read(text)  # normalised and matched once per message
        detection = reading.detection
        if detection:
            forced = {"name": detection.type, "confidence": 1.0}
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != detection.type]
            message.set(INTENT, forced, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [forced] + ranking, add_to_output=True)
        elif self._implausible_model_verdict(message, reading):
            # "he shoves me around" read as crisis: no crisis word, but an abuse one. The
            # model saw danger and the words say which kind, so that handoff, not "say it again".
            other = self._the_other_handoff(message, reading)
            verdict = other or {"name": "nlu_fallback", "confidence": 1.0}
            message.set(INTENT, verdict, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [verdict] + [r for r in message.get(INTENT_RANKING_KEY) or []
                                                         if r.get("name") != verdict["name"]],
                        add_to_output=True)
        info = safety_info(detection, (message.get(INTENT) or {}).get("name"))
        if info:
            message.set(SAFETY_KEY, info, add_to_output=True)
        found = {}
        if reading.country:
            found["country"] = reading.country
        if detection and detection.about == "someone_else":
            # Remembered for the session, so "how do I help her" gets the helper's guidance.
            found["helping_with"] = detection.type
        if found:
            entities = list(message.get(ENTITIES) or [])
            entities.extend({"entity": name, "value": value, "start": 0, "end": len(text or ""),
                             "extractor": self.__class__.__name__} for name, value in found.items())
            message.set(ENTITIES, entities, add_to_output=True)
