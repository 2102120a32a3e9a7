"""`make unanswered`: what visitors asked that the bot couldn't answer, for content editors.

Reads the conversations from the tracker store that endpoints.yml configures
(the same store the server writes, through Rasa's own classes, read-only for
SQLite) and lists the messages of the last N days whose reply was a fallback,
a clarification, "not covered" and the like (KINDS below), grouped by
similarity, with counts. Email addresses, phone numbers and names are masked
before anything is grouped or shown. Crisis and abuse messages are never
listed. Writes only the report, OUT/unanswered.html and OUT/unanswered.md;
no copy of the messages is kept anywhere else.

Usage: unanswered.py [--days N] [--endpoints FILE] [--out DIR]
(--days defaults to UNANSWERED_DAYS, else 30; --out to results/).
"""
import argparse
import asyncio
import datetime
import html
import logging
import os
import re
import sys
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Tuple
from urllib.parse import quote

import yaml

# The reply that makes a message "unanswered", and how the report names it.
# Replies the domain does not have yet simply never match.
KINDS = {
    "utter_ask_rephrase": "not understood (fallback)",
    "action_default_fallback": "no reply fits here (fallback)",
    "utter_clarify": "clarification asked",
    "utter_follow_up": "short follow-up, topic unclear",
    "utter_not_covered": "not covered by the article",
    "utter_out_of_scope": "out of scope",
    "utter_other_language": "other language",
}
NOT_COVERED = "utter_not_covered"
HANDOFF_PREFIX = "utter_handoff_"  # a crisis/abuse handoff: never a content gap, never listed
HANDOFF_INTENTS = ("crisis", "abuse")
NOT_REPLIES = ("action_listen", "action_unlikely_intent")  # the bot waiting, not answering
SIMILAR = 0.4         # cosine similarity (TF-IDF) at which a message joins a group
EXAMPLES_SHOWN = 5
DEFAULT_DAYS = 30

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up lines say nothing to an editor
# endpoints.yml reads these; the Makefile sets the same defaults.
os.environ.setdefault("TRACKER_DB", ".state/tracker.db")
os.environ.setdefault("ACTION_PORT", "5055")

ROOT = Path(__file__).resolve().parents[2]


class StoreError(Exception):
    """The conversation store cannot be read; the message says why, in plain words."""


# ---- masking: before anything is grouped or shown ----

EMAIL = re.compile(
    r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|\b[\w.+-]+\s*(?:\(at\)|\[at\]|\sat\s)\s*[\w-]+\s*(?:\.|\(dot\)|\[dot\]|\sdot\s)\s*"
    r"(?:com|org|net|edu|gov|co|uk|io|me)\b",
    re.I)
# A run of digits with the separators phone numbers are written with; how many digits decides.
PHONE_RUN = re.compile(r"(?<![\w$£€¥.,])\+?\(?\d[\d ().\-\u00a0]*\d\)?(?![\w%$£€])")
HANDLE = re.compile(r"(?<![\w.])@[A-Za-z0-9_]{2,}")
YEAR = re.compile(r"(?:19|20)\d\d")
DATE = re.compile(r"\d{4}-\d\d-\d\d|\d{1,2}[./-]\d{1,2}[./-](?:\d\d){1,2}")
WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
STRONG_CUES = re.compile(
    r"\b(?:my name is|my name's|my names|name's|call me|i'm called|im called|i am called)\s+$", re.I)
INTRO_CUES = re.compile(r"\b(?:i'm|i’m|im|i am|this is|it's|it’s)\s+$", re.I)
RELATION_CUES = re.compile(
    r"\b(?:my|our|her|his|their) (?:husband|wife|partner|spouse|boyfriend|girlfriend|fianc[eé]e?|ex|son|daughter|"
    r"mother|father|mom|mum|dad|brother|sister|friend|therapist|counsel+or|coach)\s*,?\s+$", re.I)
