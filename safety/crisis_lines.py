"""Crisis and abuse lines from safety/crisis_lines.yml, and how they read.

Everything that shows a crisis number (the handoff responses, the line at
the end of every turn, the tests) goes through this module, so the numbers
live in one data file.
"""
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import yaml

LINES_FILE = Path(__file__).with_name("crisis_lines.yml")
DEFAULT_COUNTRY = "US"
OTHER_COUNTRY = "INTL"  # a country we hold no lines for: directory + local emergency number
# "UK" is not an ISO code, but sites and visitors use it for Great Britain.
ALIASES = {"UK": "GB"}
HANDOFF_TYPES = ("crisis", "abuse")
EMERGENCY = "Emergency services"  # a country's emergency number: never offered abroad
# Only these fields go into the machine-readable payload; sources and check
# dates stay in the data file.
PAYLOAD_FIELDS = ("name", "call", "text", "text_keyword", "text_keyword_es", "url")


@lru_cache(maxsize=1)
def all_countries() -> Dict[Text, Dict[Text, Any]]:
    with LINES_FILE.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def resolve_country(*candidates: Optional[Text]) -> Text:
    """The lines to use for the first country given (callers pass what the
    visitor said before the site's metadata: the visitor knows where they are).

    A code we hold lines for is used as it is; any other two-letter country
    code gets the international entry; with no usable candidate, the US.
    """
    for candidate in candidates:
        if not isinstance(candidate, str):
            continue
        code = candidate.strip().upper()
        code = ALIASES.get(code, code)
        if code in all_countries():
            return code
        if re.fullmatch(r"[A-Z]{2}", code):
            return OTHER_COUNTRY
    return DEFAULT_COUNTRY


def lines_for(handoff_type: Text, country: Text, also: Optional[Text] = None) -> List[Dict[Text, Any]]:
    """The lines for a country. Outside the countries we hold, the directory and
    the local emergency number come first, then the default country's phone
    lines, labelled, so a handoff never gives only a website. `also` adds the
    other type's lines (a message about both suicide and abuse gets both)."""
    if handoff_type not in HANDOFF_TYPES:
        handoff_type = "crisis"  # an unknown type still gets crisis lines
    country = resolve_country(country)
    found = list(all_countries()[country][handoff_type])
    if country == OTHER_COUNTRY:
        found += [
            {**line, "name": f"{line['name']} ({DEFAULT_COUNTRY})"}
            for line in all_countries()[DEFAULT_COUNTRY][handoff_type]
            if line.get("call") and line["name"] != EMERGENCY
        ]
    if also in HANDOFF_TYPES and also != handoff_type:
        names = {line["name"] for line in found}
        found += [line for line in lines_for(also, country) if line["name"] not in names]
    return found


# Languages the every-turn line is also written in (every_turn_<code>).
LINE_LANGUAGES = ("es", "fr")


def every_turn_line(country: Optional[Text] = None, language: Optional[Text] = None) -> Text:
    """The short crisis line that ends a turn. A visitor writing in Spanish or
    French gets it in their language; in any other language (not English),
    the international line: the country's own line may not speak it, and the
    directory lists lines worldwide. None or "en": the country's English line."""
    if language in (None, "en"):
        return all_countries()[resolve_country(country)]["every_turn"]
    if language not in LINE_LANGUAGES:
        return all_countries()[OTHER_COUNTRY]["every_turn"]
    entry = all_countries()[resolve_country(country)]
    return entry.get(f"every_turn_{language}") or entry["every_turn"]


def handoff_payload(handoff_type: Text, country: Text, also: Optional[Text] = None) -> Dict[Text, Any]:
    country = resolve_country(country)
    lines = [
        {k: line[k] for k in PAYLOAD_FIELDS if k in line}
        for line in lines_for(handoff_type, country, also)
    ]
    return {"type": handoff_type, "country": country, "lines": lines}


def lines_as_text(handoff_type: Text, country: Text, language: Text = "en", also: Optional[Text] = None) -> Text:
    """One bullet per line, in the visitor's language where the file has it."""
    return "\n".join(
        f"• {line.get('name_' + language) or line['name']}: {line.get('how_' + language) or line['how']}"
        for line in lines_for(handoff_type, country, also)
    )
