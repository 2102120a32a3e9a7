"""understanding/token_cap.py: the model reads at most max_tokens tokens of a
message, its first and last halves; the text itself stays whole for the rule layer.
Real spaCy tokens from the project's model (.spacy/en_imago_lookup), no training."""
from pathlib import Path

import pytest
import yaml
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from scripts.build.build_training_data import build
from understanding.token_cap import TokenCap

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tokenize():
    nlp = SpacyNLP.create({**SpacyNLP.get_default_config(), "model": str(ROOT / ".spacy" / "en_imago_lookup")},
                          None, None, None)
    model = nlp.provide()
    tokenizer = SpacyTokenizer.create(SpacyTokenizer.get_default_config(), None, None, None)

    def run(texts):
        data = tokenizer.process_training_data(nlp.process_training_data(
            TrainingData([Message(data={TEXT: t}) for t in texts]), model))
        return data

    return run


def words(message):
    return [t.text for t in message.get(TOKENS_NAMES[TEXT])]


def test_a_long_message_keeps_its_start_and_its_question_at_the_end(tokenize):
    story = " ".join(f"w{i}" for i in range(500)) + " how much does imago cost"
    (message,) = tokenize([story]).training_examples
    TokenCap({"max_tokens": 10}).process([message])
    assert words(message) == ["w0", "w1", "w2", "w3", "w4", "how", "much", "does", "imago", "cost"]
    assert message.get(TEXT) == story  # the rule layer still reads all of it


def test_an_odd_cap_gives_the_start_the_extra_token(tokenize):
    (message,) = tokenize(["a b c d e f g h"]).training_examples
    TokenCap({"max_tokens": 3}).process([message])
    assert words(message) == ["a", "b", "h"]


def test_short_messages_are_untouched(tokenize):
    (message,) = tokenize(["what is imago therapy"]).training_examples
    before = message.get(TOKENS_NAMES[TEXT])
    TokenCap({}).process([message])
    assert message.get(TOKENS_NAMES[TEXT]) is before


def test_training_examples_are_capped_too(tokenize):
    data = tokenize(["one two three four five six", "short one"])
    TokenCap({"max_tokens": 4}).process_training_data(data)
    assert [words(m) for m in data.training_examples] == [["one", "two", "five", "six"], ["short", "one"]]


def test_the_default_cap_is_in_config_yml_right_after_the_tokenizer():
    names = [c["name"] for c in yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]]
    assert names[names.index("SpacyTokenizer") + 1] == "understanding.token_cap.TokenCap"


def test_no_training_example_is_cut_so_training_is_unchanged(tokenize, tmp_path):
    """The cap must stay above every training example (67 tokens when it was set)."""
    build(ROOT / "data", tmp_path)
    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(tmp_path)])
    texts = [m.get(TEXT) for m in importer.get_nlu_data("en").training_examples if m.get(TEXT)]
    longest = max(len(m.get(TOKENS_NAMES[TEXT])) for m in tokenize(texts).training_examples)
    assert longest < TokenCap.get_default_config()["max_tokens"], longest
