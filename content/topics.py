"""Topic buttons, and the replies built around them, from the topic cards
(`topic:` in each content file, read by content/answers.py):
  - after an answer, its related topics,
  - for "Do you mean ...?" (utter_clarify), the two likely topics, whose
    titles fill {first_topic} and {second_topic},
  - after "tell me more" (utter_tell_me_more), the last topic's related
    ones, its title filling {last_topic},
  - utter_follow_up ("what about online?") becomes one of those, by the
    last topic answered (understanding/follow_up.py),
  - with nothing to clarify or to say more about, the help text (utter_help),
  - a not-covered reply whose card says `then: <topic>` ("Here is what the
    article does say about cost:") has that topic's answer after it.
replies/nlg.py asks `plan` which response to send and which topics to offer,
and `add_buttons` to put them under it.
"""
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from content import answers
from understanding import follow_up, split

CLARIFY = "utter_clarify"
TELL_ME_MORE = "utter_tell_me_more"
FOLLOW_UP = "utter_follow_up"
HELP = "utter_help"
RETRIEVAL_PREFIX = "utter_"  # "utter_faq/cost" answers the retrieval intent "faq/cost"
# Asking for help finding a therapist starts the form (data/rules/find_therapist.yml), not
# the article answer; for a follow-up ("what about online?") it is the topic all the same.
TOPIC_OF_INTENT = {"request_therapist_guide": "faq/find_therapist"}


def last_topic(tracker: DialogueStateTracker) -> Optional[Text]:
    """The article topic ("faq/cost") of the last question answered before this message
    (the form's answers in between are not questions)."""
    users = [e for e in tracker.events if isinstance(e, UserUttered)]
    for event in reversed(users[:-1]):
        parse = event.parse_data or {}
        intent = (parse.get("intent") or {}).get("name")
        if intent in TOPIC_OF_INTENT:
            return TOPIC_OF_INTENT[intent]
        if intent == "faq":
            key = (((parse.get("response_selector") or {}).get("faq") or {}).get("response") or {}).get(
                "intent_response_key")
            if key:
                return key
    return None


class TopicButtons:
    """The topic cards read at the last model load, by retrieval intent ("faq/cost")."""

    def __init__(self, cards: Dict[Text, Dict[Text, Any]]) -> None:
        self.cards = cards

    def buttons(self, topics: List[Text]) -> List[Dict[Text, Text]]:
        """One button per topic ("faq/cost") that has a card: its title, sending its question."""
        cards = [self.cards.get(t if "/" in t else f"faq/{t}") or {} for t in topics]
        return [{"title": c["title"], "payload": c["question"]} for c in cards if c.get("title") and c.get("question")]

    def pointers(self, utter_action: Text, tracker: DialogueStateTracker,
                 slots: Dict[Text, Any], topics: Optional[List[Text]] = None) -> Optional[List[Text]]:
        """The topics to offer as buttons with this response (filling its {slots}), or None.

        `topics`: the ones a follow-up settled on, instead of the message's or the last one.
        """
        if answers.is_answer(utter_action):
            card = self.cards.get(utter_action[len(RETRIEVAL_PREFIX):]) or {}
            return card.get("related") or []
        latest = tracker.latest_message
        if utter_action == CLARIFY:
            options = [t for t in (topics or (latest.parse_data or {}).get("clarify") or [])
                       if (self.cards.get(t) or {}).get("title")]
            if len(options) < 2:
                return None
            slots["first_topic"], slots["second_topic"] = (self.cards[t]["title"] for t in options[:2])
            return options[:2]
        if utter_action == TELL_ME_MORE:
            topic = topics[0] if topics else last_topic(tracker)
            if not (self.cards.get(topic) or {}).get("title"):
                return None
            slots["last_topic"] = self.cards[topic]["title"]
            return self.cards[topic]["related"]
        return []

    def plan(self, utter_action: Text, tracker: DialogueStateTracker,
             slots: Dict[Text, Any]) -> Tuple[Text, List[Text]]:
        """The response to send for utter_action (a follow-up's pick, or the help text) and the
        topics to offer with it, filling its {slots}."""
        latest = tracker.latest_message
        parse_data = (latest.parse_data if latest else None) or {}
        topics = None
        if utter_action == FOLLOW_UP:
            utter_action, topics = follow_up.reply(last_topic(tracker), parse_data.get("follow_up") or [])
        pointers = self.pointers(utter_action, tracker, slots, topics)
        if pointers is None:  # nothing to clarify or to say more about: the help text instead
            return HELP, []
        return utter_action, pointers

    def then(self, utter_action: Text, tracker: DialogueStateTracker) -> Optional[Text]:
        """The answer ("utter_faq/cost") to put after a not-covered reply whose card says
        `then: cost`, unless an earlier question of the same message just got it ("how much
        is it and is it covered by insurance?" gets the costs once). A later message gets it
        again: the reply says "Here is what the article does say about cost:"."""
        topic = (self.cards.get(utter_action[len(RETRIEVAL_PREFIX):]) or {}).get("then")
        if not topic or not answers.is_answer(utter_action):
            return None
        answer = f"{RETRIEVAL_PREFIX}faq/{topic}"
        latest = tracker.latest_message
        later_part = split.part_number(latest.metadata if latest else None) > 1
        said = next((e for e in reversed(tracker.events) if isinstance(e, BotUttered)), None)
        just_said = said is not None and (said.metadata or {}).get("utter_action") == answer
        return None if later_part and just_said else answer

    def add_buttons(self, response: Optional[Dict[Text, Any]], pointers: List[Text]) -> None:
        """Puts a button per topic in `pointers` under the response's own buttons."""
        if response is not None and pointers:
            response["buttons"] = (response.get("buttons") or []) + self.buttons(pointers)
