"""Configuration that safety and privacy depend on."""
import importlib
import inspect
import re
from pathlib import Path

import pytest
import yaml
from rasa.core.channels.channel import InputChannel

from safety import crisis_lines

ROOT = Path(__file__).resolve().parents[2]


def load(name):
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


def connector_classes():
    for path in load("credentials.yml"):
        module, _, name = path.rpartition(".")
        yield path, getattr(importlib.import_module(module), name)


def test_every_channel_is_one_of_ours():
    """Rasa's own connectors would skip the crisis line and handoff ordering."""
    for connector in load("credentials.yml"):
        assert connector.startswith("channels."), f"{connector} bypasses channels.turn"


def test_every_connector_wraps_its_handler_with_safe_turn():
    """A subclass that kept Rasa's blueprint (and so its bare handler) would pass the test above."""
    for path, cls in connector_classes():
        assert issubclass(cls, InputChannel), path
        owner = next(k for k in cls.__mro__ if "blueprint" in vars(k))
        assert owner.__module__.startswith("channels."), f"{path} keeps Rasa's blueprint"
        assert "safe_turn(on_new_message" in inspect.getsource(cls.blueprint), f"{path} skips safe_turn"


def test_every_channel_of_the_site_is_configured_and_no_secret_is_in_the_file():
    names = {cls.name() for _, cls in connector_classes()}
    assert names == {"rest", "socketio", "slack", "telegram", "facebook", "twilio", "whatsapp", "botframework"}
    for path, settings in load("credentials.yml").items():
        for key in settings or {}:
            assert not re.search(r"token|secret|password|sid", key, re.I), f"{path}: {key} belongs in the environment"


def test_handoff_responses_are_responses_not_custom_actions():
    domain = load("domain.yml")
    for kind in crisis_lines.HANDOFF_TYPES:
        response = domain["responses"][f"utter_handoff_{kind}"][0]
        assert response["custom"]["handoff"]["type"] == kind
    assert all(not a.startswith("utter_handoff") for a in domain.get("actions", []))


def test_handoff_rules_never_reach_the_action_server():
    """Only responses, built-in actions and forms without a validation action."""
    domain = load("domain.yml")
    forms = set(domain["forms"])
    assert not any(a.startswith("validate_") for a in domain.get("actions", [])), (
        "a form validation action would call the action server before a handoff inside the form"
    )
    for rule in load("data/rules/safety.yml")["rules"]:
        for step in rule["steps"]:
            action = step.get("action")
            assert action is None or action.startswith("utter_") or action in forms | {"action_deactivate_loop"}


def test_every_crisis_line_names_its_source_and_check_date():
    for country, entry in crisis_lines.all_countries().items():
        assert entry["every_turn"]
        for kind in crisis_lines.HANDOFF_TYPES:
            for line in entry[kind]:
                assert line["source"].startswith("https://"), (country, line["name"])
                assert line["confirmed_by"].startswith("https://"), (country, line["name"])
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", line["checked"])
                # Only the international entry's "your local emergency number" has no number.
                assert line["how"] and (line.get("call") or line.get("text") or line.get("url") or country == "INTL")
                for number in (line.get("call"), line.get("text")):
                    assert number is None or number.isdigit(), (country, line["name"])


def test_retired_or_wrong_numbers_are_nowhere():
    """811 is not a crisis line; the 988 'press 3' option closed in July 2025."""
    files = [ROOT / "domain.yml", crisis_lines.LINES_FILE, *sorted((ROOT / "data").rglob("*.yml"))]
    for path in files:
        text = path.read_text(encoding="utf-8")
        body = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#"))
        assert not re.search(r"\b811\b", body), path
        assert not re.search(r"press\s*3", body, re.I), path


def test_us_lines_match_the_contract():
    us = crisis_lines.all_countries()["US"]
    crisis = {l["name"]: l for l in us["crisis"]}
    assert crisis["988 Suicide & Crisis Lifeline"]["call"] == "988"
    assert crisis["988 Suicide & Crisis Lifeline"]["text"] == "988"
    assert crisis["Crisis Text Line"]["text"] == "741741" and crisis["Crisis Text Line"]["text_keyword"] == "HOME"
    abuse = {l["name"]: l for l in us["abuse"]}
    assert abuse["National Domestic Violence Hotline"]["call"] == "18007997233"
    assert "988" in us["every_turn"] and "911" in us["every_turn"]


def test_every_country_has_an_emergency_number_for_both_handoffs():
    for country, entry in crisis_lines.all_countries().items():
        for kind in crisis_lines.HANDOFF_TYPES:
            assert any(l["name"] == "Emergency services" for l in entry[kind]), (country, kind)


