"""The visitor's country: which country's crisis and abuse lines they get.

One function decides it, `visitor_country`, in this order:
  1. what the visitor said about where they are ("I'm in the UK"): this
     message, else earlier this session (the `country` slot, which the rule
     layer's `country` entity sets, safety/rule_classifier.py); the visitor
     knows where they are;
  2. the site's guess, the message metadata's `country` ({"country": "GB"});
  3. the default, crisis_lines.DEFAULT_COUNTRY (the US).
A code without lines of its own gets the international entry
(crisis_lines.resolve_country).

Both ends use it. The response generator (replies/nlg.py) decides the
country from the tracker of the turn Rasa is processing (`of_tracker`),
fills a handoff's lines with it (safety/handoff.py) and attaches it to
every response under TURN_KEY. The turn wrapper (channels/turn.py) takes it
from the turn's messages for the crisis line at the end of the turn, and
strips the key before anything is sent; only a turn with no response from
the generator (an empty message, an error, a time-out) makes it decide
again from what it knows.
"""
from typing import Any, Optional, Text

from rasa.shared.core.trackers import DialogueStateTracker

from safety import crisis_lines

SLOT = "country"  # domain.yml
TURN_KEY = "visitor_country"  # on each response of the generator; never sent to a channel


def site_country(metadata: Any) -> Optional[Text]:
    """The country the site put in the message metadata, if any."""
    country = metadata.get("country") if isinstance(metadata, dict) else None
    return country if isinstance(country, str) else None


def visitor_country(stated: Optional[Text], metadata: Any) -> Text:
    """The country code whose lines the visitor gets: what they `stated`, else
    the site's metadata, else the default (see the module's docstring)."""
    return crisis_lines.resolve_country(stated, site_country(metadata))


def of_tracker(tracker: DialogueStateTracker) -> Text:
    """`visitor_country` for the conversation's latest message."""
    latest = tracker.latest_message
    return visitor_country(tracker.get_slot(SLOT), latest.metadata if latest else None)
