"""Every button the assistant offers, typed back as text, does what the button does.

Visitors on SMS, or anyone who types instead of tapping, send a button's title
("Find a therapist", "Cost"). The trained model must read the title as it reads
the payload the button sends: the same intent and, for an article question,
the same topic. Walks every button in domain.yml and every topic card
(data/faq/*.yml `topic:`), through the real model.
"""
import asyncio

import pytest

from content.answers import domain_responses, read_topics
from scripts.measure.held_out import MODEL, parse_all


def offered():
    """(where, title, payload) of every button the bot can send."""
    buttons = []
    for name, variants in domain_responses().items():
        for variant in variants:
            buttons += [(name, b["title"], b["payload"]) for b in variant.get("buttons") or []]
    buttons += [(topic, card["title"], card["question"]) for topic, card in read_topics().items()
                if card["title"] and card["question"]]
    return sorted(set(buttons))


def outcome(parse):
    """What a parse leads to: the intent and, for a retrieval intent, the answer it picks."""
    intent = (parse.get("intent") or {}).get("name")
    picked = (((parse.get("response_selector") or {}).get(intent) or {}).get("response") or {}).get(
        "intent_response_key")
    return picked or intent


@pytest.fixture(scope="module")
def outcomes():
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train` (make test does it for you)")
    texts = sorted({t for _, title, payload in offered() for t in (title, payload)})
    return dict(zip(texts, (outcome(p) for p in asyncio.run(parse_all(MODEL, texts)))))


def test_there_are_buttons_to_walk():
    assert len(offered()) >= 20


def test_every_button_title_typed_back_does_what_the_button_does(outcomes):
    wrong = [f"{where}: {title!r} -> {outcomes[title]}, but the button -> {outcomes[payload]}"
             for where, title, payload in offered() if outcomes[title] != outcomes[payload]]
    assert not wrong, "\n".join(wrong)


def test_every_button_leads_somewhere_useful(outcomes):
    lost = [f"{where}: {payload!r} -> {outcomes[payload]}" for where, _, payload in offered()
            if outcomes[payload] in ("nlu_fallback", "out_of_scope", "clarify", None)]
    assert not lost, "\n".join(lost)