def test_tracker_store_is_sqlite_and_api_needs_a_token():
    endpoints = load("endpoints.yml")
    assert endpoints["tracker_store"]["dialect"] == "sqlite"
    serve = (ROOT / "scripts" / "serve" / "serve.sh").read_text()
    # The launcher keeps the API off the public port (scripts/serve/admin_api.py); no token on a command line.
    assert "-m scripts.serve.rasa_server run" in serve and '"$BIN/rasa" run --model' not in serve
    assert "--enable-api" not in serve and "--auth-token" not in serve


def test_serving_by_hand_sends_nothing_to_rasas_telemetry():
    # make sets it, but scripts/serve/serve.sh can be run without make.
    serve = (ROOT / "scripts" / "serve" / "serve.sh").read_text()
    assert "export RASA_TELEMETRY_ENABLED=false" in serve


def test_spanish_lines_for_the_us_and_elsewhere_say_the_same_numbers():
    # A Spanish handoff lists these in Spanish; a translation must keep every number
    # (988's adds "press 2" for Spanish).
    for country in ("US", "INTL"):
        for kind in crisis_lines.HANDOFF_TYPES:
            for line in crisis_lines.all_countries()[country][kind]:
                assert "how_es" in line, (country, kind, line["name"])
                digits = lambda s: re.findall(r"\d[\d-]*\d|\d", s)  # noqa: E731
                spanish = {d.replace("-", "") for d in digits(line["how_es"])}
                assert {d.replace("-", "") for d in digits(line["how"])} <= spanish, line["name"]


def test_french_lines_say_the_same_numbers():
    # A French handoff lists these in French where the file has it (Canada's 988 works in French).
    digits = lambda s: {d.replace("-", "") for d in re.findall(r"\d[\d-]*\d|\d", s)}  # noqa: E731
    for country in ("CA", "US", "INTL"):
        for kind in crisis_lines.HANDOFF_TYPES:
            for line in crisis_lines.all_countries()[country][kind]:
                assert "how_fr" in line, (country, kind, line["name"])
                assert digits(line["how"]) <= digits(line["how_fr"]), line["name"]


# Digits, maybe spaced or hyphenated, that are not a price or part of "1,000" or "2.5".
PHONE_LIKE = re.compile(r"(?<![$\d,.])\d[\d -]*\d(?![\d,.])")


def test_no_reply_text_holds_a_phone_number_outside_the_lines_file():
    """Numbers reach visitors from safety/crisis_lines.yml, for their country, and nowhere else:
    domain.yml's replies hold no number at all (the human handoff once hard-coded 988 and 911
    for every country), and no article answer holds a number the lines file lists."""
    for name, variants in load("domain.yml")["responses"].items():
        for variant in variants:
            assert not re.search(r"\d{3}", variant.get("text", "")), name
    listed = {number for entry in crisis_lines.all_countries().values() for kind in crisis_lines.HANDOFF_TYPES
              for line in entry[kind] for number in (line.get("call"), line.get("text")) if number}
    for path in sorted((ROOT / "data" / "faq").glob("*.yml")):
        for name, variants in (yaml.safe_load(path.read_text(encoding="utf-8")).get("responses") or {}).items():
            for variant in variants:
                numbers = {re.sub(r"\D", "", m) for m in PHONE_LIKE.findall(variant.get("text", ""))}
                assert not numbers & listed, (path.name, name, numbers & listed)


def test_the_every_turn_line_in_spanish_and_french_says_the_same_numbers():
    """A visitor writing in Spanish or French gets the line in their language (channels/turn.py)."""
    digits = lambda s: {d.replace(" ", "") for d in re.findall(r"\d[\d ]*\d|\d", s)}  # noqa: E731
    for country, entry in crisis_lines.all_countries().items():
        for language in crisis_lines.LINE_LANGUAGES:
            translated = entry[f"every_turn_{language}"]
            assert digits(entry["every_turn"]) <= digits(translated), (country, language)
            assert crisis_lines.every_turn_line(country, language) == translated
    assert "AYUDA" in crisis_lines.every_turn_line("US", "es")  # 988's Spanish service (crisis_lines.yml)


@pytest.mark.parametrize("language", ["de", "zh", "und"])
def test_any_other_language_gets_the_international_line(language):
    assert crisis_lines.every_turn_line("CA", language) == crisis_lines.every_turn_line("INTL")
    assert "findahelpline.com" in crisis_lines.every_turn_line(None, language)


@pytest.mark.parametrize("language", [None, "en"])
def test_english_keeps_the_countrys_line(language):
    assert crisis_lines.every_turn_line("GB", language) == crisis_lines.all_countries()["GB"]["every_turn"]


def test_the_rule_layer_has_the_last_word_and_the_language_gate_comes_just_before_it():
    """A Spanish crisis message still gets the handoff: nothing after the rule layer can undo it."""
    names = [c["name"] for c in load("config.yml")["pipeline"]]
    assert names[-1] == "safety.rule_classifier.SafetyRuleClassifier"
    assert names[-3:-1] == ["understanding.answer_gate.AnswerConfidenceGate",
                            "understanding.language_gate.LanguageGate"]
