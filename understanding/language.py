"""Which language a visitor wrote in, when it is confidently not English.

The assistant answers in English only. A message in another language gets
a short reply saying so (understanding/language_gate.py) and the crisis line
in that language (channels/turn.py), never some topic's answer picked by an
English model. `detect` tells them apart with lingua, whose language models
ship inside the package (nothing is downloaded at run time).

Visitor messages are short, misspelled and full of names ("imago", "IRT",
"hw much r imago sessions", "thx"), and on such text a statistical guess is
often wrong: lingua alone reads "imago critiques" as French. So a message
counts as another language only when all of these hold:
  - none of its words is a common English word (ENGLISH_WORDS);
  - one word (Latin script) gives too little to go on: only a few
    greetings count (GREETINGS); "¿" or "¡" means Spanish;
  - lingua's top language is not English, and English is far behind it
    (its confidence at most MAX_ENGLISH_SHARE of the top one's);
  - the message holds a word outside spaCy's English word list, or an
    accented letter ("180 fahrenheit in celsius" is all English words);
  - its words look like words: keyboard mashing ("asdkj qwe zzz", which
    lingua reads as Dutch) is not a language.
Text mostly in another script (Cyrillic, Arabic, Chinese...) is not English
whatever it says. tests/unit/test_language.py measures both errors.
"""
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import FrozenSet, List, Optional, Text

import spacy_lookups_data
import srsly
from lingua import Language, LanguageDetector, LanguageDetectorBuilder

# English, Spanish and French (the site's own languages; Canada is
# bilingual), the languages most spoken at home in the countries the crisis
# lines cover (US, Canada, UK, Ireland, Australia, New Zealand, India), and
# the big web languages. Each Latin-script language costs about 20 MB once
# loaded, and lingua loads a script's models only when text in that script
# arrives; a language not listed is read as its nearest listed neighbour
# (or, in a script none of these use, as "und").
LANGUAGES = (
    Language.ENGLISH, Language.SPANISH, Language.FRENCH,
    # Latin script: told apart from Spanish and French, and from English
    Language.PORTUGUESE, Language.ITALIAN, Language.GERMAN, Language.DUTCH,
    Language.POLISH, Language.TURKISH, Language.VIETNAMESE, Language.TAGALOG,
    # other scripts
    Language.RUSSIAN, Language.UKRAINIAN, Language.ARABIC, Language.PERSIAN, Language.URDU,
    Language.HINDI, Language.BENGALI, Language.PUNJABI, Language.GUJARATI, Language.TAMIL,
    Language.TELUGU, Language.CHINESE, Language.JAPANESE, Language.KOREAN, Language.GREEK,
    Language.HEBREW, Language.THAI,
)
UNDETERMINED = "und"  # ISO 639-2: not English, but in a script none of LANGUAGES uses
# English is this far behind the top language at most (measured: English
# messages that get this far are 0.68 or more, other languages mostly under 0.3).
MAX_ENGLISH_SHARE = 0.33
# Frequent English words that are not everyday words of Spanish or French
# ("me", "no", "a", "son", "on", "en" are). One of them: the message is English.
# A few are words of other languages ("do" in Portuguese and Polish, "is" in
# Dutch): a message with one of them is then read as English, the safe side.
ENGLISH_WORDS = frozenset("""
    the of and for with are were been i'm im i'd i've id ive you your u ur r what whats what's how hw
    much many does do did don't dont doesn't can can't cant could would should won't my our they them
    their he she him his it it's its this that that's thats these those there here who why when where
    which about any some from at if or not just want need know get got have has had thanks thank thx
    ty please pls plz hello hi hey yes yeah yep ok okay cost costs price pay counseling counselling
    marriage wife husband boyfriend girlfriend work works long take find near like feel really very
    too out up after than then because though still even ever never always only way good bad better
    right now gotta wanna gonna lol idk omg is to help vs
""".split())
# Names say nothing about the language a visitor writes in.
NAMES = ("imago", "irt", "gottman", "hendrix", "harville", "helen", "lakelly", "eft")
NAMES_RE = re.compile(r"(?<![a-z])(?:" + "|".join(NAMES) + r")(?![a-z])", re.I)
LINKS_RE = re.compile(r"\S*(?:://|www\.|@)\S*")
# One-word messages unmistakably not English ("adios", "ciao", "grazie" and
# "danke" are left out: English speakers type them too).
GREETINGS = {
    "hola": "es", "buenas": "es", "gracias": "es", "adiós": "es",
    "bonjour": "fr", "bonsoir": "fr", "merci": "fr", "salut": "fr",
    "olá": "pt", "obrigado": "pt", "obrigada": "pt", "kumusta": "tl",
}
WORD_RE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
# A word of three letters or more with no vowel, or five consonants in a row
# ("zzz", "sdkfj", "ajsdhf"): mashed keys, in any of the Latin-script LANGUAGES.
MASHED_RE = re.compile(r"^[^aeiouy]{3,}$|[^aeiouy']{5}")
LEMMA_DIR = Path(spacy_lookups_data.__file__).parent / "data"


