"""The trained model on the held-out visitor questions, never trained on:
tests/nlu/held_out.yml (ours) and tests/nlu/held_out_blind.yml (written blind).

A floor, not the goal: issue 9's targets are topic accuracy >= 90% and at most
15% of "can't answer" questions given a topic answer; `make nlu-report`
prints the figures beside those targets. These floors catch a change that
makes understanding worse than it was when they were set, with a little room
for retraining noise (a retraining moves a figure by one or two questions):
  - held_out.yml, session 4 (2026-12-01): accuracy 89.7%, can't-answer 10.7%;
  - held_out_blind.yml, 2026-12-03: accuracy 88.1%, can't-answer 17.5%
    (30.0% before the subjects of b560cb8, which this floor keeps).
"""
import asyncio
from pathlib import Path

import pytest

from scripts.measure.held_out import HELD_OUT, MODEL, load_held_out, parse_all, score

BLIND = HELD_OUT.parent / "held_out_blind.yml"
# set: (topic accuracy floor, can't-answer ceiling)
FLOORS = {HELD_OUT: (0.86, 0.20), BLIND: (0.83, 0.25)}


@pytest.fixture(scope="module", params=sorted(FLOORS), ids=lambda p: Path(p).name)
def held_out(request):
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train` (make test does it for you)")
    topics, cannot = load_held_out(request.param)
    texts = [q for questions in topics.values() for q in questions] + cannot
    return FLOORS[request.param], score(topics, cannot, asyncio.run(parse_all(MODEL, texts)))


def test_held_out_topic_accuracy_does_not_fall(held_out):
    (floor, _), figures = held_out
    assert figures["accuracy"] >= floor, figures["misses"]


def test_cant_answer_questions_get_topic_answers_no_more_often(held_out):
    (_, ceiling), figures = held_out
    assert figures["cannot_rate"] <= ceiling, figures["cannot_answered"]
