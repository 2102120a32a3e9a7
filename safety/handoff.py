"""The handoff message: the crisis or abuse lines for the visitor's country
(safety/crisis_lines.py) after a handoff text from domain.yml, in the text
and in a machine-readable payload, with one log line per handoff (type,
country, detector; never the text), which is what the site monitors.

Two paths build it, from the same texts and lines, so the visitor sees the
same handoff either way:
  - `fill_handoff` completes a handoff response that Rasa produced (one that
    carries `custom: {handoff: {type: ...}}`); the response generator
    (replies/nlg.py) calls it last. The variation is picked for this
    message's language and for whom the danger is to (pseudo-slots
    `handoff_language`, `handoff_about`, from the rule layer's verdict; never
    stored in the tracker), and the country is the one the response
    generator decided (safety/country.py: what the visitor said about where
    they are this session, then channel metadata, then the US).
  - `handoff_message` builds it without Rasa, for the turn wrapper: when the
    rule layer matches a message but the turn came back without a handoff
    (an NLU component, the tracker store, the NLG or the action server
    failed or was too slow), channels/turn.py puts this message first.
`most_specific` picks a response's variation for both (and, in the
response generator, for every response).
"""
import logging
from typing import Any, Dict, List, Optional, Text

from rasa.core.nlg.generator import ResponseVariationFilter
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker

from content.answers import domain_responses
from safety import crisis_lines
from safety.detector import Detection

RESPONSES = {"crisis": "utter_handoff_crisis", "abuse": "utter_handoff_abuse"}
REPEAT_LINES = "utter_crisis_lines"  # "what was that number?": the last handoff's lines again

logger = logging.getLogger("safety.handoff")


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


def last_handoff_type(tracker: DialogueStateTracker) -> Optional[Text]:
    """The type of the last handoff the bot sent in this conversation, if any."""
    for event in reversed(tracker.events):
        if isinstance(event, BotUttered):
            handoff = ((event.data or {}).get("custom") or {}).get("handoff") or {}
            if handoff.get("type"):
                return handoff["type"]
    return None


def verdict(tracker: DialogueStateTracker) -> Dict[Text, Any]:
    """The rule layer's verdict on this message ({} when it matched nothing)."""
    latest = tracker.latest_message
    return ((latest.parse_data if latest else None) or {}).get("safety") or {}


def handoff_slots(tracker: DialogueStateTracker) -> Dict[Text, Text]:
    """The pseudo-slots that pick a handoff variation: this message's language, and for whom the danger is."""
    safety = verdict(tracker)
    return {"handoff_language": safety.get("language", "en"), "handoff_about": safety.get("about", "self")}


def fill_handoff(response: Optional[Dict[Text, Any]], utter_action: Text, tracker: DialogueStateTracker,
                 slots: Dict[Text, Any], country: Text) -> Optional[Dict[Text, Any]]:
    """The response with the lines for `country` added, if it is a handoff;
    any other response as it is.

    `slots` holds `handoff_slots`, as the response was generated with them;
    `country` is safety/country.py's decision for this message.
    """
    handoff = ((response or {}).get("custom") or {}).get("handoff")
    if handoff is None:
        return response
    safety = verdict(tracker)
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


def handoff_message(detection: Detection, country: Optional[Text]) -> Dict[Text, Any]:
    """The handoff for this detection and country, as fill_handoff would send it."""
    variant = most_specific(domain_responses(), RESPONSES.get(detection.type, RESPONSES["crisis"]), None,
                            {"handoff_language": detection.language, "handoff_about": detection.about})[0]
    payload = crisis_lines.handoff_payload(detection.type, crisis_lines.resolve_country(country), detection.also)
    payload.update(about=detection.about, language=detection.language)
    listed = crisis_lines.lines_as_text(detection.type, payload["country"], detection.language, detection.also)
    logger.info("handoff type=%s country=%s detector=wrapper category=%s about=%s language=%s",
                detection.type, payload["country"], detection.category, detection.about, detection.language)
    return {"text": f"{variant['text'].rstrip()}\n{listed}", "custom": {"handoff": payload}}
