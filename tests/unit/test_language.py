"""understanding/language.py and its NLU component: other languages get their own reply,
English never does.

Measured on every example in data/ (English visitor questions, plus the Spanish crisis and
abuse examples the model learns) and on tests/nlu/languages.yml: visitor questions in other
languages, and hard English (names, chat shorthand, one-word messages). Run with -s for figures.
"""
from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.training_data.message import Message

from understanding.language import UNDETERMINED, detect
from understanding.language_gate import LanguageGate

ROOT = Path(__file__).resolve().parents[2]
SETS = yaml.safe_load((ROOT / "tests" / "nlu" / "languages.yml").read_text(encoding="utf-8"))
OTHER = {code: texts for code, texts in SETS.items() if code != "en"}
# The training examples written in Spanish on purpose (data/nlu/safety.yml): the model
# learns crisis and abuse in Spanish too. Every other example in data/ is English.
SPANISH_EXAMPLES = {
    "quiero morir", "me quiero matar", "no quiero vivir", "ya no quiero vivir mas",
    "estoy pensando en suicidarme", "quiero quitarme la vida", "mi esposo dice que se va a matar",
    "mi esposo me pega", "mi pareja me amenaza con matarme", "tengo miedo de mi esposo",
}


def data_examples():
    for path in sorted((ROOT / "data").rglob("*.yml")):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if not item.get("intent"):  # lookup lists (topic_vocabulary.yml) are words, not examples
                continue
            for line in (item.get("examples") or "").splitlines():
                if line.strip().startswith("- "):
                    yield line.strip()[2:]


def test_english_examples_in_data_are_left_alone():
    examples = list(data_examples())
    english = [e for e in examples if e not in SPANISH_EXAMPLES]
    flagged = [(detect(e), e) for e in english if detect(e)]
    print(f"\nEnglish examples in data/ read as another language: {len(flagged)} of {len(english)} {flagged}")
    assert len(english) > 1500 and len(SPANISH_EXAMPLES) < 20  # still mostly English
    assert len(flagged) <= len(english) // 1000, flagged  # measured: 0


def test_the_spanish_training_examples_are_read_as_spanish():
    assert all(example in set(data_examples()) for example in SPANISH_EXAMPLES)
    assert [e for e in SPANISH_EXAMPLES if detect(e) != "es"] == []


def test_hard_english_is_never_read_as_another_language():
    flagged = [(detect(t), t) for t in SETS["en"] if detect(str(t))]
    print(f"\nhard English messages read as another language: {len(flagged)} of {len(SETS['en'])}")
    assert flagged == []


def test_other_languages_are_detected():
    results = {code: [detect(t) for t in texts] for code, texts in OTHER.items()}
    total = sum(len(texts) for texts in OTHER.values())
    detected = sum(r is not None for found in results.values() for r in found)
    right = sum(r == code for code, found in results.items() for r in found)
    misses = [(code, t, r) for code, texts in OTHER.items() for t, r in zip(texts, results[code]) if r != code]
    print(f"\nother-language messages detected: {detected}/{total} ({detected / total:.1%}); "
          f"right language: {right}/{total}; misses: {misses}")
    for code in ("es", "fr"):  # these get a reply in their own language
        rate = sum(r == code for r in results[code]) / len(results[code])
        print(f"{code}: {rate:.1%} of {len(results[code])}")
        assert rate >= 0.9, code  # measured: es 96%, fr 94%
    assert detected / total >= 0.92  # measured: 97%
    assert total >= 150


@pytest.mark.parametrize("text, code", [
    ("¿cuánto cuesta?", "es"), ("cuanto cuesta la terapia", "es"), ("hola", "es"), ("¡Hola!", "es"),
    ("combien ça coûte", "fr"), ("Bonjour", "fr"), ("je ne parle pas anglais", "fr"),
    ("Сколько стоит терапия?", "ru"), ("你好", "zh"), ("ሰላም", UNDETERMINED),
])
def test_examples(text, code):
    assert detect(text) == code


@pytest.mark.parametrize("text", [None, "", "   ", "?", "123", "😀", "/help", "imago", "IRT", "ok", "thx",
                                  "hw much r imago sessions", "gottman vs imago?", "do you speak spanish?",
                                  "www.example.com/es/terapia",
                                  # mashed keys: lingua alone reads these as Dutch, Polish, Turkish
                                  "asdkj qwe zzz", "hfhfhf dkdkd", "sdkfj sdlkfj", "ajsdhf kajshdf"])
def test_nothing_to_go_on_is_english(text):
    assert detect(text) is None


def parsed(text, intent="faq"):
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": 0.9}, add_to_output=True)
    message.set("intent_ranking", [{"name": intent, "confidence": 0.9}], add_to_output=True)
    return message


def gate(message):
    return LanguageGate().process([message])[0]


def test_a_spanish_question_gets_other_language_and_its_code():
    message = gate(parsed("¿cuánto cuesta la terapia imago?"))
    assert message.get("intent") == {"name": "other_language", "confidence": 1.0}
    assert message.get("intent_ranking")[0]["name"] == "other_language"
    assert message.get("intent_ranking")[1]["name"] == "faq"
    assert message.get("entities") == [{"entity": "language", "value": "es", "start": 0, "end": 32,
                                         "extractor": "LanguageGate"}]


def test_an_english_question_is_untouched():
    message = gate(parsed("how much does imago cost"))
    assert message.get("intent")["name"] == "faq" and not message.get("entities")


@pytest.mark.parametrize("intent", ["crisis", "abuse"])
def test_the_models_handoff_verdict_is_kept(intent):
    """The rule layer, after this component, decides; a handoff is never replaced here."""
    message = gate(parsed("no quiero vivir", intent))
    assert message.get("intent")["name"] == intent
    assert [(e["entity"], e["value"]) for e in message.get("entities")] == [("language", "es")]


def test_a_country_entity_already_found_stays():
    message = parsed("hola")
    message.set("entities", [{"entity": "country", "value": "GB"}], add_to_output=True)
    assert [e["entity"] for e in gate(message).get("entities")] == ["country", "language"]
