"""Visitor text made safe to read, before anything else reads it.

`clean` runs in the turn wrapper (channels/turn.py) on every channel, before
Rasa's pipeline: a lone UTF-16 surrogate (an emoji cut in half by a phone
keyboard or a truncating client) makes spaCy raise, and zero-width or
look-alike characters hide words from the rule layer.

`unslash` stops visitor text from steering the dialogue: Rasa reads a text
that starts with "/" as an intent with entities ("/greet{"country":"IN"}"),
after every NLU component and over their verdict. Only the payloads of the
bot's own buttons (domain.yml) keep their slash.

`disguise_variants` are the extra readings the rule layer matches on
(safety/detector.py): spaced letters ("s u i c i d e", "k-i-l-l m-y-s-e-l-f"),
leetspeak ("k1ll mys3lf"), starred letters ("k*ll"), stretched letters
("diiie"), typos of key words ("suicdal"), emoji ("i want to 💀") and
reversed text made plain.
"""
import re
import unicodedata
from functools import lru_cache
from typing import Any, Callable, FrozenSet, List, Optional, Text

from content.answers import domain_responses

# Unicode categories removed: format characters (zero-width space and
# joiners, soft hyphen, byte-order mark, bidi controls), lone surrogates and
# unassigned code points. Control characters become spaces.
DROPPED_CATEGORIES = {"Cf", "Cs", "Cn"}

# Cyrillic and Greek letters that look like Latin ones ("kіll" with a
# Ukrainian і). NFKC leaves them alone.
LOOK_ALIKES = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "i",
    "ѕ": "s", "ј": "j", "һ": "h", "ԁ": "d", "ӏ": "l", "к": "k", "м": "m", "т": "t",
    "А": "A", "Е": "E", "О": "O", "Р": "P", "С": "C", "Х": "X", "І": "I", "К": "K", "М": "M", "Т": "T",
    "ο": "o", "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ρ": "p", "τ": "t", "υ": "u",
    # Latin letters that Unicode does not decompose to a plain letter ("kílł").
    "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ı": "i", "ħ": "h", "ŧ": "t", "ß": "ss",
})

# Leetspeak, read only inside a word that also holds letters ("k1ll", not "24/7").
LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t",
                      "@": "a", "$": "s", "!": "i", "|": "l", "+": "t"})
LEET_WORD = re.compile(r"(?<!\S)(?=\S*[a-z])(?=\S*[013457@$!|+][a-z])\S+")
# Three or more single letters in a row, spaced or dotted: "s u i c i d e", "k.i.l.l".
SPACED_LETTERS = re.compile(r"(?<![a-z])(?:[a-z][ .·]+){2,}[a-z](?![a-z])")
STRETCHED = re.compile(r"([a-z])\1{2,}")
STARRED_WORD = re.compile(r"(?<!\S)(?=\S*[a-z])\S*\*\S*")  # "k*ll", "mys*lf"
# Emoji that stand for a word in risk talk ("i just want to 💀").
EMOJI_WORDS = {"💀": "die", "☠": "die", "⚰": "coffin", "💊": "pills", "🔪": "knife", "🗡": "knife",
               "🩸": "blood", "🪢": "rope", "😭": "crying", "🔫": "gun"}
EMOJI = re.compile("|".join(map(re.escape, EMOJI_WORDS)))
# Words whose one-letter typos are still read as the word ("suicdal").
# Not "overdose": "overdone" is one letter away.
TYPO_WORDS = ("suicide", "suicidal", "myself", "anorexia", "anorexic", "bulimia", "bulimic", "unalive", "selfharm")
WORD = re.compile(r"[a-z]{5,}")


def clean(text: Any) -> Text:
    """Printable, NFKC-normalised text: what the pipeline and the rule layer read."""
    if not isinstance(text, str):
        return ""
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category in DROPPED_CATEGORIES:
            continue
        kept.append(" " if category == "Cc" and char not in "\n\t" else char)
    return unicodedata.normalize("NFKC", "".join(kept)).translate(LOOK_ALIKES)


