"""Custom actions against tracker fixtures (tests/fixtures/*.json)."""
import json
import re
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.find_therapist import (
    ActionFindTherapist,
    normalise_format,
    normalise_location,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ARTICLE = Path(__file__).resolve().parents[2] / "article" / "imago-relationship-therapy.txt"


def tracker(name: str) -> Tracker:
    return Tracker.from_dict(json.loads((FIXTURES / f"{name}.json").read_text()))


def run_action(name: str):
    dispatcher = CollectingDispatcher()
    events = ActionFindTherapist().run(dispatcher, tracker(name), {})
    return [m["text"] for m in dispatcher.messages], events


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("in an office", "office"), ("In person please", "office"), ("face to face", "office"),
        ("online", "online"), ("over zoom", "online"), ("VIDEO sessions", "online"),
        ("a workshop or retreat", "workshop"), ("weekend retreat", "workshop"),
        ("hmm not sure", None), ("", None), (None, None), (42, None),
    ],
)
def test_format_is_understood(typed, expected):
    assert normalise_format(typed) == expected


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("i live in Ohio", "Ohio"), ("near Denver", "Denver"), ("Toronto, Canada", "Toronto, Canada"),
        ("skip", "skip"), ("rather not say", "skip"), ("12345", None), ("", None),
        ("x" * 200, None), (None, None), ("New South Wales, Australia", "New South Wales, Australia"),
        # a sentence typed where the place goes is never echoed back in the guidance
        ("honestly whats the point, i wont be around long enough to go", None),
        ("i dont know. somewhere far away from here", None),
    ],
)
def test_location_is_understood(typed, expected):
    assert normalise_location(typed) == expected


FIXTURES_ALL = ["form_online_ohio", "form_workshop_skip", "form_unclear_format", "form_any_chicago",
                "form_office_texas", "form_any_skip"]
PLACES = {"form_online_ohio": "ohio", "form_any_chicago": "chicago", "form_office_texas": "texas"}


def test_online_guidance_names_only_article_sources_and_clears_the_form():
    texts, events = run_action("form_online_ohio")
    joined = " ".join(texts)
    assert "online course" in joined and "Imago Relationships North America" in joined
    assert "Source:" in texts[-1]
    assert SlotSet("therapy_format", None) in events and SlotSet("location", None) in events


@pytest.mark.parametrize("fixture", sorted(PLACES))
def test_the_place_is_never_repeated_back(fixture):
    # The article says nothing about what a directory offers in any place:
    # "options in or near Chicago" would be a made-up claim.
    texts, _ = run_action(fixture)
    joined = " ".join(texts).lower()
    assert PLACES[fixture] not in joined
    assert "in or near" not in joined


def test_a_place_for_office_sessions_shapes_the_advice_without_naming_it():
    with_place, _ = run_action("form_office_texas")
    assert "near where you live" in with_place[0] and "$100 to $250" in with_place[0]
    assert "depending on where you live" in with_place[0]


def test_no_place_gives_no_near_advice():
    texts, _ = run_action("form_any_skip")
    assert "near where you live" not in " ".join(texts)


def test_workshop_guidance_without_location_gives_the_article_price():
    texts, _ = run_action("form_workshop_skip")
    joined = " ".join(texts)
    assert "$700" in joined and "skip" not in joined


@pytest.mark.parametrize("fixture", FIXTURES_ALL)
def test_guidance_invents_no_address_or_figure(fixture):
    texts, _ = run_action(fixture)
    article = ARTICLE.read_text(encoding="utf-8")
    joined = " ".join(texts)
    assert not re.search(r"https?://|www\.|\.com|\.org", joined)
    for figure in re.findall(r"\$[\d,]+|\b\d[\d,]*\b", joined):
        assert figure in article, f"{figure} is not in the article"


@pytest.mark.parametrize("fixture", FIXTURES_ALL)
def test_guidance_says_what_to_ask_about_training(fixture):
    # "Who Is Able to Offer": not every provider is a licensed counselor.
    texts, _ = run_action(fixture)
    assert "Imago International Training Institute" in texts[-1] and "Masters" in texts[-1]


@pytest.mark.parametrize("fixture", ["form_unclear_format", "form_any_chicago", "form_any_skip"])
def test_no_preference_gets_every_option_from_the_article(fixture):
    # "no preference", "idk", "both", "either" (slot value "any") or an unclear answer:
    # the article's directory advice for every format, and what to ask about formats.
    texts, _ = run_action(fixture)
    joined = " ".join(texts)
    for option in ("office", "workshop", "online course", "online therapist directories",
                   "free or low-cost consultations", "which formats they offer"):
        assert option in joined
    assert "Imago Relationships North America" in joined
    assert "12345" not in joined  # an unusable place is left out


@pytest.mark.parametrize("value, expected", [("any", None), ("skip", None)])
def test_the_forms_no_preference_values_mean_any_format(value, expected):
    assert normalise_format(value) == expected


def test_the_forms_skip_value_means_no_place():
    assert normalise_location("skip") == "skip" and normalise_location("any") == "skip"


def run_with(fixture: str, **slots):
    state = json.loads((FIXTURES / f"{fixture}.json").read_text())
    state["slots"].update(slots)
    dispatcher = CollectingDispatcher()
    return ActionFindTherapist().run(dispatcher, Tracker.from_dict(state), {})


@pytest.mark.parametrize("typed, country", [("Toronto", "CA"), ("near Sydney", "AU"), ("Dublin, Ohio", "US"),
                                            ("i live in Paris", "INTL")])
def test_a_known_place_picks_the_visitor_s_crisis_lines(typed, country):
    # "Where do you live?" answered is a statement of where the visitor is (safety/places.py).
    assert SlotSet("country", country) in run_with("form_any_chicago", location=typed, country=None)


@pytest.mark.parametrize("typed", ["skip", "Springfield", "honestly whats the point, i wont be around long", None])
def test_no_known_place_leaves_the_country_as_it_was(typed):
    events = run_with("form_any_chicago", location=typed, country="GB")
    assert not [e for e in events if e.get("name") == "country"]


def test_the_country_already_known_is_not_set_again():
    events = run_with("form_any_chicago", location="Chicago", country="US")
    assert [e["name"] for e in events] == ["therapy_format", "location"]
