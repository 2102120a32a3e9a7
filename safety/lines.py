"""Crisis and abuse lines from safety/crisis_lines.yml, and how they read.

Everything that shows a crisis number (the handoff responses, the line at
the end of every turn, the tests) goes through this module, so the numbers
live in one data file.
"""
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import yaml

LINES_FILE = Path(__file__).with_name("crisis_lines.yml")
DEFAULT_COUNTRY = "US"
HANDOFF_TYPES = ("crisis", "abuse")
# Only these fields go into the machine-readable payload; sources and check
# dates stay in the data file.
PAYLOAD_FIELDS = ("name", "call", "text", "text_keyword", "url")


@lru_cache(maxsize=1)
def all_countries() -> Dict[Text, Dict[Text, Any]]:
    with LINES_FILE.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def resolve_country(*candidates: Optional[Text]) -> Text:
    """The first candidate we hold lines for, else the default country."""
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.upper() in all_countries():
            return candidate.upper()
    return DEFAULT_COUNTRY


def lines_for(handoff_type: Text, country: Text) -> List[Dict[Text, Any]]:
    if handoff_type not in HANDOFF_TYPES:
        handoff_type = "crisis"  # an unknown type still gets crisis lines
    return all_countries()[resolve_country(country)][handoff_type]


def every_turn_line(country: Optional[Text] = None) -> Text:
    return all_countries()[resolve_country(country)]["every_turn"]


def handoff_payload(handoff_type: Text, country: Text) -> Dict[Text, Any]:
    country = resolve_country(country)
    lines = [
        {k: line[k] for k in PAYLOAD_FIELDS if k in line}
        for line in lines_for(handoff_type, country)
    ]
    return {"type": handoff_type, "country": country, "lines": lines}


def lines_as_text(handoff_type: Text, country: Text) -> Text:
    return "\n".join(
        f"• {line['name']}: {line['how']}" for line in lines_for(handoff_type, country)
    )