TITLES = re.compile(r"\b(?:dr|mr|mrs|ms|mx|miss)\.?\s+$", re.I)
PLACE_CUE = r"\b(?:in|from|to|near|at|around|outside|of)\s+(?:the\s+)?"
# Words that look like names but are not, beside the example questions' vocabulary.
KEEP = {"imago", "irt", "eft", "hendrix", "harville", "gottman", "lakelly", "uk", "usa", "us", "zoom", "google",
        "dr", "mr", "mrs", "ms", "mx",
        "ok", "okay", "hey", "hi", "hello", "hola", "bonjour", "thanks", "honestly", "anyway", "seriously",
        "basically", "sorry",
        "christmas", "easter", "thanksgiving",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december"}


def example_questions(root: Path) -> List[str]:
    """The example questions (and other messages) the model is trained on, data/**/*.yml."""
    found = []
    for path in sorted((root / "data").rglob("*.yml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in content.get("nlu") or []:
            if not block.get("intent"):  # a lookup list (topic_vocabulary.yml) is not a question
                continue
            found += [line.strip()[2:].strip() for line in str(block.get("examples") or "").splitlines()
                      if line.strip().startswith("- ")]
    return found


def example_words(examples: Iterable[str]) -> FrozenSet[str]:
    return frozenset(w.lower() for example in examples for w in WORD.findall(example))


def place_names(root: Path) -> List[str]:
    """The places of safety/places.yml (where visitors say they are), longest first."""
    places = yaml.safe_load((root / "safety" / "places.yml").read_text(encoding="utf-8"))["countries"]
    return sorted({p for names in places.values() for p in names}, key=lambda p: (-len(p), p))


def _phone(match: re.Match) -> str:
    run = match.group(0)
    digits = re.sub(r"\D", "", run)
    groups = re.findall(r"\d+", run)
    if all(len(g) == 4 and YEAR.fullmatch(g) for g in groups) or DATE.fullmatch(run.strip()):
        return run  # years, "2015-2017", or a date
    separated = len(groups) > 1 or run.startswith(("+", "("))
    # 7+ digits written like a phone number, or 8+ in one block; fewer is a figure.
    return "[phone]" if 7 <= len(digits) <= 15 and (separated or len(digits) >= 8) else run


class Masker:
    """Hides email addresses, phone numbers and names: [email], [phone], [name].

    No named-entity model is available (the spaCy pipeline is blank), so names are found by rule:
    - the word after "my name is", "call me", "I'm called" (any case), and a capitalised surname after it;
    - a capitalised word after "I'm", "I am", "this is", "it's", after "my husband", "my wife", "my
      therapist" and the like, and after Dr, Mr, Mrs, Ms (there even a lower-case word no example uses);
    - any other capitalised (or ALL-CAPS) word that no example question uses and that is not in KEEP.
    Privacy comes first: an unfamiliar capitalised word ("Catholic", "Netflix") is hidden too.
    A place from safety/places.yml is kept after "in", "from", "to", "near" ("we live in Sydney"),
    since it says which lines and therapists apply; elsewhere ("my wife Sydney") it is a name.
    """

    def __init__(self, known_words: Iterable[str], places: Iterable[str]):
        from spacy.lang.en.stop_words import STOP_WORDS

        self.stop_words = frozenset(STOP_WORDS) | {"i"}
        self.known = frozenset(known_words) | KEEP | self.stop_words
        alternatives = "|".join(re.escape(p) for p in places)
        self.place = re.compile(rf"{PLACE_CUE}({alternatives})\b", re.I) if alternatives else None

    def is_known(self, word: str) -> bool:
        lower = word.lower().replace("’", "'")
        base = lower.split("'")[0]  # "John's", "I'm"
        return lower in self.known or base in self.known or all(p in self.known for p in re.split(r"[-']", lower))

    def mask(self, text: str) -> str:
        text = EMAIL.sub("[email]", text)
        text = PHONE_RUN.sub(_phone, text)
        text = HANDLE.sub("[name]", text)
        kept = {i for m in (self.place.finditer(text) if self.place else ()) for i in range(*m.span(1))}
        out, last, masked_end = [], 0, None
        for match in WORD.finditer(text):
            word, start = match.group(0), match.start()
            if start in kept or text[start - 1:start] == "[":  # a place, or one of our own [email] marks
                continue
            before = text[max(0, start - 40):start]
            # A capitalised word right after a masked one is a surname: "Sarah Jones".
            surname = masked_end is not None and text[masked_end:start].isspace()
            if self._is_name(word, before, surname):
                out.append(text[last:start] + "[name]" + self._possessive(word))
                last = masked_end = match.end()
        return re.sub(r"\s+", " ", "".join(out) + text[last:]).strip()

    def _is_name(self, word: str, before: str, surname: bool) -> bool:
        lower = word.lower()
        capitalised = word[0].isupper() and len(word) > 1
        title_case = capitalised and not word.isupper()  # "Will", not "WILL" (shouting)
        if STRONG_CUES.search(before):
            return lower not in self.stop_words
        if title_case and (RELATION_CUES.search(before) or TITLES.search(before)):
            return True  # "my wife April", "Dr Will": even a known word
        if lower in KEEP:
            return False
        if title_case and (INTRO_CUES.search(before) or surname and lower not in self.stop_words):
            return True  # "I'm Will", "Sarah Jones"
        if TITLES.search(before):
            return not self.is_known(word)  # "dr smith"
        return capitalised and not self.is_known(word)

    @staticmethod
    def _possessive(word: str) -> str:
        ending = re.search(r"['’]s$", word)
        return ending.group(0) if ending else ""


# ---- reading the conversations ----

@dataclass
class Unanswered:
    text: str        # masked
    kind: str        # as shown in the report
    when: float      # UNIX time of the message


def open_store(endpoints: Path, domain: Any) -> Any:
    """The tracker store the server uses: TRACKER_STORE_URL when set (scripts/serve/stores.py),
    else the one endpoints.yml configures. A SQLite file is opened read-only and must exist."""
    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.exceptions import RasaException

    from scripts.serve import stores

    if not os.environ.get("TRACKER_STORE_URL", "").strip() and not endpoints.is_file():
        raise StoreError(f"the endpoints file {endpoints} does not exist")
    try:
        config = stores.configured_tracker_store(str(endpoints))
    except stores.StoreURLError as error:
        raise StoreError(str(error)) from error
    except (RasaException, OSError, ValueError) as error:
        raise StoreError(f"cannot read {endpoints}: {error}") from error
    if config is None or config.type is None:
        raise StoreError(f"{endpoints} configures no tracker store (tracker_store:), so no conversations are kept")
    kwargs = config.kwargs
    # Rasa's SQL store or ours on it (privacy/store.py; opened here, it deletes nothing).
    sql = config.type.lower() == "sql" or config.type.endswith("SQLTrackerStore")
    if sql and kwargs.get("dialect", "sqlite") == "sqlite":
        db = Path(str(kwargs.get("db") or "rasa.db")).expanduser().resolve()
        if not db.is_file():
            raise StoreError(f"the conversation store {db} does not exist (TRACKER_DB or TRACKER_STORE_URL); "
                             "it appears once the server (make run) has had a conversation")
        # SQLite's read-only mode: this report never writes to the store.
        kwargs["db"] = "file:" + quote(str(db))
        kwargs["query"] = {**(kwargs.get("query") or {}), "mode": "ro", "uri": "true"}
    logging.getLogger("rasa.core.tracker_store").setLevel(logging.CRITICAL)  # we explain failures ourselves
    try:
        return TrackerStore.create(config, domain=domain)
    except Exception as error:  # the store's own driver errors (SQLAlchemy, Redis, Mongo, ...)
        raise StoreError(f"cannot open the conversation store: {first_line(error)}") from error


def first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


async def read_trackers(store: Any) -> List[Any]:
    try:
        keys = sorted(await store.keys())
        return [t for t in [await store.retrieve_full_tracker(key) for key in keys] if t is not None]
    except Exception as error:  # e.g. not a database, no events table, no permission
        raise StoreError(f"cannot read the conversation store: {first_line(error)}") from error


def turns(events: List[Any]) -> Iterable[Tuple[Any, List[Any]]]:
    """Each user message with the bot's actions that followed it, up to the next user message."""
    from rasa.shared.core.events import ActionExecuted, UserUttered

    message, actions = None, []
    for event in list(events) + [None]:
        if event is None or isinstance(event, UserUttered):
            if message is not None:
                yield message, actions
            message, actions = event, []
        elif isinstance(event, ActionExecuted) and event.action_name not in NOT_REPLIES:
            actions.append(event.action_name)


def about_crisis(message: Any, detector: Any) -> bool:
    """The message had, or would now get, a crisis or abuse verdict: the model's, or the rule layer's."""
    parse = message.parse_data or {}
    if parse.get("safety") or (parse.get("intent") or {}).get("name") in HANDOFF_INTENTS:
        return True
    # A fallback prepends nlu_fallback to the ranking; the model's own first guess comes next.
    guesses = [r.get("name") for r in parse.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
    if guesses and guesses[0] in HANDOFF_INTENTS:
        return True
    return detector.read(message.text).detection is not None  # phrases.yml may have grown since


def kind_of(message: Any, reply: str) -> str:
    kind = KINDS[reply]
    if reply == NOT_COVERED:
        selector = ((message.parse_data or {}).get("response_selector") or {}).get("not_covered") or {}
        key = (selector.get("response") or {}).get("intent_response_key") or ""
        if "/" in key:
            kind += f" ({key.split('/', 1)[1]})"
    return kind


def unanswered_in(trackers: Iterable[Any], since: float, until: float, masker: Masker,
                  detector: Any) -> Tuple[List[Unanswered], int, int]:
    """(unanswered messages, their conversations, how many were left out as crisis or abuse)."""
    found, conversations, left_out = [], 0, 0
    for tracker in trackers:
        before = len(found)
        for message, actions in turns(tracker.events):
            if not message.text or not actions or actions[0] not in KINDS or not since <= message.timestamp <= until:
                continue
            if any(a.startswith(HANDOFF_PREFIX) for a in actions) or about_crisis(message, detector):
                left_out += 1
                continue
            found.append(Unanswered(masker.mask(message.text), kind_of(message, actions[0]), message.timestamp))
        conversations += len(found) > before
    return found, conversations, left_out


# ---- grouping by similarity ----

@dataclass
class Group:
    texts: Counter = field(default_factory=Counter)   # masked text -> how many times
    kinds: Counter = field(default_factory=Counter)
    first: float = float("inf")
    last: float = 0.0
    representative: str = ""  # the most frequent message, of those the most typical of the group

    @property
    def count(self) -> int:
        return sum(self.texts.values())

    @property
    def examples(self) -> List[Tuple[str, int]]:
        others = sorted((t for t in self.texts if t != self.representative), key=lambda t: (-self.texts[t], t))
        return [(t, self.texts[t]) for t in others[:EXAMPLES_SHOWN]]


def normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower()).strip()


def what_it_asks(text: str) -> str:
    """The words that say what a message is about: lower case, no stop words, no [name] marks."""
    from spacy.lang.en.stop_words import STOP_WORDS

    text = re.sub(r"\[(?:email|phone|name)\]", " ", text.lower())
    return " ".join(w for w in WORD.findall(text) if w not in STOP_WORDS) or text


def group(messages: List[Unanswered], background: Iterable[str] = (), threshold: float = SIMILAR) -> List[Group]:
    """Greedy grouping: the most frequent texts first, each joining the group whose centre
    (the sum of its TF-IDF vectors) is most similar, when at least `threshold`, else starting one.
    The word weights (IDF) also count the `background` texts, the example questions: words nearly
    every question here holds ("imago", "therapy") then weigh little."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not messages:
        return []
    counts = Counter(normal(m.text) for m in messages)
    texts = sorted(counts, key=lambda t: (-counts[t], t))
    # Letter groups within words, so typos ("insurence") and word forms still match.
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
    vectorizer.fit([what_it_asks(t) for t in [*texts, *background]])
    vectors = vectorizer.transform([what_it_asks(t) for t in texts]).toarray()
    centres: List[np.ndarray] = []
    members: List[List[str]] = []
    for text, vector in zip(texts, vectors):
        scores = [float(c @ vector) / (np.linalg.norm(c) or 1.0) for c in centres]
        best = int(np.argmax(scores)) if scores else -1
        if best >= 0 and scores[best] >= threshold:
            centres[best] = centres[best] + vector * counts[text]
            members[best].append(text)
        else:
            centres.append(vector * counts[text])
            members.append([text])
    index = {text: i for i, text in enumerate(texts)}
    where = {text: i for i, texts_ in enumerate(members) for text in texts_}
    groups = [Group() for _ in members]
    for m in messages:
        g = groups[where[normal(m.text)]]
        g.texts[m.text] += 1
        g.kinds[m.kind] += 1
        g.first, g.last = min(g.first, m.when), max(g.last, m.when)
    for g, centre, texts_ in zip(groups, centres, members):
        typical = max(texts_, key=lambda t: (counts[t], round(float(vectors[index[t]] @ centre), 9), -len(t)))
        # Shown as written (case kept): the commonest spelling of that message.
        g.representative = min((t for t in g.texts if normal(t) == typical), key=lambda t: (-g.texts[t], t))
    return sorted(groups, key=lambda g: (-g.count, g.representative))


# ---- the report, twice: HTML (everything escaped) and Markdown ----

def day(when: float) -> str:
    return datetime.datetime.fromtimestamp(when, datetime.timezone.utc).date().isoformat()


def kinds_line(kinds: Counter) -> str:
    return ", ".join(f"{k}: {n}" for k, n in sorted(kinds.items(), key=lambda kn: (-kn[1], kn[0])))


def summary(report: Dict[str, Any]) -> List[str]:
    days, n = report["days"], len(report["messages"])
    if not n:
        lines = [f"No unanswered messages in the last {days} days ({report['from']} to {report['to']}, UTC)."]
    else:
        lines = [f"{n} unanswered message{'s' * (n != 1)} from {report['conversations']} conversation"
                 f"{'s' * (report['conversations'] != 1)} in the last {days} days ({report['from']} to "
                 f"{report['to']}, UTC), in {len(report['groups'])} group{'s' * (len(report['groups']) != 1)} "
                 "of similar messages, most frequent first.",
                 "By kind: " + kinds_line(Counter(m.kind for m in report["messages"])) + "."]
    if report["left_out"]:
        lines.append(f"Left out: {report['left_out']} message{'s' * (report['left_out'] != 1)} about a crisis or "
                     "abuse (they get a handoff to people, not an article answer).")
    lines.append("Email addresses, phone numbers and names are masked as [email], [phone], [name]. "
                 "How to use this page: docs/editing-content.md, section 6.")
    return lines


def md(text: str) -> str:
    """Markdown-safe inline text."""
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", str(text))


def write_markdown(report: Dict[str, Any], out: Path) -> None:
    doc = [f"# What visitors asked that the bot couldn't answer (last {report['days']} days)", ""]
    doc += [md(line) + "\n" for line in summary(report)]
    for i, g in enumerate(report["groups"], 1):
        doc += [f"## {i}. {md(g.representative)} — {g.count} time{'s' * (g.count != 1)}", "",
                f"- Kind: {md(kinds_line(g.kinds))}",
                f"- First: {day(g.first)}, last: {day(g.last)}"]
        if g.examples:
            doc += ["- Similar messages:"]
            doc += [f"  - {md(t)}" + (f" ({n} times)" if n > 1 else "") for t, n in g.examples]
        doc.append("")
    out.write_text("\n".join(doc).rstrip("\n") + "\n", encoding="utf-8")


STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ccc;padding:.5rem;text-align:left;vertical-align:top}
.count{font-weight:bold;text-align:right}.message{white-space:pre-wrap}ul{margin:.3rem 0;padding-left:1.2rem}
.muted{color:#555}"""


def write_html(report: Dict[str, Any], out: Path) -> None:
    e = html.escape
    title = f"What visitors asked that the bot couldn't answer (last {report['days']} days)"
    parts = [f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>'
             f"<style>{STYLE}</style></head><body>", f"<h1>{e(title)}</h1>"]
    parts += [f"<p>{e(line)}</p>" for line in summary(report)]
    if report["groups"]:
        parts.append('<table><thead><tr><th>#</th><th>Times</th><th>Message (and similar ones)</th><th>Kind</th>'
                     "<th>First</th><th>Last</th></tr></thead><tbody>")
        for i, g in enumerate(report["groups"], 1):
            examples = "".join(f'<li class="message">{e(t)}'
                               + (f' <span class="muted">({n} times)</span>' if n > 1 else "") + "</li>"
                               for t, n in g.examples)
            parts.append(f'<tr><td>{i}</td><td class="count">{g.count}</td>'
                         f'<td><div class="message"><strong>{e(g.representative)}</strong></div>'
                         + (f"<ul>{examples}</ul>" if examples else "") + "</td>"
                         f"<td>{e(kinds_line(g.kinds))}</td><td>{day(g.first)}</td><td>{day(g.last)}</td></tr>")
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    out.write_text("\n".join(parts) + "\n", encoding="utf-8")


def build(root: Path, endpoints: Path, out_dir: Path, days: int, now: Optional[float] = None) -> Dict[str, Any]:
    """Read the store, write out_dir/unanswered.html and .md; raises StoreError when the store can't be read."""
    from rasa.shared.core.domain import Domain

    from safety.detector import default_detector

    now = datetime.datetime.now(datetime.timezone.utc).timestamp() if now is None else now
    since = now - days * 86400
    store = open_store(endpoints, Domain.load(str(root / "domain.yml")))
    trackers = asyncio.run(read_trackers(store))
    examples = example_questions(root)
    masker = Masker(example_words(examples), place_names(root))
    messages, conversations, left_out = unanswered_in(trackers, since, now, masker, default_detector())
    report = {"days": days, "from": day(since), "to": day(now), "messages": messages,
              "conversations": conversations, "left_out": left_out, "groups": group(messages, examples)}
    out_dir.mkdir(parents=True, exist_ok=True)
    write_html(report, out_dir / "unanswered.html")
    write_markdown(report, out_dir / "unanswered.md")
    return report


def positive_days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        days = 0
    if days < 1:
        raise argparse.ArgumentTypeError(f"days must be a whole number of at least 1, not {value!r}")
    return days


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=positive_days, default=os.environ.get("UNANSWERED_DAYS") or str(DEFAULT_DAYS),
                        help=f"how many days back (default: UNANSWERED_DAYS, else {DEFAULT_DAYS})")
    parser.add_argument("--endpoints", default=str(ROOT / "endpoints.yml"), help="the server's endpoints.yml")
    parser.add_argument("--out", default=str(ROOT / "results"), help="folder for unanswered.html and .md")
    args = parser.parse_args()
    out_dir = Path(args.out)
    try:
        # Rasa's libraries' deprecation notices say nothing to an editor: recorded, not printed.
        with warnings.catch_warnings(record=True):
            report = build(ROOT, Path(args.endpoints), out_dir, args.days)
    except StoreError as error:
        print(f"make unanswered: {error}", file=sys.stderr)
        return 2
    print(f"wrote {out_dir / 'unanswered.html'} and {out_dir / 'unanswered.md'}")
    print(summary(report)[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
