"""docs/editing-content.md: each worked example, applied to a copy of the project, passes the
checks the guide tells editors to run; each mistake it shows is reported in the words it shows.

The edits are taken from the guide's own code blocks, so the guide and this test cannot drift apart.
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scripts.editors.check_content import ARTICLE, check

# Runs the project's scripts as programs (a Python start-up each): make test runs it, make test-fast skips it.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
GUIDE = (ROOT / "docs" / "editing-content.md").read_text(encoding="utf-8")


def block(containing: str, starting: bool = False) -> str:
    """The guide's fenced code block holding (or starting with) this text."""
    found = [b for b in re.findall(r"```[a-z]*\n(.*?)```", GUIDE, re.S)
             if (b.startswith(containing) if starting else containing in b)]
    assert len(found) == 1, f"the guide should have one code block with {containing!r}, has {len(found)}"
    return found[0]


def line(containing: str) -> str:
    """The one line of a short code block (a line to type)."""
    return block(containing).rstrip("\n")


@pytest.fixture
def project(tmp_path):
    """A copy of the project as an editor has it, the source article included."""
    copy = tmp_path / "main"
    for part in ("article", "data", "tests", "content", "safety", "scripts"):
        shutil.copytree(ROOT / part, copy / part, ignore=shutil.ignore_patterns("__pycache__", "fixtures"))
    for name in ("domain.yml", "config.yml"):
        shutil.copy(ROOT / name, copy / name)
    (copy / ".venv").symlink_to(ROOT / ".venv")
    (copy / ".spacy").symlink_to(ROOT / ".spacy")
    return copy


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should be in {path} once"
    path.write_text(text.replace(old, new), encoding="utf-8")


def add_examples(path: Path, lines: str) -> None:
    replace(path, "  examples: |\n", "  examples: |\n" + lines)


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + text, encoding="utf-8")


def validate(project: Path) -> subprocess.CompletedProcess:
    """`make check`'s first step, Rasa's validation, run in the copy."""
    return subprocess.run([sys.executable, str(project / "scripts" / "editors" / "validate.py")], cwd=project,
                          capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(project)})


def assert_passes(project: Path) -> None:
    assert check(project) == []
    run = validate(project)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "rasa data validate: no warnings" in run.stdout


def shown_problem(containing: str) -> str:
    """A problem as the guide quotes it, without the line number (which moves as files change)."""
    return re.sub(r"^\S+?:\d+: ", "", line(containing))


def test_1_change_an_answer(project):
    path = project / "data/faq/duration.yml"
    replace(path, line("the gains appeared to wane over time.") + "\n",
            line('the gains were not "clinically significant"') + "\n")
    assert_passes(project)


def test_1_the_mistake_shown_is_reported(project):
    path = project / "data/faq/duration.yml"
    replace(path, "      In that 2017 study", "      Most couples need 36 sessions.\n      In that 2017 study")
    problems = check(project)
    assert any(p.startswith("data/faq/duration.yml:") and p.endswith(shown_problem("gives 36"))
               for p in problems), problems


def test_1_the_review_record_shown_is_the_real_one():
    shown = yaml.safe_load(block('section "Cost of Imago Therapy"'))
    real = yaml.safe_load((ROOT / "data/faq/cost.yml").read_text(encoding="utf-8"))["review"]
    assert shown["review"] == real


def test_1b_a_figure_the_changed_article_lacks_is_reported(project):
    replace(project / ARTICLE, "$700", "$750")  # the article changes, as in the guide's example
    problems = check(project)
    assert any(p.startswith("data/faq/cost.yml:") and p.endswith(shown_problem("the answer gives $700"))
               for p in problems), problems


def test_2_add_example_questions(project):
    add_examples(project / "data/faq/cost.yml", block("what would a couple of imago sessions cost in dollars"))
    assert_passes(project)


def test_2_the_mistake_shown_is_reported(project):
    add_examples(project / "data/faq/cost.yml", "    - how many sessions does imago therapy take\n")
    wanted = without_lines(line('"how many sessions does imago therapy take" is (nearly)'))
    problems = [without_lines(p) for p in check(project)]
    assert wanted in problems, problems


NEW_TOPIC = "# Topic: Homework between Imago sessions"
MOVED = "    - will we have homework in imago\n    - imago homework examples\n"


def add_new_topic(project: Path) -> None:
    """Steps a and b: the topic file, and the questions moved out of what_to_expect."""
    (project / "data/faq/homework.yml").write_text(block(NEW_TOPIC), encoding="utf-8")
    for moved in block(MOVED, starting=True).splitlines(keepends=True):
        replace(project / "data/faq/what_to_expect.yml", moved, "")


def without_lines(text: str) -> str:  # line numbers move as files change; the words do not
    return re.sub(r"(data/\S+?):\d+", r"\1", text)


def test_3_add_a_new_topic_end_to_end(project, tmp_path):
    add_new_topic(project)
    append(project / "tests/conversations/test_faq.yml", block("story: faq homework 1"))
    assert_passes(project)
    # The moved questions are the first six of the new topic, as the guide says.
    assert block(NEW_TOPIC).split("examples: |\n")[1].startswith(block(MOVED, starting=True))
    # `make review` lists it.
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "editors" / "review.py"), str(project), "--out", str(tmp_path / "review")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert '<section id="topic-homework">' in (tmp_path / "review" / "catalogue.html").read_text(encoding="utf-8")


