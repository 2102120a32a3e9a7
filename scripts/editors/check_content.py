"""`make check`: the content checks an editor can run in seconds.

Reads article/imago-relationship-therapy.txt (the source article),
data/faq/*.yml (questions, answer, review record, topic card),
data/not_covered/*.yml (questions, reply, topic card), domain.yml,
data/rules/safety.yml, tests/conversations/test_faq.yml and safety/crisis_lines.yml, and
explains every problem in plain English with file and line, e.g.
  data/faq/cost.yml:41: the answer gives $900, which is not in the source article
Exits 1 when anything is wrong. No training, no Rasa import.
Usage: check_content.py [PROJECT_DIR]
"""
import datetime
import re
import sys
from pathlib import Path
from typing import List, Tuple

import yaml

MIN_EXAMPLES = 20
MAX_ANSWER_CHARS = 600
NEAR_DUPLICATE = 0.9  # share of words two examples under different topics may have in common
ADVERTISERS = ["betterhelp", "online-therapy.com", "online therapy.com", "ritual", "ourrelationship",
               "sesh", "mindfulness.com", "per week", "free trial", "money-back"]
RETIRED_NUMBERS = [(re.compile(r"\b811\b"), "811 is not a crisis line (it is the US call-before-you-dig number)"),
                   (re.compile(r"press\s*3", re.I), 'the 988 "press 3" option closed in July 2025'),
                   (re.compile(r"273[- ]?8255|273[- ]?talk", re.I), "1-800-273-8255 is the old Lifeline number; use 988")]
REVIEW_FIELDS = ("source", "reviewer", "date")  # the review record beside each answer
REVIEW_COVERS = ("the source article", "this answer")
NL_REVIEW = "\nreview:"  # the top-level key, not the word in a comment
ARTICLE = Path("article") / "imago-relationship-therapy.txt"  # the source article, inside the project
FIGURE = re.compile(r"\$?\d[\d,]*(?:\.\d+)?(?:\s*[-–]\s*\$?\d[\d,]*)?")


def line_of(text: str, needle: str, default: int = 1) -> int:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else default


def words(example: str) -> frozenset:
    return frozenset(re.findall(r"[a-z0-9']+", example.lower()))


def article_text(root: Path) -> str:
    return (root / ARTICLE).read_text(encoding="utf-8").replace("–", "-")


