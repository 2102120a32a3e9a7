"""The article answers as editors wrote them: `responses:` in data/faq/<topic>.yml
(and, for the turn wrapper, the domain's own responses).

The model is trained on one fixed sentence in place of every answer
(scripts/build_training_data.py), so editing an answer's wording changes
nothing Rasa trains on. The server's response generator (safety/nlg.py) puts
the real answers back whenever a model is loaded (at start-up and at
`make reload`), reading them here; nothing is read per message.
"""
import logging
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import yaml

ROOT = Path(__file__).resolve().parent.parent
# IMAGO_FAQ_DIR lets a test server read a copy that the test edits.
FAQ_DIR = Path(os.environ.get("IMAGO_FAQ_DIR") or ROOT / "data" / "faq")
PREFIX = "utter_faq/"
# What the model holds for every answer, and what a visitor would see if a
# topic's answer could not be read. No {braces}: Rasa fills {slot} templates.
PLACEHOLDER = "Sorry, I can't show this answer right now. Please ask me again in a moment."

Responses = Dict[Text, List[Dict[Text, Any]]]
logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def domain_responses() -> Responses:
    """The responses in domain.yml (handoff texts, buttons), read once."""
    content = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8")) or {}
    return content.get("responses") or {}


def is_answer(name: Text) -> bool:
    return name.startswith(PREFIX)


def is_placeholder(variants: Any) -> bool:
    return (isinstance(variants, list) and bool(variants)
            and all(isinstance(v, dict) and v.get("text") == PLACEHOLDER for v in variants))


def read_answers(faq_dir: Optional[Path] = None) -> Responses:
    """Every `utter_faq/...` response in faq_dir/*.yml (default data/faq), as written there."""
    answers: Responses = {}
    for path in sorted((faq_dir or FAQ_DIR).glob("*.yml")):
        try:
            content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            logger.warning("cannot read %s (%s): its answers stay the placeholder; make check explains",
                           path.name, type(error).__name__)
            continue
        responses = content.get("responses") if isinstance(content, dict) else None
        for name, variants in (responses if isinstance(responses, dict) else {}).items():
            if is_answer(name) and isinstance(variants, list) and variants and \
                    all(isinstance(v, dict) for v in variants):
                answers[name] = variants
    return answers


def with_live_answers(responses: Responses, faq_dir: Optional[Path] = None) -> Responses:
    """`responses` (a model's) with each placeholder answer replaced by the current one from faq_dir.

    Responses that are not placeholders (e.g. the real answers, as scripts/review.py passes them)
    are left alone. A topic whose answer cannot be found keeps the placeholder, with a warning.
    """
    placeholders = [name for name, variants in responses.items() if is_answer(name) and is_placeholder(variants)]
    if not placeholders:
        return responses
    live = read_answers(faq_dir)
    merged = dict(responses)
    for name in placeholders:
        if name in live:
            merged[name] = live[name]
        else:
            logger.warning("no answer for %s in %s: visitors get the placeholder sentence", name, faq_dir or FAQ_DIR)
    return merged
