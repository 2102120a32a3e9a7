"""Guidance at the end of the find-a-therapist form, from what the visitor typed.

All guidance comes from the article's "How to Find an Imago Therapist",
"Who Is Able to Offer Imago Therapy?" and "Cost" sections. It names no
therapist, address or website beyond the two organisations the article
names, Imago Relationships North America and the Imago International
Training Institute.

The visitor's place shapes the advice (look near where you live; cost
depends on where you live) but is never repeated back: the article says
nothing about what any directory offers in a given place, so a sentence
like "options in or near <place>" would be a made-up claim. A place that
safety/places.yml knows does one more thing: the visitor said where they live,
so from then on they get that country's crisis lines (the `country` slot).
"""
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from safety.places import country_of_place

SOURCE = 'Source: "Imago Therapy: How It Works, Cost, & What to Expect", Choosing Therapy (2023)'

# Words a visitor may use for each format, checked in this order.
FORMAT_WORDS = {
    "workshop": ["workshop", "retreat", "weekend", "intensive", "group", "course"],
    "online": ["online", "virtual", "video", "zoom", "remote", "from home", "internet", "telehealth"],
    "office": ["office", "in person", "in-person", "face to face", "face-to-face", "local", "near me", "clinic", "sessions"],
}
# Answers that give no place (the form maps "idk", "no preference", "skip"
# to "skip" through the no_preference intent; these are typed ones).
SKIP_WORDS = {"skip", "no", "nope", "rather not say", "prefer not to say", "dont want to say",
              "don't want to say", "not telling", "pass", "none", "n/a", "-", "any"}
MAX_LOCATION_LENGTH = 40
MAX_LOCATION_WORDS = 4  # "Toronto, Canada" is a place; a sentence is not

ALL_FORMATS = (
    "Imago is offered in a few ways, so you can pick what suits you both:\n"
    "• A workshop, retreat or online course with your partner: the Imago Relationships "
    "North America website offers many of these and answers common questions about IRT.\n"
    "• Sessions in an office with an IRT therapist: online therapist directories help you "
    "find therapists by specialization{near}.\n"
    "Many therapists offer free or low-cost consultations to help you decide."
)
GUIDANCE = {
    "office": (
        "For sessions in an office with an IRT therapist, many people use online therapist "
        "directories to find therapists by specialization{near}. Check each therapist's "
        "training and specialties, and whether their approach fits you and your partner; "
        "many offer free or low-cost consultations to help you decide. Couples therapy can "
        "cost $100 to $250 a session, depending on where you live and the type of provider."
    ),
    "online": (
        "Some couples take an Imago online course together: the Imago Relationships North "
        "America website offers options like these and answers common questions about IRT. If you'd "
        "rather meet a therapist online, online therapist directories help you find therapists "
        "by specialization; ask about their Imago training and whether they see couples "
        "online, and use a free or low-cost consultation to check the fit."
    ),
    "workshop": (
        "Many couples do Imago as a workshop or retreat with their partner. The Imago "
        "Relationships North America website offers many of these options and answers "
        "common questions about IRT. Some two-day Imago workshops for couples begin at "
        "around $700."
    ),
}
# Only where a place changes the advice: meeting in person.
NEAR = "; look for one near where you live"
CREDENTIALS_NOTE = (
    "Not everyone who leads Imago workshops or sessions is a licensed counselor: the Imago "
    "International Training Institute also certifies teachers, clergy and healthcare "
    "professionals, and requires a Masters in one of those disciplines. It's worth asking "
    "about a provider's training and certification{formats}."
)
ASK_FORMATS = " and which formats they offer"


def normalise_format(text: Optional[Text]) -> Optional[Text]:
    """'office', 'online' or 'workshop' for what the visitor typed, else None (any format)."""
    if not isinstance(text, str):
        return None
    lowered = text.lower()
    for choice, words in FORMAT_WORDS.items():
        if any(re.search(rf"\b{re.escape(w)}\b", lowered) for w in words):
            return choice
    return None


def normalise_location(text: Optional[Text]) -> Optional[Text]:
    """A short place name, 'skip' when the visitor declines, or None if unusable.

    Only decides whether the visitor gave a place; the place is never shown.
    """
    if not isinstance(text, str):
        return None
    cleaned = " ".join(text.split()).strip(" .,!?")
    if cleaned.lower() in SKIP_WORDS:
        return "skip"
    cleaned = re.sub(r"^(i live in|i'?m in|im in|we live in|we'?re in|in|near|around)\s+", "", cleaned, flags=re.I)
    if not cleaned or len(cleaned) > MAX_LOCATION_LENGTH or not re.search(r"[^\W\d_]", cleaned):
        return None
    if len(cleaned.split()) > MAX_LOCATION_WORDS or re.search(r"[.!?;]", cleaned):
        return None
    return cleaned


def guidance_for(therapy_format: Optional[Text], location: Optional[Text]) -> Text:
    """The article's guidance for a format (or all of them), knowing whether a place was given."""
    near = NEAR if location and location != "skip" else ""
    return GUIDANCE.get(therapy_format, ALL_FORMATS).format(near=near)


def credentials_for(therapy_format: Optional[Text]) -> Text:
    """What to ask a provider: their training and, with no format chosen, which formats."""
    return CREDENTIALS_NOTE.format(formats="" if therapy_format in GUIDANCE else ASK_FORMATS)


class ActionFindTherapist(Action):
    def name(self) -> Text:
        return "action_find_therapist"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        # The form stores what the visitor typed; make sense of it here.
        therapy_format = normalise_format(tracker.get_slot("therapy_format"))
        location = normalise_location(tracker.get_slot("location"))
        dispatcher.utter_message(text=guidance_for(therapy_format, location))
        dispatcher.utter_message(text=f"{credentials_for(therapy_format)}\n\n{SOURCE}")
        # Clear the answers so the form asks afresh next time.
        events = [SlotSet("therapy_format", None), SlotSet("location", None)]
        # "Where do you live?" answered with a known place is a statement of where the visitor
        # is: from now on they get that country's crisis lines (safety/places.py).
        country = country_of_place(location) if location not in (None, "skip") else None
        if country and country != tracker.get_slot("country"):
            events.append(SlotSet("country", country))
        return events
