"""Response generator that completes handoff responses with real lines.

A handoff response in domain.yml carries `custom: {handoff: {type: ...}}`.
This generator (set as `nlg` in endpoints.yml, so it runs inside the Rasa
server and needs no action server):
  - picks the response variation for this message's language and for whom
    the danger is to (pseudo-slots `handoff_language`, `handoff_about`,
    taken from the rule layer's verdict; never stored in the tracker),
  - adds the lines for the visitor's country (what they said about where
    they are this session, then channel metadata, then the US) to the text
    and to the payload,
  - logs one line per handoff (type, country, detector; never the text),
    which is what the site monitors,
  - answers article questions with the texts in data/faq/<topic>.yml: the
    model holds one placeholder sentence for every answer (so an answer edit
    needs no retraining), and Rasa hands this generator the model's responses
    each time it loads a model (rasa/core/agent.py, Agent.load_model: at
    start-up and at PUT /model, i.e. `make reload`); the setter of
    `responses` puts the current answers in then (content/answers.py),
  - adds buttons from the topic cards (`topic:` in each content file): the
    related topics after an answer, the two likely topics for "Do you mean
    ...?" (utter_clarify), and the last topic's related ones after "tell me
    more" (utter_tell_me_more),
  - turns utter_follow_up ("what about online?") into one of those, by the
    last topic answered (understanding/follow_up.py).
"""
import logging
from typing import Any, Dict, List, Optional, Text

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.core.nlg.generator import ResponseVariationFilter
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from content import answers
from safety import crisis_lines
from understanding import follow_up

logger = logging.getLogger("safety.handoff")
REPEAT_LINES = "utter_crisis_lines"  # "what was that number?": the last handoff's lines again
CLARIFY = "utter_clarify"
TELL_ME_MORE = "utter_tell_me_more"
FOLLOW_UP = "utter_follow_up"
RETRIEVAL_PREFIX = "utter_"  # "utter_faq/cost" answers the retrieval intent "faq/cost"


def last_handoff_type(tracker: DialogueStateTracker) -> Optional[Text]:
    """The type of the last handoff the bot sent in this conversation, if any."""
    for event in reversed(tracker.events):
        if isinstance(event, BotUttered):
            handoff = ((event.data or {}).get("custom") or {}).get("handoff") or {}
            if handoff.get("type"):
                return handoff["type"]
    return None


def last_topic(tracker: DialogueStateTracker) -> Optional[Text]:
    """The article topic ("faq/cost") of the last question answered before this message."""
    users = [e for e in tracker.events if isinstance(e, UserUttered)]
    for event in reversed(users[:-1]):
        parse = event.parse_data or {}
        if (parse.get("intent") or {}).get("name") == "faq":
            key = (((parse.get("response_selector") or {}).get("faq") or {}).get("response") or {}).get(
                "intent_response_key")
            if key:
                return key
    return None


def most_specific(
    responses: Dict[Text, List[Dict[Text, Any]]], utter_action: Text, output_channel: Optional[Text],
    filled_slots: Dict[Text, Any],
) -> List[Dict[Text, Any]]:
    """The variations whose conditions hold and that have the most conditions.

    Rasa picks at random among every variation whose conditions hold, so a
    Spanish helper (language es, about someone_else) could get the English
    helper text or the Spanish text for the person at risk.
    """
    suitable = ResponseVariationFilter(responses).responses_for_utter_action(
        utter_action, output_channel, filled_slots)
    most = max((len(r.get("condition") or []) for r in suitable), default=0)
    return [r for r in suitable if len(r.get("condition") or []) == most]


