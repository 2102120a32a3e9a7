"""The rule layer: spaCy Matcher patterns that force a crisis or abuse handoff.

Independent of the trained model: it fires on the phrases in
safety/phrases.yml whatever the model's confidence, and tells the handoff
which language the visitor wrote in, whether the danger is to someone else,
and which country they said they are in (safety/places.yml).

It reads text that safety/clean.py has cleaned, and also matches the
disguised readings clean.disguise_variants gives (spaced letters, leetspeak).
"""
import contextvars
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set, Text, Tuple

import spacy
import spacy_lookups_data
import srsly
import yaml
from spacy.matcher import Matcher

from safety.clean import clean, disguise_variants

PHRASES_FILE = Path(__file__).with_name("phrases.yml")
PLACES_FILE = Path(__file__).with_name("places.yml")
LANGUAGES = ("es", "fr", "de", "pt", "hi")  # sections of phrases.yml besides the English ones
LEMMA_FILE = Path(spacy_lookups_data.__file__).parent / "data" / "en_lemma_lookup.json.gz"

# Written-down ways of typing the same words, made uniform before matching.
CONTRACTIONS = {
    r"i'?m": "i am", r"i'?ve": "i have", r"i'd": "i would", r"i'll": "i will",
    r"(do|does|did|is|was|were|would|could|should|have|has|had|are)n'?t": r"\1 not",
    r"can'?t|cannot": "can not", r"won'?t": "will not", r"wanna": "want to",
    r"gonna": "going to", r"gotta": "got to", r"(he|she|they|it|that)'ll": r"\1 will",
    r"(he|she|it|that)'?s": r"\1 is", r"(they|we|you)'re": r"\1 are", r"(he|she|they)'d": r"\1 would",
    r"u": "you", r"ur": "your", r"r": "are", r"bc|cuz|cos": "because",
}
# "$" in a phrase: the end of the message or of a sentence. Every message
# gets END_OF_MESSAGE as its last token so that phrases can say "and nothing after".
END_OF_MESSAGE = "␃"
SENTENCE_END = {END_OF_MESSAGE, ".", "!", "?", ",", ";", "...", "…"}
CONTRACTION_RE = [(re.compile(rf"\b(?:{k})\b"), v) for k, v in CONTRACTIONS.items()]


@dataclass(frozen=True)
class Detection:
    type: Text          # "crisis" or "abuse"
    category: Text      # which group of phrases fired, e.g. "self", "method", "violence"
    language: Text      # "en", "es", "fr", "de", "pt" or "hi"
    about: Text         # "self" or "someone_else"
    also: Optional[Text] = None  # the other type, when the message holds both ("i want to die and he hits me")


@dataclass(frozen=True)
class Reading:
    """Everything the rule layer reads off one message, normalised once."""
    detection: Optional[Detection]
    words: frozenset    # the message's words, normalised
    country: Optional[Text]


NOTHING = Reading(None, frozenset(), None)
# The last message read in this turn, and what was read off it. The turn
# wrapper (channels/turn.py) reads each message before Rasa does, and the
# pipeline's SafetyRuleClassifier reads it again in a task the turn starts,
# which sees this; that second read (about 6 ms) is then a lookup. Per turn,
# never shared between visitors.
_last_reading: contextvars.ContextVar[Optional[Tuple["Detector", Text, Reading]]] = contextvars.ContextVar(
    "last_reading", default=None)


def strip_accents(text: Text) -> Text:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def plain(text: Text) -> Text:
    """Lower case, plain apostrophes, no accents or hyphens."""
    text = strip_accents(text.lower().replace("’", "'").replace("‘", "'"))
    return re.sub(r"[-_/\\()\[\]]", " ", text)


def spell_out(text: Text) -> Text:
    """Contractions and chat short forms spelled out ("im" -> "i am", "u" -> "you")."""
    for pattern, replacement in CONTRACTION_RE:
        text = pattern.sub(replacement, text)
    text = re.sub(r"(?<=[a-z])'(?=[a-z])", " ", text)  # j'ai -> j ai, sister's -> sister s
    return re.sub(r"\s+", " ", text).strip()


def normalise(text: Text) -> Text:
    """Lower case, plain apostrophes, no accents or hyphens, contractions spelled out."""
    return spell_out(plain(text))


