"""Answer edits need no retraining: the model is trained on a placeholder for every article answer
(scripts/build/build_training_data.py) and the server's response generator puts the answers from
data/faq/ back when a model is loaded (content/answers.py, replies/nlg.py)."""
import asyncio
import logging
import shutil
from pathlib import Path

import pytest
import yaml
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.importers.importer import TrainingDataImporter

from content.answers import PLACEHOLDER, read_answers
from replies.nlg import AssistantNLG
from scripts.build.build_training_data import BuildError, build

# Runs the project's scripts as programs (a Python start-up each): make test runs it, make test-fast skips it.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

TOPICS = sorted(p.stem for p in (ROOT / "data" / "faq").glob("*.yml"))
SUBJECTS = sorted(p.stem for p in (ROOT / "data" / "not_covered").glob("*.yml"))


def load(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def answer_of(topic: str, faq_dir: Path = ROOT / "data" / "faq", kind: str = "faq"):
    return load(faq_dir / f"{topic}.yml")["responses"][f"utter_{kind}/{topic}"]


def test_the_placeholder_is_safe_to_show():
    assert "{" not in PLACEHOLDER and "}" not in PLACEHOLDER  # Rasa would try to fill it as a template
    assert len(PLACEHOLDER) < 120 and PLACEHOLDER.endswith(".")


def test_built_training_data_has_the_placeholder_for_every_answer_and_the_rest_unchanged(tmp_path):
    out = tmp_path / "out"
    build(ROOT / "data", out)
    assert TOPICS
    for topic in TOPICS:
        source, built = load(ROOT / "data/faq" / f"{topic}.yml"), load(out / "faq" / f"{topic}.yml")
        assert built["responses"] == {f"utter_faq/{topic}": [{"text": PLACEHOLDER}]}
        assert built["nlu"] == source["nlu"] and built["version"] == source["version"]
        assert "review" not in built and "topic" not in built  # Rasa ignores them anyway
    assert SUBJECTS
    for subject in SUBJECTS:
        built = load(out / "not_covered" / f"{subject}.yml")
        assert built["responses"] == {f"utter_not_covered/{subject}": [{"text": PLACEHOLDER}]}
        assert built["nlu"] == load(ROOT / "data/not_covered" / f"{subject}.yml")["nlu"]
    sources = sorted(p.relative_to(ROOT / "data") for p in (ROOT / "data").rglob("*.yml"))
    assert sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file()) == sources
    for rel in sources:  # files without answers are copied byte for byte
        if rel.parts[0] not in ("faq", "not_covered"):
            assert (out / rel).read_bytes() == (ROOT / "data" / rel).read_bytes()


@pytest.fixture
def data_copy(tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(ROOT / "data", copy)
    return copy


def snapshot(out: Path):
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(out.rglob("*")) if p.is_file()}


def test_an_answer_edit_leaves_the_training_data_untouched(data_copy, tmp_path):
    out = tmp_path / "out"
    build(data_copy, out)
    before = snapshot(out)
    cost = data_copy / "faq/cost.yml"
    text = cost.read_text(encoding="utf-8")
    assert text.count("The cost varies") == 1
    cost.write_text(text.replace("The cost varies", "The price varies")
                    .replace('  date: "2023-01-25"', '  date: "2026-01-02"'), encoding="utf-8")
    counts = build(data_copy, out)
    assert counts["written"] == 0 and counts["removed"] == 0
    assert snapshot(out) == before  # same bytes, same modification times


def test_an_example_edit_changes_the_training_data(data_copy, tmp_path):
    out = tmp_path / "out"
    build(data_copy, out)
    cost = data_copy / "faq/cost.yml"
    cost.write_text(cost.read_text(encoding="utf-8").replace("  examples: |\n", "  examples: |\n    - is imago covered by insurance\n"),
                    encoding="utf-8")
    assert build(data_copy, out)["written"] == 1
    assert "- is imago covered by insurance" in (out / "faq/cost.yml").read_text(encoding="utf-8")


