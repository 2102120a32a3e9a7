"""The held-out visitor questions (tests/nlu/held_out.yml, and the blind set
tests/nlu/held_out_blind.yml) are well formed and were never trained on.

A held-out sentence that is also a training example would make the held-out
score (scripts/measure/held_out.py) measure memory, not understanding. Sentences are
compared after stripping entity annotations ("[Ohio](location)" -> "Ohio"),
lower-casing and dropping punctuation and spaces, so "Imago vs. Gottman?",
"imago vs gottman" and "imago-vs-gottman" all count as the same sentence.
No server or model is needed.
"""
import re
from pathlib import Path

import pytest
import yaml

from tooling.eval_sets import training_examples

ROOT = Path(__file__).resolve().parents[2]
FAQ_DIR = ROOT / "data" / "faq"

# Each set, with the fewest questions it must keep per topic and "can't answer".
SETS = {
    "held_out.yml": (10, 40),  # issue 9's minimum
    "held_out_blind.yml": (3, 40),  # written blind (see its header): smaller per topic
}

# [text](entity), [text](entity:value), [text]{"entity": ...}
ENTITY = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")
# Handoff subjects are tested elsewhere (tests/e2e/safety, tests/conversations/test_safety.yml).
OFF_LIMITS = re.compile(
    r"suicid|self[ -]?harm|\bkill|\bdie\b|\bdying\b|end (?:my|it all)|abus|\bhits? me\b|\bhurt(?:s|ing)? (?:me|myself)\b"
)


def key(text: str) -> str:
    text = ENTITY.sub(r"\1", text).lower()
    return re.sub(r"[^a-z0-9]+", "", text)


@pytest.fixture(scope="module", params=sorted(SETS))
def held_out_set(request):
    return request.param


@pytest.fixture(scope="module")
def held_out(held_out_set):
    return yaml.safe_load((ROOT / "tests" / "nlu" / held_out_set).read_text(encoding="utf-8"))


def all_sentences(held_out):
    for topic, questions in held_out["topics"].items():
        for q in questions:
            yield topic, q
    for q in held_out["cannot_answer"]:
        yield "cannot_answer", q


def test_layout(held_out):
    assert set(held_out) == {"topics", "cannot_answer"}
    for where, q in all_sentences(held_out):
        assert isinstance(q, str) and q.strip(), f"{where}: empty or not text: {q!r}"


def test_topics_are_the_faq_files(held_out):
    faq_topics = {p.stem for p in FAQ_DIR.glob("*.yml")}
    topics = set(held_out["topics"])
    assert not topics - faq_topics, f"no data/faq/<topic>.yml for: {sorted(topics - faq_topics)}"
    assert not faq_topics - topics, f"no held-out questions for: {sorted(faq_topics - topics)}"


def test_enough_questions(held_out, held_out_set):
    per_topic, cannot_answer = SETS[held_out_set]
    short = {t: len(qs or []) for t, qs in held_out["topics"].items() if len(qs or []) < per_topic}
    assert not short, f"topics with fewer than {per_topic} questions: {short}"
    assert len(held_out["cannot_answer"]) >= cannot_answer


def test_no_sentence_twice(held_out):
    seen, twice = {}, []
    for where, q in all_sentences(held_out):
        k = key(q)
        if k in seen:
            twice.append(f"{q!r} ({where}) repeats {seen[k][1]!r} ({seen[k][0]})")
        seen.setdefault(k, (where, q))
    assert not twice, "\n".join(twice)


def test_no_handoff_subjects(held_out):
    bad = [f"{where}: {q!r}" for where, q in all_sentences(held_out) if OFF_LIMITS.search(q.lower())]
    assert not bad, "suicide, self-harm and abuse are tested elsewhere:\n" + "\n".join(bad)


def test_none_is_a_training_example(held_out):
    examples = training_examples()
    assert len(examples) > 500, "training examples were not read"
    trained = {key(ex): ex for ex in examples}
    copies = [
        f"{where}: {q!r} is trained as {trained[key(q)]!r}"
        for where, q in all_sentences(held_out)
        if key(q) in trained
    ]
    assert not copies, "\n".join(copies)


def test_key_strips_annotations_and_punctuation():
    assert key('I live in [Ohio](location)') == key("i live in ohio")
    assert key('[Ohio]{"entity": "location"}, please!') == key("ohio please")
    assert key("Imago vs. Gottman?") == key("imago  vs gottman")
