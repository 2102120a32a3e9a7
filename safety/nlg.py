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
    `responses` puts the current answers in then (safety/answers.py).
"""
import logging
from typing import Any, Dict, List, Optional, Text

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.core.nlg.generator import ResponseVariationFilter
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from safety import answers, lines

logger = logging.getLogger("safety.handoff")
REPEAT_LINES = "utter_crisis_lines"  # "what was that number?": the last handoff's lines again


def last_handoff_type(tracker: DialogueStateTracker) -> Optional[Text]:
    """The type of the last handoff the bot sent in this conversation, if any."""
    for event in reversed(tracker.events):
        if isinstance(event, BotUttered):
            handoff = ((event.data or {}).get("custom") or {}).get("handoff") or {}
            if handoff.get("type"):
                return handoff["type"]
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
        response = self.generate_from_slots(utter_action, slots, output_channel, **kwargs)
        handoff = ((response or {}).get("custom") or {}).get("handoff")
        if handoff is None:
            return response
        metadata = (latest.metadata if latest else None) or {}
        # What the visitor said about where they are (this session) beats the site's guess.
        country = lines.resolve_country(tracker.get_slot("country"), metadata.get("country"))
        handoff_type = handoff.get("type", "crisis")
        if utter_action == REPEAT_LINES:
            handoff_type = last_handoff_type(tracker) or handoff_type
        also = safety.get("also") if handoff.get("about") is None else None
        payload = lines.handoff_payload(handoff_type, country, also)
        # A response written for helpers (utter_help_someone) says so itself.
        payload["about"] = handoff.get("about") or slots["handoff_about"]
        payload["language"] = slots["handoff_language"]
        response["custom"]["handoff"] = payload
        listed = lines.lines_as_text(handoff_type, country, payload["language"], also)
        response["text"] = f"{(response.get('text') or '').rstrip()}\n{listed}"
        logger.info(
            "handoff type=%s country=%s detector=%s category=%s about=%s language=%s",
            handoff_type, payload["country"], safety.get("detector", "none"),
            safety.get("category", "-"), payload["about"], payload["language"],
        )
        return response
