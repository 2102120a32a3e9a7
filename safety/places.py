"""The country of a place name, from the `countries` lists in safety/places.yml.

safety/detector.py counts a place only after a statement about the visitor
("i live in toronto"). The find-a-therapist form asks "Where do you live?",
so its answer ("Toronto") is that statement already: actions/find_therapist.py
reads it with `country_of_place`, and the visitor then gets that country's
crisis lines, as if they had said it in a sentence.
"""
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import List, Optional, Text, Tuple

import yaml

PLACES_FILE = Path(__file__).with_name("places.yml")


def plain(text: Text) -> Text:
    """Lower case, no accents, punctuation other than dots as spaces ("Montréal, QC" -> "montreal  qc")."""
    text = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    return re.sub(r"[^\w.' ]", " ", text)


@lru_cache(maxsize=1)
def _names() -> List[Tuple[re.Pattern, Text]]:
    countries = yaml.safe_load(PLACES_FILE.read_text(encoding="utf-8"))["countries"]
    return [(re.compile(rf"(?<![\w.]){re.escape(plain(name))}(?![\w])"), code)
            for code, names in countries.items() for name in names]


def country_of_place(text: Optional[Text]) -> Optional[Text]:
    """The code (as in safety/crisis_lines.yml) of the last place named in `text`, or None.
    "Toronto, Canada" -> "CA"; "Paris" -> "INTL"; "Springfield" -> None."""
    if not isinstance(text, str):
        return None
    normal = plain(text)
    # The last place named; of two ending there, the longer ("new mexico", not "mexico").
    found = [(m.end(), -m.start(), code) for pattern, code in _names() for m in pattern.finditer(normal)]
    return max(found)[2] if found else None
