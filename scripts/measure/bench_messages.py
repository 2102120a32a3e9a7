"""The messages `make bench` sends: every one unique in a run, none a crisis phrasing.

Hidden FAQ questions (tests/nlu/held_out.yml, never trained on) mixed with
off-topic ones (CLINC150's out-of-scope test texts, eval/: evaluation only):
one message in OFF_TOPIC_EVERY is off-topic. Once every plain text has been
used, each comes back with a short opener or closer of ours ("hi, ...",
"... thanks"), so a run never sends a text twice and the model, not a cache,
is what gets measured. The order is shuffled with a fixed seed: every run
sends the same messages, and both bots get the same list.
"""
import json
import random
from itertools import product
from typing import Callable, Iterator, List, Sequence

from scripts.measure.held_out import load_held_out
from tooling.eval_sets import EVAL_DIR

OFF_TOPIC_EVERY = 4
# Ours: how visitors start and end a message. None adds a question of its own
# or a question mark, so a message is still one question to understanding/split.py.
OPENERS = ("", "hi, ", "quick question: ", "hello, ", "ok so ", "one more thing, ", "hey, ", "sorry, ")
CLOSERS = ("", " thanks", " thank you", " :)", " cheers", " thx")
SEED = 12


def faq_questions() -> List[str]:
    """Every held-out question: the article's topics and those it can't answer."""
    topics, cannot_answer = load_held_out()
    return [q for questions in topics.values() for q in questions] + list(cannot_answer)


def off_topic_texts() -> List[str]:
    clinc = json.loads((EVAL_DIR / "clinc150_data_full.json").read_text(encoding="utf-8"))
    return [text for text, _intent in clinc["oos_test"]]


def variants(texts: Sequence[str], seed: int) -> Iterator[str]:
    """Each text plain first (shuffled), then with each opener and closer in turn."""
    order = list(texts)
    random.Random(seed).shuffle(order)
    for opener, closer in product(OPENERS, CLOSERS):
        for text in order:
            yield f"{opener}{text}{closer}"


def messages(count: int, faq: Sequence[str], off_topic: Sequence[str],
             keep: Callable[[str], bool] = lambda text: True, seed: int = SEED) -> List[str]:
    """`count` unique messages, every OFF_TOPIC_EVERY-th off-topic; `keep` drops any it refuses
    (the benchmark passes "not a crisis phrasing": those take the handoff path, not the model)."""
    sources = {True: variants(off_topic, seed), False: variants(faq, seed + 1)}
    seen = set()
    chosen: List[str] = []
    while len(chosen) < count:
        source = sources[len(chosen) % OFF_TOPIC_EVERY == OFF_TOPIC_EVERY - 1]
        for text in source:
            key = " ".join(text.lower().split())
            if key not in seen and keep(text):
                seen.add(key)
                chosen.append(text)
                break
        else:
            raise ValueError(f"only {len(chosen)} unique messages can be made; {count} were asked for")
    return chosen
