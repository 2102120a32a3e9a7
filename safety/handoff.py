"""The handoff message built without Rasa, for the turn wrapper.

When the rule layer matches a message but the turn came back without a
handoff (an NLU component, the tracker store, the NLG or the action server
failed or was too slow), channels/turn.py puts this message first in the
turn. It reads the same handoff texts (domain.yml) and lines
(crisis_lines.yml) as safety/nlg.py, so the visitor sees the same handoff.
"""
import logging
from typing import Any, Dict, Optional, Text

from safety import crisis_lines
from content.answers import domain_responses
from safety.detector import Detection
from safety.nlg import most_specific

RESPONSES = {"crisis": "utter_handoff_crisis", "abuse": "utter_handoff_abuse"}

logger = logging.getLogger("safety.handoff")


def handoff_message(detection: Detection, country: Optional[Text]) -> Dict[Text, Any]:
    """The handoff for this detection and country, as safety/nlg.py would send it."""
    variant = most_specific(domain_responses(), RESPONSES.get(detection.type, RESPONSES["crisis"]), None,
                            {"handoff_language": detection.language, "handoff_about": detection.about})[0]
    payload = crisis_lines.handoff_payload(detection.type, crisis_lines.resolve_country(country), detection.also)
    payload.update(about=detection.about, language=detection.language)
    listed = crisis_lines.lines_as_text(detection.type, payload["country"], detection.language, detection.also)
    logger.info("handoff type=%s country=%s detector=wrapper category=%s about=%s language=%s",
                detection.type, payload["country"], detection.category, detection.about, detection.language)
    return {"text": f"{variant['text'].rstrip()}\n{listed}", "custom": {"handoff": payload}}
