"""The rule layer: spaCy Matcher patterns that force a crisis or abuse handoff.

Independent of the trained model: it fires on the phrases in
safety/phrases.yml whatever the model's confidence, and tells the handoff
which language the visitor wrote in, whether the danger is to someone else,
and which country they said they are in.
"""
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

PHRASES_FILE = Path(__file__).with_name("phrases.yml")
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
CONTRACTION_RE = [(re.compile(rf"\b(?:{k})\b"), v) for k, v in CONTRACTIONS.items()]


@dataclass(frozen=True)
class Detection:
    type: Text          # "crisis" or "abuse"
    category: Text      # which group of phrases fired, e.g. "self", "method", "violence"
    language: Text      # "en" or "es"
    about: Text         # "self" or "someone_else"


@dataclass(frozen=True)
class Reading:
    """Everything the rule layer reads off one message, normalised once."""
    detection: Optional[Detection]
    words: frozenset    # the message's words, normalised
    country: Optional[Text]


NOTHING = Reading(None, frozenset(), None)


def strip_accents(text: Text) -> Text:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def normalise(text: Text) -> Text:
    """Lower case, plain apostrophes, no accents or hyphens, contractions spelled out."""
    text = strip_accents(text.lower().replace("’", "'").replace("‘", "'"))
    text = re.sub(r"[-_/\\()\[\]]", " ", text)
    for pattern, replacement in CONTRACTION_RE:
        text = pattern.sub(replacement, text)
    return re.sub(r"\s+", " ", text).strip()


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
        if alternative.startswith("~"):
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


class Detector:
    """Matches safety/phrases.yml against a message."""

    def __init__(self, phrases_file: Path = PHRASES_FILE) -> None:
        phrases = yaml.safe_load(phrases_file.read_text(encoding="utf-8"))
        self.nlp = spacy.blank("en")
        self.matcher = Matcher(self.nlp.vocab)
        for handoff_type in ("crisis", "abuse"):
            for category, lines in phrases[handoff_type].items():
                self._add(f"{handoff_type}|{category}|en", lines)
        for handoff_type, lines in phrases["es"].items():
            self._add(f"{handoff_type}|{handoff_type}|es", lines)
        self.risk_words = {
            handoff_type: set().union(*(set(_token_pattern(w)["LOWER"]["IN"]) for w in words))
            for handoff_type, words in phrases["model_needs_one_of"].items()
        }
        self.countries: List[Tuple[re.Pattern, Text]] = [
            (re.compile(rf"\b(?:in|from|to|live in|living in) (?:the )?{re.escape(normalise(name))}\b"), code)
            for code, names in phrases["countries"].items()
            for name in names
        ]

    def _add(self, key: Text, lines: Iterable[Text]) -> None:
        self.matcher.add(key, [compile_phrase(line) for line in lines])

    def read(self, text: Text) -> Reading:
        """Normalise and tokenise the message once; match phrases and places on that."""
        if not isinstance(text, str) or not text.strip():
            return NOTHING
        normal = normalise(text)
        doc = self.nlp.make_doc(normal)
        words = frozenset(token.lower_ for token in doc)
        return Reading(self._match(doc), words, self._country(normal))

    def _match(self, doc) -> Optional[Detection]:
        keys = {self.nlp.vocab.strings[match_id] for match_id, _, _ in self.matcher(doc)}
        if not keys:
            return None
        # A danger to life outranks abuse; the visitor's own danger outranks someone else's.
        order = ["crisis|self", "crisis|eating", "crisis|method", "crisis|crisis", "crisis|harm_others",
                 "crisis|other", "abuse"]
        chosen = sorted(keys, key=lambda k: next(i for i, p in enumerate(order) if k.startswith(p)))[0]
        handoff_type, category, language = chosen.split("|")
        about = "someone_else" if category == "other" else "self"
        return Detection(handoff_type, category, language, about)

    def _country(self, normal: Text) -> Optional[Text]:
        for pattern, code in self.countries:
            if pattern.search(normal):
                return code
        return None

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
