"""The article answers as editors wrote them: `responses:` in data/faq/<topic>.yml
and the "not covered" replies in data/not_covered/<subject>.yml; and the
domain's own responses (domain.yml), which safety/ reads for the handoff
texts and the bot's button payloads. Each content file may also hold a
`topic:` card (title, question, related) for the buttons that lead to it
(content/topics.py).

The model is trained on one fixed sentence in place of every answer
(scripts/build/build_training_data.py), so editing an answer's wording changes
nothing Rasa trains on. The server's response generator (replies/nlg.py) puts
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
NOT_COVERED_DIR = ROOT / "data" / "not_covered"
# The retrieval intents whose replies editors write in their own folder of data/.
PREFIXES = ("utter_faq/", "utter_not_covered/")
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
    return name.startswith(PREFIXES)


def content_dirs() -> List[Path]:
    return [FAQ_DIR, NOT_COVERED_DIR]


def is_placeholder(variants: Any) -> bool:
    return (isinstance(variants, list) and bool(variants)
            and all(isinstance(v, dict) and v.get("text") == PLACEHOLDER for v in variants))


def _content_files(dirs: List[Path]):
    """(path, parsed YAML) of every content file in dirs; unreadable ones are skipped with a warning."""
    for path in sorted(p for d in dirs for p in d.glob("*.yml")):
        try:
            content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            logger.warning("cannot read %s (%s): its answers stay the placeholder; make check explains",
                           path.name, type(error).__name__)
            continue
        if isinstance(content, dict):
            yield path, content


def read_answers(faq_dir: Optional[Path] = None) -> Responses:
    """Every `utter_faq/...` and `utter_not_covered/...` response in faq_dir/*.yml
    (default: data/faq and data/not_covered), as written there."""
    answers: Responses = {}
    for path, content in _content_files([faq_dir] if faq_dir else content_dirs()):
        responses = content.get("responses")
        for name, variants in (responses if isinstance(responses, dict) else {}).items():
            if is_answer(name) and isinstance(variants, list) and variants and \
                    all(isinstance(v, dict) for v in variants):
                answers[name] = variants
    return answers


def with_live_answers(responses: Responses, faq_dir: Optional[Path] = None) -> Responses:
    """`responses` (a model's) with each placeholder answer replaced by the current one from faq_dir.

    Responses that are not placeholders (e.g. the real answers, as scripts/editors/review.py passes them)
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
            logger.warning("no answer for %s in %s: visitors get the placeholder sentence", name,
                           faq_dir or " or ".join(str(d) for d in content_dirs()))
    return merged


def read_topics(dirs: Optional[List[Path]] = None) -> Dict[Text, Dict[Text, Any]]:
    """The `topic:` card of every content file, by its retrieval intent ("faq/cost"):
    title (a button's words), question (what the button sends), related (topics
    offered after the answer; a not-covered reply has related only) and then (a
    not-covered reply's topic whose answer follows it). Files without a card
    are left out."""
    topics: Dict[Text, Dict[Text, Any]] = {}
    for path, content in _content_files(dirs or content_dirs()):
        card = content.get("topic")
        if isinstance(card, dict):
            related = card.get("related") if isinstance(card.get("related"), list) else []
            topics[f"{path.parent.name}/{path.stem}"] = {
                "title": str(card.get("title") or ""), "question": str(card.get("question") or ""),
                "related": [str(r) for r in related], "then": str(card.get("then") or "")}
    return topics
