"""Ways a crisis sentence can reach the bot disguised.

Some come from phones and clients (invisible characters, fullwidth input, an
emoji cut in half by a truncating client, a button payload prefix), some from
a person trying to slip past a filter (spaced, dotted or starred letters,
leetspeak, look-alike Cyrillic letters). Each function takes a sentence and
returns the disguised one; the word-level ones change only the words a
filter would look for (KEY_WORDS) and leave the rest as typed.
"""
import re
from typing import Callable, Dict, List, Text, Tuple

# The words a filter would look for, strongest first.
KEY_WORDS = ("suicide", "suicidal", "kill", "die", "dead", "cut", "life", "live", "end", "myself")

LONE_SURROGATE = "\ud83d"  # the first half of an emoji such as U+1F622, without its second half

ZERO_WIDTH = {
    "zero_width_space": "\u200b",
    "zero_width_non_joiner": "\u200c",
    "zero_width_joiner": "\u200d",
    "word_joiner": "\u2060",
    "byte_order_mark": "\ufeff",
    "soft_hyphen": "\u00ad",
}

# Cyrillic letters that look like Latin ones: а е о с р і
CYRILLIC = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "c": "\u0441", "p": "\u0440", "i": "\u0456"}


def _key_spans(sentence: Text) -> List[Tuple[int, int]]:
    """Where the key words are, left to right."""
    return [m.span() for m in re.finditer(r"[A-Za-z]+", sentence) if m.group().lower() in KEY_WORDS]


def _strongest_span(sentence: Text) -> Tuple[int, int]:
    spans = _key_spans(sentence)
    if not spans:
        raise ValueError(f"no key word to disguise in {sentence!r}")
    return min(spans, key=lambda s: KEY_WORDS.index(sentence[s[0]:s[1]].lower()))


def _on_key_words(sentence: Text, change: Callable[[Text], Text]) -> Text:
    spans = _key_spans(sentence)
    if not spans:
        raise ValueError(f"no key word to disguise in {sentence!r}")
    for start, end in reversed(spans):
        sentence = sentence[:start] + change(sentence[start:end]) + sentence[end:]
    return sentence


def _on_strongest_word(sentence: Text, change: Callable[[Text], Text]) -> Text:
    start, end = _strongest_span(sentence)
    return sentence[:start] + change(sentence[start:end]) + sentence[end:]


def _split_inside(char: Text) -> Callable[[Text], Text]:
    return lambda word: word[:len(word) // 2] + char + word[len(word) // 2:]


# Invisible characters inside the key words ("ki\u200bll mys\u200belf").
def zero_width_space(sentence: Text) -> Text:
    return _on_key_words(sentence, _split_inside(ZERO_WIDTH["zero_width_space"]))


def zero_width_non_joiner(sentence: Text) -> Text:
    return _on_key_words(sentence, _split_inside(ZERO_WIDTH["zero_width_non_joiner"]))


def zero_width_joiner(sentence: Text) -> Text:
    return _on_key_words(sentence, _split_inside(ZERO_WIDTH["zero_width_joiner"]))


def word_joiner(sentence: Text) -> Text:
    return _on_key_words(sentence, _split_inside(ZERO_WIDTH["word_joiner"]))


def byte_order_mark(sentence: Text) -> Text:
    return _on_key_words(sentence, _split_inside(ZERO_WIDTH["byte_order_mark"]))


def soft_hyphen(sentence: Text) -> Text:
    return _on_key_words(sentence, _split_inside(ZERO_WIDTH["soft_hyphen"]))


# Letters of the strongest key word spaced or dotted ("s u i c i d e", "s.u.i.c.i.d.e").
def spaced_letters(sentence: Text) -> Text:
    return _on_strongest_word(sentence, " ".join)


def dotted_letters(sentence: Text) -> Text:
    return _on_strongest_word(sentence, ".".join)


def leetspeak(sentence: Text) -> Text:
    """Digits for letters: "k1ll mys3lf", "su1c1de", "d1e" (i -> 1; in a word without i, e -> 3)."""
    def change(word: Text) -> Text:
        if "i" in word.lower():
            return re.sub("[iI]", "1", word)
        return re.sub("[eE]", "3", word)
    return _on_key_words(sentence, change)


def leet_symbols(sentence: Text) -> Text:
    """Symbols for letters: "k!ll my$elf", "$u!c!de", "d!e"."""
    return _on_key_words(sentence, lambda word: re.sub("[sS]", "$", re.sub("[iI]", "!", word)))


def starred(sentence: Text) -> Text:
    """Self-censored: the first vowel of each key word starred ("k*ll mys*lf", "d*e")."""
    return _on_key_words(sentence, lambda word: re.sub("[aeiouAEIOU]", "*", word, count=1))


def stretched(sentence: Text) -> Text:
    """The last letter of the strongest key word held, as people type it ("dieeee", "killll")."""
    return _on_strongest_word(sentence, lambda word: word + word[-1] * 3)


def cyrillic_lookalikes(sentence: Text) -> Text:
    """a e o c p i in the key words swapped for Cyrillic letters that look the same ("kіll")."""
    return _on_key_words(sentence, lambda word: "".join(CYRILLIC.get(c, c) for c in word))


def fullwidth(sentence: Text) -> Text:
    """The whole sentence in fullwidth forms, as East Asian keyboards type it (NFKC gives it back)."""
    return "".join(
        "\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in sentence
    )


def all_caps(sentence: Text) -> Text:
    return sentence.upper()


# Half an emoji: what a client that cuts text by UTF-16 units leaves behind.
def lone_surrogate_at_end(sentence: Text) -> Text:
    return f"{sentence} {LONE_SURROGATE}"


def lone_surrogate_inside(sentence: Text) -> Text:
    first, _, rest = sentence.partition(" ")
    return f"{first} {LONE_SURROGATE} {rest}"


# Rasa reads a message that starts with "/" as an intent name (button payloads).
def leading_slash(sentence: Text) -> Text:
    return "/" + sentence


def greet_payload_prefix(sentence: Text) -> Text:
    return "/greet@1 " + sentence


def greet_entities_prefix(sentence: Text) -> Text:
    return '/greet{"country":"IN"} ' + sentence


DISGUISES: Dict[Text, Callable[[Text], Text]] = {
    f.__name__: f
    for f in (
        zero_width_space, zero_width_non_joiner, zero_width_joiner, word_joiner, byte_order_mark,
        soft_hyphen, spaced_letters, dotted_letters, leetspeak, leet_symbols, starred, stretched,
        cyrillic_lookalikes, fullwidth, all_caps, lone_surrogate_at_end, lone_surrogate_inside,
        leading_slash, greet_payload_prefix, greet_entities_prefix,
    )
}
