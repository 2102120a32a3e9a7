"""NLU component: an article answer only when the answer itself is likely.

Rasa's FallbackClassifier looks at the intent's confidence only, and a
ResponseSelector picks an answer whatever its own confidence, so a question
the article can't answer ("is it covered by insurance?") got some topic's
answer with confidence. Here, when the intent is a retrieval intent (`faq`:
an article topic; `not_covered`: a subject the article doesn't cover), its
selector's own ranking decides:
  - the top answer is likely (>= `threshold`) and clearly ahead of the next
    (by >= `ambiguity`): the intent stands;
  - two article topics share most of the confidence (together >= `pair`,
    the second >= `second`), or are too close to call: the intent becomes
    `clarify`, with the two topics under the message's `clarify` key, and the
    visitor is asked "Do you mean ...?" with both as buttons (content/topics.py);
  - otherwise: `nlu_fallback`, and the visitor is asked to say it another way.
A `not_covered` verdict whose own selector finds no subject, while the
article-topic selector is very sure of one (>= `rescue`), becomes that
article question ("any drawbacks to irt before we sign up?" is about the
limitations, not about something the article lacks). The other way round
needs more: a `faq` verdict whose selector finds no topic becomes the
not-covered subject only when the intent classifier itself was torn between
the two (`not_covered` >= `torn`) and that subject is very sure ("my wife and
i are both women, would an imago therapist be weird about that?"). A sure
subject alone is not enough: that selector ranks its subjects whatever the
message, and "partner had a fling, what would sessions focus on?" is 0.99
"children" there.
A short follow-up ("what about online?", understanding/follow_up.py) needs
its topic clearly named (>= `follow_up`); otherwise the intent becomes
`follow_up`, with the likeliest article topics under its `follow_up` key, and
the reply leans on the last topic answered.
Crisis, abuse and every other intent pass untouched; the safety rule layer
runs after this component and has the last word.
"""
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from content.answers import read_topics
from understanding.follow_up import FOLLOW_UP, is_follow_up, names_no_topic

RETRIEVAL_INTENTS = ("faq", "not_covered")
# A follow-up read as one of these may lean on the last answer instead.
FOLLOW_UP_READINGS = RETRIEVAL_INTENTS + ("nlu_fallback",)
CLARIFY = "clarify"


def ranking(message: Message, retrieval_intent: Text) -> List[Dict[Text, Any]]:
    """The selector's answers for this retrieval intent, most likely first."""
    selector = (message.get("response_selector") or {}).get(retrieval_intent) or {}
    ranked = selector.get("ranking") or []
    if not ranked and selector.get("response"):  # a selector that reports its pick only
        response = selector["response"]
        ranked = [{"intent_response_key": response.get("intent_response_key"),
                   "confidence": response.get("confidence")}]
    return sorted(ranked, key=lambda r: -float(r.get("confidence") or 0.0))


def as_typed(text: Text) -> Text:
    """A button title or message as compared: any case, no end punctuation ("Does it work?")."""
    return text.strip().rstrip("?!.").strip().lower()


def answer_confidence(message: Message, retrieval_intent: Text = "faq") -> float:
    ranked = ranking(message, retrieval_intent)
    return float(ranked[0].get("confidence") or 0.0) if ranked else 0.0