@lru_cache(maxsize=1)
def word_forms() -> Dict[Text, Set[Text]]:
    """Every form of each lemma, from spaCy's English lemma lookup table."""
    forms: Dict[Text, Set[Text]] = {}
    for form, lemma in srsly.read_gzip_json(LEMMA_FILE).items():
        forms.setdefault(lemma.lower(), {lemma.lower()}).add(form.lower())
    return forms


def _token_pattern(spec: Text) -> Dict:
    if spec == "_":
        return {"OP": "?"}
    optional = spec.endswith("?") and len(spec) > 1
    words: Set[Text] = set()
    for alternative in spec.rstrip("?").split("|"):
        if alternative == "$":
            words |= SENTENCE_END
        elif alternative.startswith("~"):
            lemma = normalise(alternative[1:])
            words |= word_forms().get(lemma, {lemma}) | {lemma}
        else:
            words.add(normalise(alternative))
    pattern: Dict = {"LOWER": {"IN": sorted(words)}}
    if optional:
        pattern["OP"] = "?"
    return pattern


def compile_phrase(phrase: Text) -> List[Dict]:
    """One line of phrases.yml as a spaCy Matcher pattern."""
    pattern = [_token_pattern(spec) for spec in phrase.split()]
    for spec, token in zip(phrase.split(), pattern):
        if any(" " in word for word in token.get("LOWER", {}).get("IN", [])):
            raise ValueError(f"{phrase!r}: write {spec!r} in long form (e.g. 'i am', not 'im')")
    return pattern


# Which match wins when several fire: a danger to life outranks abuse, the
# visitor's own danger outranks someone else's. A category not listed here
# (new in phrases.yml) ranks after the listed ones of its type.
PRIORITY = ["crisis|self", "crisis|eating", "crisis|method", "crisis|hopeless", "crisis|crisis",
            "crisis|harm_others", "crisis|other", "abuse|violence", "abuse|sexual", "abuse|threats",
            "abuse|control", "abuse|stalking", "abuse|other"]

# Whose danger a match speaks of, read from the words around it.
FIRST_PERSON = {"i", "me", "my", "myself", "mine", "we", "us", "our", "ourselves",
                "yo", "mi", "mis", "je", "moi", "mon", "ma", "mes", "j", "m"}
# Relatives and friends: the person at risk when named before a match.
RELATIVES = {"friend", "friends", "bff", "sister", "brother", "sibling", "son", "daughter", "mom", "mum",
             "mother", "dad", "father", "kid", "child", "teen", "teenager", "cousin", "roommate", "coworker",
             "colleague", "niece", "nephew", "aunt", "uncle", "grandma", "grandpa", "someone", "somebody",
             "amiga", "amigo", "hermana", "hermano", "hijo", "hija", "madre", "padre", "mama", "papa",
             "amie", "ami", "soeur", "frere", "fils", "fille", "mere", "pere", "dost", "bhai", "behen",
             "freundin", "freund", "schwester", "bruder", "sohn", "tochter", "irma", "irmao", "filho", "filha"}
ANYONE = {"someone", "somebody", "person", "people", "anyone", "anybody", "human"}
# Partners: at risk in a crisis ("my husband says he wants to die"), but in
# abuse talk usually the one doing harm, so not read as the person at risk.
PARTNERS = {"husband", "wife", "partner", "boyfriend", "girlfriend", "bf", "gf", "spouse", "fiance", "fiancee",
            "esposo", "esposa", "marido", "novio", "novia", "pareja", "mari", "femme", "conjoint", "copain", "copine"}
PRONOUNS = {"he", "she", "they", "him", "her", "them", "his", "hers", "their", "himself", "herself",
            "themselves", "themself", "ella", "elle", "il", "se", "sie", "er", "sich", "wo", "woh"}
# In abuse talk the subject ("she throws things") is usually the one doing harm;
# only these, the one harmed, make it someone else's danger.
OBJECT_PRONOUNS = {"him", "her", "them", "himself", "herself", "themselves"}
CLAUSE_END = {".", "!", "?", ";", "but", "and", "because", "pero", "mais"}