def test_a_deleted_topic_leaves_the_training_data(data_copy, tmp_path):
    out = tmp_path / "out"
    build(data_copy, out)
    (data_copy / "faq/cost.yml").unlink()
    assert build(data_copy, out)["removed"] == 1
    assert not (out / "faq/cost.yml").exists()


def test_broken_yaml_is_reported_with_its_file(data_copy, tmp_path):
    (data_copy / "faq/cost.yml").write_text("responses: [\n", encoding="utf-8")
    with pytest.raises(BuildError, match="data/faq/cost.yml: not valid YAML"):
        build(data_copy, tmp_path / "out")


# ---- the server side: replies/nlg.py gets the model's (placeholder) responses on every model load ----

def placeholder_responses(tmp_path):
    """The responses a model trained on the built data holds, via Rasa's own importer."""
    out = tmp_path / "out"
    build(ROOT / "data", out)
    importer = TrainingDataImporter.load_from_config(str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(out)])
    responses = importer.get_domain().responses
    assert {n for n in responses if n.startswith("utter_faq/")} == {f"utter_faq/{t}" for t in TOPICS}
    return responses


def tracker():
    return DialogueStateTracker.from_events("t", [UserUttered("(message)", parse_data={"intent": {"name": "faq"}})])


def say(nlg: AssistantNLG, action: str):
    return asyncio.run(nlg.generate(action, tracker(), "rest"))


def test_the_answer_comes_from_the_data_file_after_a_model_load(tmp_path):
    responses = placeholder_responses(tmp_path)
    nlg = AssistantNLG()
    nlg.responses = responses  # what rasa/core/agent.py (Agent.load_model) does on every model load
    for topic in TOPICS:
        assert say(nlg, f"utter_faq/{topic}")["text"] == answer_of(topic)[0]["text"]
    assert say(nlg, "utter_greet")["text"] == responses["utter_greet"][0]["text"]  # the rest as the model has it
    not_covered = {f"utter_not_covered/{s}": answer_of(s, ROOT / "data" / "not_covered", "not_covered")
                   for s in SUBJECTS}
    assert read_answers() == {**{f"utter_faq/{t}": answer_of(t) for t in TOPICS}, **not_covered}


def test_answers_are_read_at_model_load_not_per_message(tmp_path, monkeypatch):
    nlg = AssistantNLG()
    nlg.responses = placeholder_responses(tmp_path)
    monkeypatch.setattr("content.answers.FAQ_DIR", tmp_path / "nowhere")  # reading now would find nothing
    assert say(nlg, "utter_faq/cost")["text"] == answer_of("cost")[0]["text"]


def test_a_missing_topic_file_sends_the_placeholder_and_warns(tmp_path, monkeypatch, caplog):
    faq = tmp_path / "faq"
    shutil.copytree(ROOT / "data" / "faq", faq)
    (faq / "cost.yml").unlink()
    monkeypatch.setattr("content.answers.FAQ_DIR", faq)
    nlg = AssistantNLG()
    with caplog.at_level(logging.WARNING, logger="content.answers"):
        nlg.responses = placeholder_responses(tmp_path)
    assert say(nlg, "utter_faq/cost")["text"] == PLACEHOLDER
    assert say(nlg, "utter_faq/duration")["text"] == answer_of("duration")[0]["text"]
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert "utter_faq/cost" in caplog.text


def test_real_answers_handed_in_are_kept(tmp_path):
    """scripts/editors/review.py hands the generator a project's own answers: they are not replaced."""
    own = {"utter_faq/cost": [{"text": "An answer being drafted in a copy of the project."}]}
    nlg = AssistantNLG()
    nlg.responses = own
    assert say(nlg, "utter_faq/cost")["text"] == own["utter_faq/cost"][0]["text"]