# High-accuracy mode (lingua's default), measured on this project's data:
# the 11 Latin-script models take about 250 MB and 5-7 s to load (all the
# other scripts, 120 MB more), and a message 0.3-0.5 ms. Low-accuracy mode
# takes 15-20 MB and 0.5 s, but read 5 English examples of data/ and 2 Spanish
# ones as other languages (0 here), so it is not used.
@lru_cache(maxsize=1)
def detector() -> LanguageDetector:
    """Built once; the first text in a script loads that script's models (seconds)."""
    return LanguageDetectorBuilder.from_languages(*LANGUAGES).build()


def warm_up() -> None:
    """Load the Latin-script models now, so the first visitor does not wait."""
    detector().compute_language_confidence_values("cuánto cuesta la terapia de pareja")
    english_vocabulary()


@lru_cache(maxsize=1)
def english_vocabulary() -> FrozenSet[Text]:
    """English words and their forms, from spaCy's lemma tables (about 120,000)."""
    lookup = srsly.read_gzip_json(LEMMA_DIR / "en_lemma_lookup.json.gz")
    index = srsly.read_gzip_json(LEMMA_DIR / "en_lemma_index.json.gz")
    words = {w.lower() for pair in lookup.items() for w in pair}
    words.update(w.lower() for lemmas in index.values() for w in lemmas)
    return frozenset(words)


def code(language: Language) -> Text:
    return language.iso_code_639_1.name.lower()


def _is_latin(char: Text) -> bool:
    return unicodedata.name(char, "").startswith("LATIN")


def _is_mashed(word: Text) -> bool:
    plain = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    return bool(MASHED_RE.search(plain))


def _is_english_word(word: Text) -> bool:
    vocabulary = english_vocabulary()
    return word.replace("'", "") in vocabulary or word.split("'")[-1] in vocabulary


def detect(text: Optional[Text]) -> Optional[Text]:
    """An ISO 639-1 code ("und" in a script none of LANGUAGES uses) when
    `text` is confidently not English; None for English and whenever unsure
    (the visitor then gets the English answer)."""
    text = NAMES_RE.sub(" ", LINKS_RE.sub(" ", (text or "").replace("’", "'")))
    letters = [c for c in text if c.isalpha()]
    latin = sum(_is_latin(c) for c in letters)
    if latin * 2 < len(letters):  # mostly another script
        found = detector().detect_language_of(text)
        if found is None:
            return UNDETERMINED
        return None if found == Language.ENGLISH else code(found)
    words: List[Text] = WORD_RE.findall(text.lower())
    if not words or any(w in ENGLISH_WORDS for w in words):
        return None
    if "¿" in text or "¡" in text:
        return "es"
    if len(words) == 1:
        return GREETINGS.get(words[0])
    if any(_is_mashed(w) for w in words):
        return None
    confidences = detector().compute_language_confidence_values(" ".join(words))
    top = confidences[0]
    english = next(c.value for c in confidences if c.language == Language.ENGLISH)
    if top.language == Language.ENGLISH or english > MAX_ENGLISH_SHARE * top.value:
        return None
    accented = any(not c.isascii() for c in letters)
    if accented or not all(_is_english_word(w) for w in words):
        return code(top.language)
    return None
