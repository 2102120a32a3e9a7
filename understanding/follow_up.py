"""Short follow-ups that lean on the last answer.

"what about online?", "and how long does that take?", "is it cheaper?" name
no topic of their own: read alone, the model guesses one, often wrongly. The
answer gate (understanding/answer_gate.py) turns such a message, when its
topic is not clearly named, into the intent `follow_up`, with the likeliest
topics. The reply then depends on the last topic answered, which only the
conversation knows (content/topics.py asks `reply` here):
  - a likely topic other than the last: "Do you mean <last> or <new>?";
  - the last topic again, or none: what "tell me more" says about the last;
  - no topic answered yet: "Do you mean A or B?" between the two likeliest,
    or "say it another way".
A follow-up that names its topic clearly ("and how much does it cost?")
keeps its answer. A bare fragment ("duration?", "online?") is read as a
question of its own: it usually names its topic, and the gate's usual bar
applies.
"""
import re
from typing import List, Optional, Text, Tuple

FOLLOW_UP = "follow_up"
# Openers that continue the last exchange rather than start a new one.
OPENERS = ("and", "what about", "how about", "what of", "but", "also", "so", "then", "same for",
           "ok and", "okay and", "ok what about", "okay what about", "and what about")
# Words that point back at what was just said ("is it cheaper?", "does that work online?").
BACK_REFERENCES = {"it", "that", "this", "those", "these", "they", "them"}
MAX_WORDS = 8  # longer messages carry their own context
WORD = re.compile(r"[a-z']+")
# Words that name no topic: a follow-up made only of these ("what about that
# one then?") leans on the last answer however sure the model is of a topic.
NO_TOPIC = {w for opener in OPENERS for w in opener.split()} | BACK_REFERENCES | {
    "one", "ones", "thing", "things", "is", "was", "the", "a", "again", "too", "please", "now", "well"}


def is_follow_up(text: Text) -> bool:
    """Does the wording lean on what came before? (It says nothing of the topic.)"""
    words = WORD.findall((text or "").lower())
    if not words or len(words) > MAX_WORDS:
        return False
    joined = " ".join(words)
    if any(joined == opener or joined.startswith(opener + " ") for opener in OPENERS):
        return True
    return bool(BACK_REFERENCES & set(words[:4]))


def names_no_topic(text: Text) -> bool:
    """Are the words (of a follow-up: see is_follow_up) all openers, pointers or fillers?"""
    return all(w in NO_TOPIC for w in WORD.findall((text or "").lower()))


def reply(last_topic: Optional[Text], candidates: List[Text]) -> Tuple[Text, List[Text]]:
    """The response for a follow-up, and the topics it offers (see the module's docstring)."""
    if last_topic:
        others = [t for t in candidates if t != last_topic]
        if candidates and candidates[0] != last_topic and others:
            return "utter_clarify", [last_topic, others[0]]
        return "utter_tell_me_more", [last_topic]
    if len(candidates) >= 2:
        return "utter_clarify", candidates[:2]
    return "utter_ask_rephrase", []