def normalised(example: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", example.lower()))


def check_card(card, rel: str, raw: str, kind: str, found: List[str], faq_topics: List[str]) -> List[str]:
    """The `topic:` card: a faq topic's button (title, question) and, for both kinds, related topics."""
    at = line_of(raw, "\ntopic:") + 1
    if not isinstance(card, dict):
        return [f"{rel}:{at}: the file has no topic: card (title, question, related; see docs/editing-content.md)"]
    problems = []
    if kind == "faq":
        for field in ("title", "question"):
            if not str(card.get(field) or "").strip():
                problems.append(f"{rel}:{at}: the topic: card has no {field}")
        question = str(card.get("question") or "")
        if question and normalised(question) not in {normalised(f) for f in found}:
            problems.append(f'{rel}:{line_of(raw, "  question:", at)}: the button question "{question}" '
                            f"must also be one of the topic's examples, or the button may not work")
    related = card.get("related") or []
    for topic in related if isinstance(related, list) else [related]:
        if str(topic) not in faq_topics:
            problems.append(f'{rel}:{line_of(raw, "  related:", at)}: related topic "{topic}" is not a '
                            f"file in data/faq/ (write the file name without .yml)")
    then = card.get("then")
    if then is not None and (kind != "not_covered" or str(then) not in faq_topics):
        problems.append(f'{rel}:{line_of(raw, "  then:", at)}: then: "{then}" must be a file in data/faq/ '
                        f"(without .yml), and only a file in data/not_covered/ can have it")
    return problems


def check(root: Path) -> List[str]:
    problems: List[str] = []
    article = article_text(root)
    examples: List[Tuple[str, str, str, int]] = []  # (example, topic, file, line)
    tests = (root / "tests" / "conversations" / "test_faq.yml").read_text(encoding="utf-8")
    faq_topics = sorted(p.stem for p in (root / "data" / "faq").glob("*.yml"))

    for path in sorted([*(root / "data" / "faq").glob("*.yml"), *(root / "data" / "not_covered").glob("*.yml")]):
        rel = path.relative_to(root).as_posix()
        kind = path.parent.name  # faq: an article topic; not_covered: a subject the article doesn't cover
        raw = path.read_text(encoding="utf-8")
        try:
            content = yaml.safe_load(raw) or {}
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            problems.append(f"{rel}:{mark.line + 1 if mark else 1}: this file is not valid YAML ({getattr(e, 'problem', e)})")
            continue
        topic = path.stem
        intent = f"{kind}/{topic}"
        blocks = [b for b in content.get("nlu") or [] if b.get("intent") == intent]
        found = [l.strip()[2:].strip() for b in blocks for l in (b.get("examples") or "").splitlines()
                 if l.strip().startswith("- ")]
        if len(found) < MIN_EXAMPLES:
            problems.append(f"{rel}:{line_of(raw, 'intent: ' + intent)}: the topic has {len(found)} example "
                            f"questions; it needs at least {MIN_EXAMPLES}")
        label = topic if kind == "faq" else intent  # how the duplicate check names it
        examples += [(ex, label, rel, line_of(raw, "- " + ex)) for ex in found]
        answers = (content.get("responses") or {}).get(f"utter_{intent}") or []
        answer_line = line_of(raw, f"utter_{intent}:")
        if not answers:
            problems.append(f"{rel}:{answer_line}: the topic has no answer (utter_{intent} under responses:)")
        problems += check_card(content.get("topic"), rel, raw, kind, found, faq_topics)
        if kind == "not_covered":  # not article content: no review record or source line, but no figures either
            problems += check_answers(answers, rel, raw, answer_line, article, cited=False)
            continue
        problems += check_review(content.get("review"), rel, raw, answer_line)
        problems += check_answers(answers, rel, raw, answer_line, article, cited=True)
        if f"intent: {intent}\n" not in tests + "\n":
            problems.append(f"{rel}:1: no conversation test asks about this topic (add one to tests/conversations/test_faq.yml)")

    # Crisis numbers that must never appear anywhere an editor can write.
    for path in [root / "domain.yml", *sorted((root / "data").rglob("*.yml")), root / "safety" / "crisis_lines.yml"]:
        rel = path.relative_to(root).as_posix()
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.lstrip().startswith("#"):
                continue
            problems += [f"{rel}:{i}: {why}" for pattern, why in RETIRED_NUMBERS if pattern.search(line)]

    # The same or nearly the same example under two topics confuses the model.
    for i, (a, topic_a, file_a, line_a) in enumerate(examples):
        for b, topic_b, file_b, line_b in examples[i + 1:]:
            if topic_a == topic_b:
                continue
            wa, wb = words(a), words(b)
            if wa and wb and len(wa & wb) / len(wa | wb) >= NEAR_DUPLICATE:
                problems.append(f'{file_a}:{line_a}: "{a}" is (nearly) the same as "{b}" under '
                                f"{topic_b} ({file_b}:{line_b}); keep it under one topic")

    problems += check_safety(root)
    return problems


def check_answers(answers, rel: str, raw: str, answer_line: int, article: str, cited: bool) -> List[str]:
    """Length, source line (article answers), figures from the article, no advertising."""
    problems = []
    for answer in answers:
        text = (answer.get("text") or "").replace("–", "-")
        at = line_of(raw, text.splitlines()[0]) if text.strip() else answer_line
        if len(text) > MAX_ANSWER_CHARS:
            problems.append(f"{rel}:{at}: the answer is {len(text)} characters; keep it under about {MAX_ANSWER_CHARS}")
        if cited and "Source:" not in text:
            problems.append(f'{rel}:{at}: the answer does not cite its source (end it with a "Source:" line)')
        body = text.split("Source:")[0]  # reference numbers in the citation are not figures
        for figure in FIGURE.findall(body):
            figure = figure.strip().rstrip(",.")
            if figure not in article:
                problems.append(f"{rel}:{line_of(raw, figure, at)}: the answer gives {figure}, which is not in the source article")
        lowered = text.lower()
        for name in ADVERTISERS:
            if re.search(rf"\b{re.escape(name)}\b", lowered):
                problems.append(f'{rel}:{at}: the answer mentions "{name}": no paid service or advertising')
    return problems


def check_review(review, rel: str, raw: str, answer_line: int) -> List[str]:
    """The review record: who last reviewed the answer (or its source), when, from what."""
    if review is None:
        return [f"{rel}:{answer_line}: the answer has no review record (add review: with "
                f"{', '.join(REVIEW_FIELDS)} after the answer; see docs/editing-content.md)"]
    if not isinstance(review, dict):
        return [f"{rel}:{line_of(raw, NL_REVIEW) + 1}: review: must hold {', '.join(REVIEW_FIELDS)}, each on its own line"]
    at = line_of(raw, NL_REVIEW) + 1  # the line after the newline
    problems = [f"{rel}:{at}: the review record has no {field} (review: needs {', '.join(REVIEW_FIELDS)})"
                for field in REVIEW_FIELDS if not str(review.get(field) or "").strip()]
    if review.get("date"):
        date_line = line_of(raw, "  date:", at)
        reviewed = review_date(review["date"])
        if reviewed is None:
            problems.append(f'{rel}:{date_line}: the review date "{review["date"]}" is not a date; write it as YYYY-MM-DD')
        elif reviewed > datetime.date.today():
            problems.append(f"{rel}:{date_line}: the review date {reviewed} is in the future")
    if review.get("covers") is not None and review.get("covers") not in REVIEW_COVERS:
        problems.append(f"{rel}:{line_of(raw, '  covers:', at)}: covers: must be "
                        + " or ".join(f'"{c}"' for c in REVIEW_COVERS))
    return problems


def review_date(value) -> "datetime.date | None":
    """The date of a review record, written "2023-01-25" (quoted or not); None if it is not one."""
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def check_safety(root: Path) -> List[str]:
    """The handoff and the per-turn crisis line are not for content edits."""
    problems = []
    domain_raw = (root / "domain.yml").read_text(encoding="utf-8")
    responses = (yaml.safe_load(domain_raw) or {}).get("responses") or {}
    for kind in ("crisis", "abuse"):
        name = f"utter_handoff_{kind}"
        variants = responses.get(name) or []
        if not variants or any(((v.get("custom") or {}).get("handoff") or {}).get("type") != kind for v in variants):
            problems.append(f"domain.yml:{line_of(domain_raw, name + ':')}: {name} must exist and every variant "
                            f"must keep custom: handoff: type: {kind} (the handoff payload)")
    rules_raw = (root / "data" / "rules" / "safety.yml").read_text(encoding="utf-8")
    # The unconditional rule: this intent, then this handoff, first thing.
    starts = [[(s.get("intent"), s.get("action")) for s in r.get("steps", [])][:2]
              for r in (yaml.safe_load(rules_raw) or {}).get("rules") or [] if not r.get("condition")]
    for kind in ("crisis", "abuse"):
        if [(kind, None), (None, f"utter_handoff_{kind}")] not in starts:
            problems.append(f"data/rules/safety.yml:1: the rule that answers {kind} with utter_handoff_{kind} is missing")
    lines_raw = (root / "safety" / "crisis_lines.yml").read_text(encoding="utf-8")
    us_line = ((yaml.safe_load(lines_raw) or {}).get("US") or {}).get("every_turn", "")
    if "988" not in us_line or "911" not in us_line:
        problems.append(f"safety/crisis_lines.yml:{line_of(lines_raw, 'every_turn')}: the US crisis line shown "
                        f"every turn must give 988 and 911")
    return problems


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2]).resolve()
    problems = check(root)
    for problem in problems:
        print(problem)
    print(f"content check: {len(problems)} problem(s)" if problems else "content check: all good")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
