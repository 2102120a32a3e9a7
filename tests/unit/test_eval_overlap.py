"""No training example is taken from the outside evaluation sets.

Exact copies (after lower-casing and dropping punctuation) and close
paraphrases (at least 80% of words shared, for sentences of 5+ words)
both fail: either would make the figures measured on those sets meaningless.
"""
from collections import defaultdict

import pytest

from tooling.eval_sets import EVAL_DIR, eval_texts, normalise, training_examples

SIMILAR = 0.8


def jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b)


@pytest.fixture(scope="module")
def eval_index():
    if not EVAL_DIR.exists():
        pytest.fail(f"{EVAL_DIR} is missing: the overlap check needs the outside sets")
    exact, by_word, docs = {}, defaultdict(set), []
    for name, texts in eval_texts().items():
        for text in texts:
            norm = normalise(text)
            exact.setdefault(norm, (name, text))
            doc_id = len(docs)
            docs.append((frozenset(norm.split()), name, text))
            for word in docs[-1][0]:
                by_word[word].add(doc_id)
    return exact, by_word, docs


def test_training_data_was_read():
    assert len(training_examples()) > 500


def test_no_training_example_is_copied_from_the_eval_sets(eval_index):
    exact, _, _ = eval_index
    copies = [(ex, exact[normalise(ex)]) for ex in training_examples() if normalise(ex) in exact]
    assert not copies, "\n".join(f"{ex!r} is in {where[0]}: {where[1]!r}" for ex, where in copies)


def test_no_training_example_closely_paraphrases_the_eval_sets(eval_index):
    _, by_word, docs = eval_index
    close = []
    for ex in training_examples():
        words = frozenset(normalise(ex).split())
        if len(words) < 5:
            continue
        # A near copy shares at least one of the example's three rarest words.
        rarest = sorted(words, key=lambda w: len(by_word.get(w, ())))[:3]
        candidates = set().union(*(by_word.get(w, set()) for w in rarest))
        for doc_id in candidates:
            doc_words, name, text = docs[doc_id]
            if jaccard(words, doc_words) >= SIMILAR:
                close.append(f"{ex!r} ~ {name}: {text!r}")
    assert not close, "\n".join(close)
