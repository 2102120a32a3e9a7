"""The response generator the Rasa server uses (`nlg` in endpoints.yml). It
runs inside the server, so no reply needs the action server. It is thin: it
composes the two parts that own the work, in this order:
  1. the article content (content/): the answers as editors wrote them in
     data/faq/<topic>.yml and data/not_covered/<subject>.yml, and the topic
     buttons, "Do you mean ...?", "tell me more" and follow-ups
     (content/topics.py). The model holds one placeholder sentence for every
     answer (so an answer edit needs no retraining), and Rasa hands this
     generator the model's responses each time it loads a model
     (rasa/core/agent.py, Agent.load_model: at start-up and at PUT /model,
     i.e. `make reload`); the setter of `responses` puts the current answers
     and topic cards in then (content/answers.py), never per message;
  2. the handoff (safety/handoff.py): a handoff response gets the lines for
     the visitor's country, in its text and its payload, and one log line.
The visitor's country is decided once per response (safety/country.py) and
attached to it under country.TURN_KEY, so the turn wrapper (channels/turn.py)
shows the crisis line for the same country without reading the tracker
again; it strips the key before the message is sent.
Of a response's variations, the most specific whose conditions hold goes
(a Spanish text for a helper, not any Spanish or any helper text:
safety/handoff.py, most_specific).
"""
from typing import Any, Dict, List, Optional, Text

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from content import answers
from content.topics import TopicButtons
from safety import country, handoff


class AssistantNLG(TemplatedNaturalLanguageGenerator):
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
        self.topics = TopicButtons(answers.read_topics())

    def _random_response_for(
        self, utter_action: Text, output_channel: Text, filled_slots: Dict[Text, Any]
    ) -> Optional[Dict[Text, Any]]:
        """The most specific variation whose conditions hold (first in the file);
        Rasa's random choice among unconditioned ones."""
        if utter_action not in self.responses:
            return None
        chosen = handoff.most_specific(self.responses, utter_action, output_channel, filled_slots)
        if chosen and chosen[0].get("condition"):
            return chosen[0]
        return super()._random_response_for(utter_action, output_channel, filled_slots)

    def _follow_with(self, response: Optional[Dict[Text, Any]], answer: Optional[Text],
                     slots: Dict[Text, Any], output_channel: Text) -> None:
        """Puts the article's answer after the reply, in the same message (its figures and Source with it)."""
        then = self.generate_from_slots(answer, slots, output_channel) if answer else None
        if response is not None and then and then.get("text"):
            response["text"] = f"{response.get('text') or ''}\n\n{then['text']}"

    async def generate(
        self,
        utter_action: Text,
        tracker: DialogueStateTracker,
        output_channel: Text,
        **kwargs: Any,
    ) -> Optional[Dict[Text, Any]]:
        slots = tracker.current_slot_values()
        slots.update(handoff.handoff_slots(tracker))
        utter_action, pointers = self.topics.plan(utter_action, tracker, slots)
        response = self.generate_from_slots(utter_action, slots, output_channel, **kwargs)
        self._follow_with(response, self.topics.then(utter_action, tracker), slots, output_channel)
        self.topics.add_buttons(response, pointers)
        visitor_country = country.of_tracker(tracker)
        response = handoff.fill_handoff(response, utter_action, tracker, slots, visitor_country)
        if response is not None:
            response[country.TURN_KEY] = visitor_country
        return response