def intent_confidence(message: Message, name: Text) -> float:
    """The intent classifier's confidence in intent `name` for this message (0 when unranked)."""
    return max((float(r.get("confidence") or 0.0) for r in message.get(INTENT_RANKING_KEY) or []
                if r.get("name") == name), default=0.0)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class AnswerConfidenceGate(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"threshold": 0.5, "ambiguity": 0.1, "pair": 0.6, "second": 0.2, "rescue": 0.9,
                "torn": 0.3, "follow_up": 0.8}

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
        settings = {**self.get_default_config(), **(config or {})}
        self.threshold = float(settings["threshold"])
        self.ambiguity = float(settings["ambiguity"])
        self.pair = float(settings["pair"])
        self.second = float(settings["second"])
        self.rescue = float(settings["rescue"])
        self.torn = float(settings["torn"])
        # A topic button's title typed back ("Techniques") is that topic whatever the
        # model guesses for one bare word: the button is the bot's own offer.
        self.titles = {as_typed(card["title"]): topic for topic, card in read_topics().items()
                       if topic.startswith("faq/") and card.get("title")}
        self.follow_up = float(settings["follow_up"])

    def _sure(self, message: Message, retrieval_intent: Text, bar: float) -> bool:
        ranked = ranking(message, retrieval_intent)
        top = float(ranked[0].get("confidence") or 0.0) if ranked else 0.0
        second = float(ranked[1].get("confidence") or 0.0) if len(ranked) > 1 else 0.0
        return top >= bar and top - second >= self.ambiguity

    def verdict(self, message: Message) -> Text:
        """`keep`, `faq`, `not_covered`, `clarify` or `nlu_fallback` for a message whose intent is a
        retrieval intent."""
        retrieval_intent = (message.get(INTENT) or {}).get("name")
        ranked = ranking(message, retrieval_intent)
        top = float(ranked[0].get("confidence") or 0.0) if ranked else 0.0
        second = float(ranked[1].get("confidence") or 0.0) if len(ranked) > 1 else 0.0
        if self._sure(message, retrieval_intent, self.threshold):
            return "keep"
        if retrieval_intent == "not_covered" and self._sure(message, "faq", self.rescue):
            return "faq"
        if (retrieval_intent == "faq" and intent_confidence(message, "not_covered") >= self.torn
                and self._sure(message, "not_covered", self.rescue)):
            return "not_covered"
        if retrieval_intent == "faq" and second >= self.second and (
                top + second >= self.pair or top - second < self.ambiguity):
            return CLARIFY
        return "nlu_fallback"

    def leans_on_last_answer(self, message: Message) -> bool:
        """A follow-up whose own words don't clearly name a topic."""
        name = (message.get(INTENT) or {}).get("name")
        text = message.get(TEXT) or ""
        if name not in FOLLOW_UP_READINGS or not is_follow_up(text):
            return False
        if name == "faq":
            return names_no_topic(text) or not self._sure(message, "faq", self.follow_up)
        return name == "nlu_fallback" or self.verdict(message) != "keep"

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            topic = self.titles.get(as_typed(message.get(TEXT) or ""))
            if topic and intent.get("name") in FOLLOW_UP_READINGS:
                self._answer(message, topic)
                continue
            if self.leans_on_last_answer(message):
                candidates = [r["intent_response_key"] for r in ranking(message, "faq")[:2]
                              if float(r.get("confidence") or 0.0) >= self.second]
                message.set(FOLLOW_UP, candidates, add_to_output=True)
                self._replace(message, {"name": FOLLOW_UP, "confidence": 1.0 - answer_confidence(message)})
                continue
            if intent.get("name") not in RETRIEVAL_INTENTS:
                continue
            verdict = self.verdict(message)
            if verdict == "keep":
                continue
            ranked = ranking(message, intent["name"])
            if verdict == CLARIFY:
                message.set(CLARIFY, [r["intent_response_key"] for r in ranked[:2]], add_to_output=True)
            if verdict in RETRIEVAL_INTENTS:  # the other retrieval intent's answer
                replaced = {"name": verdict, "confidence": answer_confidence(message, verdict)}
            else:
                replaced = {"name": verdict, "confidence": 1.0 - answer_confidence(message, intent["name"])}
            self._replace(message, replaced)
        return messages

    @classmethod
    def _answer(cls, message: Message, topic: Text) -> None:
        """The article answer of `topic` ("faq/cost"), as the faq selector would give it."""
        selectors = dict(message.get("response_selector") or {})
        faq = dict(selectors.get("faq") or {})
        faq["response"] = {**(faq.get("response") or {}), "intent_response_key": topic,
                           "utter_action": f"utter_{topic}", "confidence": 1.0}
        selectors["faq"] = faq
        message.set("response_selector", selectors, add_to_output=True)
        cls._replace(message, {"name": "faq", "confidence": 1.0})

    @staticmethod
    def _replace(message: Message, intent: Dict[Text, Any]) -> None:
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent] + (message.get(INTENT_RANKING_KEY) or []), add_to_output=True)
