"""`make check` catches each kind of content problem, planted in a copy of the data."""
import shutil
from pathlib import Path

import pytest

from scripts.editors.check_content import check

# Runs the project's scripts as programs (a Python start-up each): make test runs it, make test-fast skips it.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path):
    """A copy of what editors touch, the source article included."""
    copy = tmp_path / "main"
    for part in ("article", "data", "tests", "safety"):
        shutil.copytree(ROOT / part, copy / part, ignore=shutil.ignore_patterns("*.py", "__pycache__", "fixtures"))
    shutil.copy(ROOT / "domain.yml", copy / "domain.yml")
    return copy


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_real_content_passes():
    assert check(ROOT) == []


def test_a_figure_not_in_the_article(project):
    edit(project / "data/faq/cost.yml", "$700", "$900")
    assert any(p.startswith("data/faq/cost.yml:") and "gives $900, which is not in the source article" in p
               for p in check(project))


def test_an_answer_without_its_source(project):
    edit(project / "data/faq/cost.yml", "Source:", "From:")
    assert any("cost.yml" in p and "does not cite its source" in p for p in check(project))


def test_an_answer_too_long(project):
    edit(project / "data/faq/duration.yml", "Source:", "Imago is about couples. " * 20 + "Source:")
    assert any("duration.yml" in p and "characters; keep it under" in p for p in check(project))


def test_too_few_examples(project):
    path = project / "data/faq/formats.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    end = next(i for i, l in enumerate(lines) if l.startswith("responses:"))
    examples = [i for i, l in enumerate(lines[:end]) if l.strip().startswith("- ") and "intent" not in l]
    for i in reversed(examples[10:]):  # keep 10 examples
        del lines[i]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert any("formats.yml" in p and "it needs at least 20" in p for p in check(project))


@pytest.mark.parametrize("planted, why", [
    ("Try BetterHelp for $60 per week.", "no paid service or advertising"),
    ("Or call 811.", "811 is not a crisis line"),
    ("Call 988 and press 3.", '"press 3" option closed'),
])
def test_advertising_and_wrong_crisis_numbers(project, planted, why):
    edit(project / "data/faq/what_is_imago.yml", "Source:", planted + "\n\n      Source:")
    assert any("what_is_imago.yml" in p and why in p for p in check(project))


def test_the_same_example_under_two_topics(project):
    edit(project / "data/faq/cost.yml", "examples: |\n", "examples: |\n    - how many sessions does imago therapy take\n")
    assert any("(nearly) the same as" in p and "duration" in p for p in check(project))


def test_a_topic_without_a_conversation_test(project):
    path = project / "tests/conversations/test_faq.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("intent: faq/limitations", "intent: faq/effectiveness"),
                    encoding="utf-8")
    assert any("limitations.yml" in p and "no conversation test" in p for p in check(project))


def test_the_handoff_payload_removed(project):
    edit(project / "domain.yml", "      handoff:\n        type: abuse\n", "      note: abuse\n")
    assert any(p.startswith("domain.yml:") and "utter_handoff_abuse" in p for p in check(project))


def test_the_handoff_rule_removed(project):
    edit(project / "data/rules/safety.yml", "  - action: utter_handoff_crisis\n  - action: utter_after_handoff\n",
         "  - action: utter_after_handoff\n")
    assert any("crisis with utter_handoff_crisis is missing" in p for p in check(project))


def test_the_every_turn_line_without_911(project):
    edit(project / "safety/crisis_lines.yml", "In an emergency, call 911.", "Take care.")
    assert any("crisis_lines.yml" in p and "988 and 911" in p for p in check(project))


def test_broken_yaml_is_reported_with_its_line(project):
    edit(project / "data/faq/cost.yml", "responses:", "responses: [")
    assert any(p.startswith("data/faq/cost.yml:") and "not valid YAML" in p for p in check(project))


def test_an_answer_without_its_review_record(project):
    path = project / "data/faq/cost.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:text.index("\nreview:")] + "\n", encoding="utf-8")
    assert any(p.startswith("data/faq/cost.yml:") and "has no review record" in p for p in check(project))


@pytest.mark.parametrize("old, new, why", [
    ("  reviewer: Heidi Moawad, MD\n", "", "the review record has no reviewer"),
    ('  date: "2023-01-25"', '  date: "25/01/2023"', "is not a date; write it as YYYY-MM-DD"),
    ('  date: "2023-01-25"', '  date: "2999-01-01"', "is in the future"),
    ("  covers: the source article", "  covers: everything", 'covers: must be "the source article" or "this answer"'),
])
def test_a_broken_review_record(project, old, new, why):
    edit(project / "data/faq/duration.yml", old, new)
    assert any(p.startswith("data/faq/duration.yml:") and why in p for p in check(project))


def test_a_topic_without_its_card(project):
    path = project / "data/faq/cost.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:text.index("\ntopic:")] + "\n", encoding="utf-8")
    assert any(p.startswith("data/faq/cost.yml:") and "has no topic: card" in p for p in check(project))


def test_a_button_question_that_is_not_an_example(project):
    edit(project / "data/faq/cost.yml", 'question: "How much does Imago therapy cost?"',
         'question: "What would the whole thing set us back?"')
    assert any(p.startswith("data/faq/cost.yml:") and "must also be one of the topic's examples" in p
               for p in check(project))


def test_a_related_topic_that_does_not_exist(project):
    edit(project / "data/faq/cost.yml", "related: [formats,", "related: [prices,")
    assert any(p.startswith("data/faq/cost.yml:") and 'related topic "prices" is not a file in data/faq/' in p
               for p in check(project))


@pytest.mark.parametrize("path,old,new", [
    ("data/not_covered/insurance.yml", "then: cost", "then: prices"),  # no such topic
    ("data/faq/cost.yml", "  related:", "  then: duration\n  related:"),  # only a not-covered reply has one
])
def test_a_then_topic_that_cannot_follow(project, path, old, new):
    edit(project / path, old, new)
    assert any(p.startswith(f"{path}:") and "then:" in p for p in check(project))


def test_a_not_covered_reply_with_a_figure_not_in_the_article(project):
    edit(project / "data/not_covered/insurance.yml", "The article doesn't cover insurance",
         "Most plans pay $900 of it. The article doesn't cover insurance")
    assert any(p.startswith("data/not_covered/insurance.yml:") and "gives $900" in p for p in check(project))


def test_the_same_example_as_a_topic_and_as_a_subject_the_article_doesnt_cover(project):
    edit(project / "data/not_covered/insurance.yml", "examples: |\n",
         "examples: |\n    - how much does imago therapy cost\n")
    assert any('"how much does imago therapy cost" is (nearly) the same' in p for p in check(project))