class HandoffNLG(TemplatedNaturalLanguageGenerator):
    def __init__(
        self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None
    ) -> None:
        super().__init__((domain or Domain.empty()).responses)

    @property
    def responses(self) -> Dict[Text, List[Dict[Text, Any]]]:
        return self._responses

    @responses.setter
    def responses(self, responses: Dict[Text, List[Dict[Text, Any]]]) -> None:
        # Read from data/faq once per model load, never per message.
        self._responses = answers.with_live_answers(responses or {})
        self.topics = answers.read_topics()

    def buttons(self, topics: List[Text]) -> List[Dict[Text, Text]]:
        """One button per topic ("faq/cost") that has a card: its title, sending its question."""
        cards = [self.topics.get(t if "/" in t else f"faq/{t}") or {} for t in topics]
        return [{"title": c["title"], "payload": c["question"]} for c in cards if c.get("title") and c.get("question")]

    def _pointers(self, utter_action: Text, tracker: DialogueStateTracker,
                  slots: Dict[Text, Any], topics: Optional[List[Text]] = None) -> Optional[List[Text]]:
        """The topics to offer as buttons with this response (filling its {slots}), or None.

        `topics`: the ones a follow-up settled on, instead of the message's or the last one.
        """
        if answers.is_answer(utter_action):
            card = self.topics.get(utter_action[len(RETRIEVAL_PREFIX):]) or {}
            return card.get("related") or []
        latest = tracker.latest_message
        if utter_action == CLARIFY:
            options = [t for t in (topics or (latest.parse_data or {}).get("clarify") or [])
                       if (self.topics.get(t) or {}).get("title")]
            if len(options) < 2:
                return None
            slots["first_topic"], slots["second_topic"] = (self.topics[t]["title"] for t in options[:2])
            return options[:2]
        if utter_action == TELL_ME_MORE:
            topic = topics[0] if topics else last_topic(tracker)
            if not (self.topics.get(topic) or {}).get("title"):
                return None
            slots["last_topic"] = self.topics[topic]["title"]
            return self.topics[topic]["related"]
        return []

    def _random_response_for(
        self, utter_action: Text, output_channel: Text, filled_slots: Dict[Text, Any]
    ) -> Optional[Dict[Text, Any]]:
        """The most specific variation whose conditions hold (first in the file);
        Rasa's random choice among unconditioned ones."""
        if utter_action not in self.responses:
            return None
        chosen = most_specific(self.responses, utter_action, output_channel, filled_slots)
        if chosen and chosen[0].get("condition"):
            return chosen[0]
        return super()._random_response_for(utter_action, output_channel, filled_slots)

    async def generate(
        self,
        utter_action: Text,
        tracker: DialogueStateTracker,
        output_channel: Text,
        **kwargs: Any,
    ) -> Optional[Dict[Text, Any]]:
        latest = tracker.latest_message
        parse_data = (latest.parse_data if latest else None) or {}
        safety = parse_data.get("safety") or {}
        slots = tracker.current_slot_values()
        slots["handoff_language"] = safety.get("language", "en")
        slots["handoff_about"] = safety.get("about", "self")
        topics = None
        if utter_action == FOLLOW_UP:
            utter_action, topics = follow_up.reply(last_topic(tracker), parse_data.get("follow_up") or [])
        pointers = self._pointers(utter_action, tracker, slots, topics)
        if pointers is None:  # nothing to clarify or to say more about: the help text instead
            utter_action, pointers = "utter_help", []
        response = self.generate_from_slots(utter_action, slots, output_channel, **kwargs)
        if response is not None and pointers:
            response["buttons"] = (response.get("buttons") or []) + self.buttons(pointers)
        handoff = ((response or {}).get("custom") or {}).get("handoff")
        if handoff is None:
            return response
        metadata = (latest.metadata if latest else None) or {}
        # What the visitor said about where they are (this session) beats the site's guess.
        country = crisis_lines.resolve_country(tracker.get_slot("country"), metadata.get("country"))
        handoff_type = handoff.get("type", "crisis")
        if utter_action == REPEAT_LINES:
            handoff_type = last_handoff_type(tracker) or handoff_type
        also = safety.get("also") if handoff.get("about") is None else None
        payload = crisis_lines.handoff_payload(handoff_type, country, also)
        # A response written for helpers (utter_help_someone) says so itself.
        payload["about"] = handoff.get("about") or slots["handoff_about"]
        payload["language"] = slots["handoff_language"]
        response["custom"]["handoff"] = payload
        listed = crisis_lines.lines_as_text(handoff_type, country, payload["language"], also)
        response["text"] = f"{(response.get('text') or '').rstrip()}\n{listed}"
        logger.info(
            "handoff type=%s country=%s detector=%s category=%s about=%s language=%s",
            handoff_type, payload["country"], safety.get("detector", "none"),
            safety.get("category", "-"), payload["about"], payload["language"],
        )
        return response
