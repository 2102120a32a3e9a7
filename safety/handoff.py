"""The handoff message built without Rasa, for the turn wrapper.

When the rule layer matches a message but the turn came back without a
handoff (an NLU component, the tracker store, the NLG or the action server
failed or was too slow), channels/turn.py puts this message first in the
turn. It reads the same handoff texts (domain.yml) and lines
(crisis_lines.yml) as safety/nlg.py, so the visitor sees the same handoff.
"""
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import yaml

from safety import lines
from safety.detector import Detection

DOMAIN_FILE = Path(__file__).resolve().parent.parent / "domain.yml"
RESPONSES = {"crisis": "utter_handoff_crisis", "abuse": "utter_handoff_abuse"}

logger = logging.getLogger("safety.handoff")


@lru_cache(maxsize=1)
def _responses() -> Dict[Text, List[Dict[Text, Any]]]:
    return (yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8")) or {}).get("responses") or {}


def _variant(name: Text, pseudo_slots: Dict[Text, Text]) -> Dict[Text, Any]:
    """The most specific variation whose conditions all hold, as safety/nlg.py picks it."""
    holding = [variant for variant in _responses().get(name) or []
               if all(pseudo_slots.get(c.get("name")) == c.get("value") for c in variant.get("condition") or [])]
    if not holding:
        raise LookupError(f"domain.yml has no unconditioned variation of {name}")
    return max(holding, key=lambda variant: len(variant.get("condition") or []))


def handoff_message(detection: Detection, country: Optional[Text]) -> Dict[Text, Any]:
    """The handoff for this detection and country, as safety/nlg.py would send it."""
    variant = _variant(RESPONSES.get(detection.type, RESPONSES["crisis"]),
                       {"handoff_language": detection.language, "handoff_about": detection.about})
    payload = lines.handoff_payload(detection.type, lines.resolve_country(country), detection.also)
    payload.update(about=detection.about, language=detection.language)
    listed = lines.lines_as_text(detection.type, payload["country"], detection.language, detection.also)
    logger.info("handoff type=%s country=%s detector=wrapper category=%s about=%s language=%s",
                detection.type, payload["country"], detection.category, detection.about, detection.language)
    return {"text": f"{variant['text'].rstrip()}\n{listed}", "custom": {"handoff": payload}}