# Everyday words of each language, to tell which one a message is in when
# its matched phrase is a word several languages share ("je pense au suicide").
FUNCTION_WORDS = {
    "en": {"the", "and", "i", "you", "to", "is", "my", "me", "it", "of", "a", "that", "this", "what", "not", "am"},
    "es": {"el", "la", "los", "las", "que", "y", "mi", "yo", "es", "estoy", "quiero", "tengo", "con", "por",
           "para", "una", "un", "pienso", "en", "del"},
    "fr": {"je", "j", "tu", "il", "elle", "le", "la", "les", "des", "du", "au", "et", "est", "pas", "ne", "mon",
           "ma", "mes", "que", "qui", "un", "une", "pense", "suis"},
    "de": {"ich", "du", "er", "sie", "der", "das", "und", "ist", "mein", "meine", "mir",
           "ein", "eine", "mehr", "denke", "sich", "nicht", "mich"},
    "pt": {"eu", "meu", "minha", "nao", "quero", "e", "o", "os", "um", "uma", "com", "disse", "mais", "ele", "ela"},
    "hi": {"mujhe", "main", "mera", "meri", "hai", "hoon", "hu", "ne", "ko", "ki", "ka", "wo", "woh", "nahi",
           "kar", "karna", "ab", "mein", "aur"},
}


def _language(matches: List[Tuple[Text, int, int]], words: Iterable[Text]) -> Text:
    """The language whose phrases cover the longest stretch; on a tie, the
    language most of the message's everyday words belong to, else English."""
    longest: Dict[Text, int] = {}
    for key, start, end in matches:
        language = key.rsplit("|", 1)[1]
        longest[language] = max(longest.get(language, 0), end - start)
    best = max(longest.values())
    tied = [language for language, length in longest.items() if length == best]
    if tied == ["en"] or len(tied) > 1:
        words = set(words)
        counts = {language: len(words & common) for language, common in FUNCTION_WORDS.items()}
        hinted = max(counts, key=lambda language: (counts[language], language == "en"))
        if hinted != "en" and counts[hinted] > counts["en"]:
            return hinted
    return "en" if "en" in tied else tied[0]


def _rank(key: Text) -> Tuple[int, int]:
    handoff_type = key.split("|")[0]
    listed = [i for i, prefix in enumerate(PRIORITY) if key.startswith(prefix + "|")]
    return (0 if handoff_type == "crisis" else 1, listed[0] if listed else len(PRIORITY))


def whose(doc, start: int, end: int, handoff_type: Text, category: Text = "") -> Text:
    """'self' or 'someone_else': the person the matched words speak of.

    A phrase written for someone else (category `other`) is someone else's.
    Otherwise words in the match decide first ("myself", "me" / "herself",
    "her"), then for a crisis the nearest person named before it in
    the same clause decides ("my friend keeps saying she wants to end it
    all"). In abuse talk "he" or "my husband" is usually the one doing harm,
    so only a relative or friend named before the match makes it someone
    else's. A means question about "someone" or "a person" is the asker's.
    """
    inside = [t.lower_ for t in doc[start:end]]
    if category == "other":
        return "someone_else"
    if any(w in FIRST_PERSON for w in inside):
        return "self"
    if category == "method":
        inside = [w for w in inside if w not in ANYONE]
    at_risk = PRONOUNS if handoff_type == "crisis" else OBJECT_PRONOUNS
    if any(w in at_risk or w in RELATIVES for w in inside):
        return "someone_else"
    if category == "method":
        return "self"
    others = RELATIVES | PRONOUNS | PARTNERS if handoff_type == "crisis" else RELATIVES
    for token in reversed(doc[:start]):
        word = token.lower_
        if word in FIRST_PERSON:
            return "self"
        if word in others:
            return "someone_else"
        if word in CLAUSE_END:
            break
    return "self"