@lru_cache(maxsize=1)
def button_payloads() -> FrozenSet[Text]:
    """The "/intent" payloads of the bot's own buttons (domain.yml)."""
    payloads = set()
    for variants in domain_responses().values():
        for variant in variants or []:
            for button in (variant or {}).get("buttons") or []:
                payload = str((button or {}).get("payload") or "")
                if payload.startswith("/"):
                    payloads.add(payload)
    return frozenset(payloads)


def unslash(text: Text) -> Text:
    """The text without leading slashes, unless it is one of the bot's own button payloads."""
    stripped = text.strip()
    if not stripped.startswith("/") or stripped in button_payloads():
        return text
    return stripped.lstrip("/ \t\n")


def _starred(word: Text, is_word: Callable[[Text], bool], reading: int = 0) -> Text:
    """"k*ll" -> "kill": a vowel for the stars that makes a known word, the first by default.
    "c*t" can be "cat" or "cut": `reading` 1, 2 ... give the others (the first one again when
    there are no more), so no known word hides another."""
    words = [word.replace("*", vowel) for vowel in "ieaou" if is_word(word.replace("*", vowel))]
    return words[min(reading, len(words) - 1)] if words else word


def _segment(letters: Text, is_word: Callable[[Text], bool]) -> Text:
    """Joined letters split into the fewest known words ("killmyself" -> "kill myself"), else as they are."""
    best: List[Optional[List[Text]]] = [[]] + [None] * len(letters)
    for end in range(1, len(letters) + 1):
        for start in range(max(0, end - 20), end):
            word = letters[start:end]
            if best[start] is not None and (is_word(word) or word in ("i", "a")):
                if best[end] is None or len(best[start]) + 1 < len(best[end]):
                    best[end] = best[start] + [word]
    return " ".join(best[-1]) if best[-1] else letters


def _join_spaced(run: Text, is_word: Callable[[Text], bool]) -> Text:
    """"k i l l m y s e l f" -> "kill myself"; a wider gap marks a word ("e n d  i t  a l l")."""
    groups = re.split(r"[ .·]{2,}", run)
    return " ".join(_segment(re.sub(r"[ .·]", "", group), is_word) for group in groups)


def _one_edit(word: Text, target: Text) -> bool:
    """Whether one letter added, dropped, changed or two swapped turns word into target."""
    if abs(len(word) - len(target)) > 1 or word == target:
        return False
    if len(word) == len(target):
        diff = [i for i, (a, b) in enumerate(zip(word, target)) if a != b]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and word[diff[0]] == target[diff[1]] and word[diff[1]] == target[diff[0]])
    short, long_ = sorted((word, target), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _untypo(match: re.Match) -> Text:
    word = match.group(0)
    return next((target for target in TYPO_WORDS if _one_edit(word, target)), word)


STAR_READINGS = 3  # "c*t": cat, cot, cut


def _unleet(text: Text) -> Text:
    """Leetspeak read as letters, then one-letter typos of key words fixed."""
    return WORD.sub(_untypo, LEET_WORD.sub(lambda m: m.group(0).translate(LEET), text))


def disguise_variants(lowered: Text, is_word: Callable[[Text], bool] = lambda word: False) -> List[Text]:
    """Other readings of lower-cased text, each only if it differs from it and the others:
    emoji as words, spaced letters joined and split into words, stars and leetspeak read
    as letters, one-letter typos of key words fixed, stretched letters shortened, and
    the text reversed (a right-to-left override shows it the right way round)."""
    text = EMOJI.sub(lambda m: f" {EMOJI_WORDS[m.group(0)]} ", lowered)
    text = SPACED_LETTERS.sub(lambda m: _join_spaced(m.group(0), is_word), text)
    starred = [STARRED_WORD.sub(lambda m: _starred(m.group(0), is_word, n), text) for n in range(STAR_READINGS)]
    text = _unleet(starred[0])
    # A stretched letter may stand for one ("diiie") or two ("killlll").
    candidates = [text, STRETCHED.sub(r"\1", text), STRETCHED.sub(r"\1\1", text), lowered[::-1]]
    candidates += [_unleet(other) for other in starred[1:]]
    variants: List[Text] = []
    for candidate in candidates:
        if candidate != lowered and candidate not in variants:
            variants.append(candidate)
    return variants