def test_3_a_question_left_under_the_old_topic_is_reported(project):
    (project / "data/faq/homework.yml").write_text(block(NEW_TOPIC), encoding="utf-8")
    append(project / "tests/conversations/test_faq.yml", block("story: faq homework 1"))
    problems = [without_lines(p) for p in check(project)]
    assert without_lines(line('"imago homework examples" is (nearly) the same')) in problems, problems


def test_3_the_mistakes_shown_are_reported(project):
    add_new_topic(project)
    topic = (project / "data/faq/homework.yml").read_text(encoding="utf-8")
    (project / "data/faq/homework.yml").write_text(topic[:topic.index("\nreview:")] + "\n", encoding="utf-8")
    problems = check(project)
    for shown in ("no conversation test asks about this topic", "the answer has no review record"):
        wanted = shown_problem(shown)
        assert any(p.startswith("data/faq/homework.yml:") and p.endswith(wanted) for p in problems), problems


def test_3_the_new_topic_answer_is_faithful_to_the_article():
    # A worked example must follow the content rules too: every phrase of its list is in the article.
    article = (ROOT / ARTICLE).read_text(encoding="utf-8")
    for phrase in ("homework between sessions", "surprise each other", "plan a fun activity together",
                   "closeness, trust, respect, and intimacy"):
        assert phrase in article


def test_4_edit_a_rule(project):
    rule = block("rule: asking what the assistant can do")
    replace(project / "data/rules/find_therapist.yml", rule, "")  # the guide's example is in the project:
    append(project / "data/rules/find_therapist.yml", "\n" + rule)  # take it out, then add it as shown
    append(project / "tests/conversations/test_find_therapist.yml", "\n" + block("story: asking for help inside the form"))
    assert_passes(project)
    rules = yaml.safe_load((project / "data/rules/find_therapist.yml").read_text(encoding="utf-8"))["rules"]
    assert rules[-1]["rule"].startswith("asking what the assistant can do")


def test_4_the_mistake_shown_is_reported(project):
    rule = block("rule: asking what the assistant can do").replace("action: utter_help", "action: utter_hlep")
    append(project / "data/rules/find_therapist.yml", "\n" + rule)
    run = validate(project)
    assert run.returncode != 0
    for wanted in line("validation warning: The action 'utter_hlep'").splitlines():
        assert wanted in run.stderr, run.stderr


def test_6_a_reply_in_another_language(project):
    from safety.handoff import most_specific

    english = '  - text: "I\'m an automated assistant that answers questions about Imago therapy in English only.'
    replace(project / "domain.yml", english, block("value: pt") + english)
    assert_passes(project)
    responses = yaml.safe_load((project / "domain.yml").read_text(encoding="utf-8"))["responses"]
    picked = lambda code: most_specific(responses, "utter_other_language", None, {"language": code})  # noqa: E731
    assert picked("pt")[0]["text"].startswith("Sou um assistente")
    assert picked("de")[0]["text"].startswith("I'm an automated assistant")
    assert picked("es")[0]["text"].startswith("Soy un asistente")


def test_editing_a_review_record_or_an_answer_needs_no_retraining(project):
    """What the guide promises: `make train` trains on .build/data (scripts/build/build_training_data.py), in which
    every answer is one fixed sentence and `review:` is left out, so neither edit changes what Rasa trains on."""
    code = ("import subprocess, sys, warnings; warnings.filterwarnings('ignore');"
            "subprocess.run([sys.executable, 'scripts/build/build_training_data.py', 'data', '.build/data'], check=True,"
            " stdout=subprocess.DEVNULL);"
            "from rasa.shared.importers.importer import TrainingDataImporter as T;"
            "i = T.load_from_config('config.yml', 'domain.yml', ['.build/data']);"
            "print(i.get_nlu_data().fingerprint(), i.get_domain().fingerprint())")

    def fingerprints():
        run = subprocess.run([str(ROOT / ".venv/bin/python"), "-c", code], cwd=project, capture_output=True,
                             text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(project), "PYTHONHASHSEED": "0"})
        assert run.returncode == 0, run.stderr  # the seed make train uses: the domain's fingerprint follows it
        return run.stdout.split()[-2:]

    before = fingerprints()
    replace(project / "data/faq/cost.yml", '  date: "2023-01-25"', '  date: "2026-01-02"')
    replace(project / "data/faq/cost.yml", "  reviewer: Heidi Moawad, MD", "  reviewer: A. Clinician, PhD")
    assert fingerprints() == before
    replace(project / "data/faq/cost.yml", "The cost varies", "The price varies")
    assert fingerprints() == before
    # ... while an example question does change it (so the guide's "an example edit retrains" holds too).
    add_examples(project / "data/faq/cost.yml", block("what would a couple of imago sessions cost in dollars"))
    assert fingerprints()[0] != before[0]


def test_the_guide_names_only_real_commands():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for command in sorted(set(re.findall(r"`make ([a-z-]+)", GUIDE))):
        assert re.search(rf"^{re.escape(command)}:", makefile, re.M), f"make {command} is not in the Makefile"


def test_4b_add_a_story(project):
    story = block("story: nothing to ask after all")
    path = project / "data/stories/after_the_bot_asks.yml"
    replace(path, "\n" + story, "")  # the guide's example is in the project already: take it out ...
    append(path, "\n" + story)        # ... and add it as the guide says
    assert block("story: changing their mind about asking something else") in \
        (ROOT / "tests/conversations/test_stories.yml").read_text(encoding="utf-8")
    assert_passes(project)