class Detector:
    """Matches safety/phrases.yml against a message."""

    def __init__(self, phrases_file: Path = PHRASES_FILE, places_file: Path = PLACES_FILE) -> None:
        phrases = yaml.safe_load(phrases_file.read_text(encoding="utf-8"))
        self.nlp = spacy.blank("en")
        self.matcher = Matcher(self.nlp.vocab)
        self.phrase_words: Set[Text] = set()  # the English phrases' words, for is_word
        for handoff_type in ("crisis", "abuse"):
            for category, lines in (phrases.get(handoff_type) or {}).items():
                patterns = self._add(f"{handoff_type}|{category}|en", lines)
                self.phrase_words.update(w for pattern in patterns for token in pattern
                                         for w in token.get("LOWER", {}).get("IN", []))
        self.phrase_words -= SENTENCE_END
        for language in LANGUAGES:
            for handoff_type, lines in (phrases.get(language) or {}).items():
                self._add(f"{handoff_type}|{handoff_type}|{language}", lines)
        # Figures of speech ("die laughing") and suicide as a topic ("the suicide rate"):
        # a phrase inside one does not fire, and their words never support a model-only verdict.
        self.calm = Matcher(self.nlp.vocab)
        if phrases.get("calm"):
            self.calm.add("calm", [compile_phrase(line) for line in phrases["calm"]])
        self.risk_words = {
            handoff_type: set().union(*(set(_token_pattern(w)["LOWER"]["IN"]) for w in words))
            for handoff_type, words in phrases["model_needs_one_of"].items()
        }
        places = yaml.safe_load(places_file.read_text(encoding="utf-8"))
        statement = "|".join(re.escape(normalise(s)) for s in places["statements"])
        self.countries: List[Tuple[re.Pattern, Text]] = [
            (re.compile(rf"\b(?:{statement}) (?:the )?{re.escape(normalise(name))}(?![a-z])"), code)
            for code, names in places["countries"].items()
            for name in names
        ]

    def is_word(self, word: Text) -> bool:
        """A word of the English phrases (to read "k*ll" as "kill", "c*t" as "cut" rather
        than "cat", and "killmyself" as "kill myself")."""
        return word in self.phrase_words

    def _add(self, key: Text, lines: Iterable[Text]) -> List[List[Dict]]:
        patterns = [compile_phrase(line) for line in lines]
        self.matcher.add(key, patterns)
        return patterns

    def read(self, text: Text) -> Reading:
        """What the rule layer reads off the message; read once per turn (`_last_reading`)."""
        if not isinstance(text, str):
            return NOTHING
        last = _last_reading.get()
        if last is not None and last[0] is self and last[1] == text:
            return last[2]
        reading = self._read(text)
        _last_reading.set((self, text, reading))
        return reading

    def _read(self, text: Text) -> Reading:
        """Clean, normalise and tokenise the message once; match phrases and places on that."""
        lowered = plain(clean(text))
        normal = spell_out(lowered)
        if not normal:
            return NOTHING
        doc = self.nlp.make_doc(f"{normal} {END_OF_MESSAGE}")
        calm = self._calm_spans(doc)
        detection = self._match(doc, calm)
        # Disguises are undone before "u" becomes "you": "s u i c i d e".
        for variant in disguise_variants(lowered, self.is_word) if detection is None else []:
            variant_doc = self.nlp.make_doc(f"{spell_out(variant)} {END_OF_MESSAGE}")
            detection = self._match(variant_doc, self._calm_spans(variant_doc))
            if detection:
                break
        in_calm = {i for start, end in calm for i in range(start, end)}
        words = frozenset(token.lower_ for token in doc[:-1] if token.i not in in_calm)
        return Reading(detection, words, self._country(normal))

    def _calm_spans(self, doc) -> List[Tuple[int, int]]:
        return [(start, end) for _, start, end in self.calm(doc)] if len(self.calm) else []

    def _match(self, doc, calm: List[Tuple[int, int]]) -> Optional[Detection]:
        # A match that lies wholly inside a figure of speech or a topic phrase
        # ("die laughing", "the suicide rate") does not count; anything wider does.
        matches = [(self.nlp.vocab.strings[match_id], start, end) for match_id, start, end in self.matcher(doc)
                   if not any(c_start <= start and end <= c_end for c_start, c_end in calm)]
        if not matches:
            return None
        key, start, end = min(matches, key=lambda m: (_rank(m[0]), m[1]))
        handoff_type, category, _ = key.split("|")
        if category == "harm_others":
            about = "self"  # the visitor is the one at risk of acting
        else:
            about = whose(doc, start, end, handoff_type, category)
        types = {m[0].split("|")[0] for m in matches}
        also = next(iter(types - {handoff_type}), None)
        return Detection(handoff_type, category, _language(matches, (t.lower_ for t in doc)), about, also)

    def _country(self, normal: Text) -> Optional[Text]:
        """The country of the last statement about where the visitor is, if any."""
        found = [(m.start(), code) for pattern, code in self.countries for m in pattern.finditer(normal)]
        return max(found)[1] if found else None

    def supports(self, handoff_type: Text, reading: Reading) -> bool:
        """Whether a model-only verdict of this type has any word in the message that supports it."""
        return bool(reading.words & self.risk_words.get(handoff_type, set()))

    def detect(self, text: Text) -> Optional[Detection]:
        return self.read(text).detection

    def country(self, text: Text) -> Optional[Text]:
        """The country the visitor says they are in, as a code from crisis_lines.yml."""
        return self.read(text).country


@lru_cache(maxsize=1)
def default_detector() -> Detector:
    return Detector()
