"""Two questions in one message: "how much is it? and is it covered by insurance?"

The model gives one intent per message, so a message with two questions got
one answer (or neither). `split_questions` cuts such a message into its
questions, and channels/turn.py sends each to Rasa in turn, so each gets the
answer of its own topic, in order. A message is cut only where a question
clearly ends ("?") or where "and"/"also" starts a new question ("... and is
it covered?"), and only into parts of at least MIN_WORDS words, so a story
that ends in one question stays whole.
"""
import re
from typing import Any, List, Text

MIN_WORDS = 3  # shorter parts join their neighbour, unless a one-word question ("price?") or "how much"
FILLERS = {"ok", "okay", "right", "really", "yes", "no", "hm", "hmm", "lol", "please", "so", "and", "huh", "what"}
HOW_MUCH = {"much", "long", "many", "often", "soon"}  # "how much" is a question; "how come" leans on the rest
MAX_PARTS = 3  # more than this is a list, not a pair of questions: leave it whole
# Words that start a question; after "and"/"also" they mark a second question.
OPENERS = (r"how|what|whats|what's|is|isn't|are|does|do|did|can|could|will|would|where|who|why|when|"
           r"should|which|any|has|have")  # no imperatives ("and tell me a joke"): a request, not a second question
AFTER_QUESTION_MARK = re.compile(r"(?<=\?)\s+")
# "and" as typed on phones too: "how much is it n is it covered", "nd", "&", "+".
AND = r"(?:and|also|plus|n|nd|an|&|\+)"
AND_NEW_QUESTION = re.compile(rf"\s*(?:,|;)?\s+{AND}\s+(?:also\s+)?(?=(?:{OPENERS})\b)", re.I)
LEADING_AND = re.compile(rf"^{AND}\s+(?:also\s+)?", re.I)
STARTS_QUESTION = re.compile(rf"^(?:{OPENERS})\b", re.I)


def _is_short(part: Text) -> bool:
    words = re.findall(r"\w+", part.lower())
    one_word_question = part.endswith("?") and len(words) == 1 and words[0] not in FILLERS
    # "... and how much?", "... and how long": two words, and a whole question.
    how_question = len(words) == 2 and words[0] == "how" and words[1] in HOW_MUCH
    return len(words) < MIN_WORDS and not one_word_question and not how_question


def _merge_short(parts: List[Text]) -> List[Text]:
    """Parts too short to be a question ("ok?", "hi!") join the next one (or the last)."""
    merged: List[Text] = []
    carry = ""
    for part in parts:
        part = f"{carry} {part}".strip() if carry else part
        if _is_short(part):
            carry = part
            continue
        merged.append(part)
        carry = ""
    if carry:
        if merged:
            merged[-1] = f"{merged[-1]} {carry}"
        else:
            merged.append(carry)
    return merged


def _is_question(part: Text) -> bool:
    return part.rstrip().endswith("?") or bool(STARTS_QUESTION.match(part.strip()))


def _join_statements(parts: List[Text]) -> List[Text]:
    """A statement after a question is its context, not a question of its own:
    "do we both have to come? my husband refuses" stays one question."""
    joined: List[Text] = []
    for part in parts:
        if joined and not _is_question(part):
            joined[-1] = f"{joined[-1]} {part}"
        else:
            joined.append(part)
    return joined


def split_questions(text: Text) -> List[Text]:
    """The message's questions, in order; the message itself when it holds one (or many)."""
    parts: List[Text] = []
    for sentence in AFTER_QUESTION_MARK.split(text.strip()):
        parts.extend(LEADING_AND.sub("", p.strip()) for p in AND_NEW_QUESTION.split(sentence) if p.strip())
    parts = _join_statements(_merge_short(parts))
    if len(parts) < 2 or len(parts) > MAX_PARTS:
        return [text]
    return parts


PART_KEY = "split_part"  # in the metadata of each question of a split message: 1, 2, ...


def part_number(metadata: Any) -> int:
    """Which question of a split message this is (channels/turn.py sets it); 1 for a whole message.
    A visitor's client can send metadata too, so anything but a small whole number counts as 1."""
    number = metadata.get(PART_KEY) if isinstance(metadata, dict) else None
    return number if isinstance(number, int) and not isinstance(number, bool) and 1 <= number <= 10 else 1
