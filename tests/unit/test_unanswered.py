"""`make unanswered`: the unanswered messages of the last N days, read from a real SQL tracker store,
grouped, counted, masked and escaped; crisis messages never listed; clear errors for a missing store."""
import asyncio
import hashlib
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUtteranceReverted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from scripts.editors import unanswered

# Runs the project's scripts as programs (a Python start-up each): make test runs it, make test-fast skips it.

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore")]
SCRIPT = ROOT / "scripts" / "editors" / "unanswered.py"
ENDPOINTS = ROOT / "endpoints.yml"
DAY = 86400
NOW = time.time()
PHONE_SENDER = "twilio:+15551234567"


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(ROOT / "domain.yml"))


EXAMPLES = unanswered.example_questions(ROOT)


@pytest.fixture(scope="module")
def masker():
    return unanswered.Masker(unanswered.example_words(EXAMPLES), unanswered.place_names(ROOT))


def said(text, reply, when, intent="nlu_fallback", ranking=None, extra=None, more=()):
    """One turn as the server stores it: the message, the bot's actions and words, then listening."""
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.9},
             "intent_ranking": ranking or [{"name": intent, "confidence": 0.9}], "entities": [], **(extra or {})}
    events = [UserUttered(text, parse["intent"], [], parse, timestamp=when)]
    for i, action in enumerate([reply, *more]):
        events += [ActionExecuted(action, timestamp=when + 1 + i), BotUttered(f"({action})", timestamp=when + 1 + i)]
    return events + [ActionExecuted("action_listen", timestamp=when + 5)]


def session(when):
    return [ActionExecuted("action_session_start", timestamp=when), SessionStarted(timestamp=when),
            ActionExecuted("action_listen", timestamp=when)]


def not_covered(subject):
    return {"response_selector": {"not_covered": {"response": {
        "intent_response_key": f"not_covered/{subject}", "confidence": 0.8}}}}


CONVERSATIONS = {
    "rest:visitor-a": session(NOW - 3 * DAY) + [
        *said("Does my insurance cover Imago sessions?", "utter_ask_rephrase", NOW - 3 * DAY + 10),
        *said("how much does imago cost", "utter_faq", NOW - 3 * DAY + 20, intent="faq"),
        *said("is imago covered by insurance? my email is jo.doe@example.org", "utter_not_covered",
              NOW - 1 * DAY + 60, intent="not_covered", extra=not_covered("insurance")),
    ],
    PHONE_SENDER: session(NOW - 2 * DAY) + [
        *said("insurence cover imago?", "utter_ask_rephrase", NOW - 2 * DAY + 10),
        *said("Can we bring our baby to the weekend workshop? My name is Priya, call 555-123-4567",
              "utter_clarify", NOW - 2 * DAY + 20),
        # A handoff turn: the crisis reply itself (never a content gap) ...
        *said("i want to end it all", "utter_handoff_crisis", NOW - 2 * DAY + 30, intent="crisis",
              more=["utter_after_handoff"]),
        # ... a turn whose first reply was a fallback but which also brought a handoff,
        *said("nobody would even notice if i was gone", "utter_ask_rephrase", NOW - 2 * DAY + 40,
              more=["utter_handoff_crisis"]),
        # ... a model-only crisis verdict without a supporting word, turned into a fallback,
        *said("i lost my card again", "utter_ask_rephrase", NOW - 2 * DAY + 50,
              ranking=[{"name": "nlu_fallback", "confidence": 1.0}, {"name": "crisis", "confidence": 0.7}]),
        # ... and a message the rule layer reads as a crisis (say phrases.yml grew since it was sent).
        *said("honestly i want to kill myself", "utter_ask_rephrase", NOW - 2 * DAY + 60),
    ],
    "rest:old-visitor": session(NOW - 40 * DAY) + [
        *said("Where do we park for the workshop?", "utter_ask_rephrase", NOW - 40 * DAY + 10),
    ],
    "socketio:xyz": session(NOW - 5 * DAY) + [
        *said("tell me a joke", "utter_out_of_scope", NOW - 5 * DAY + 10, intent="out_of_scope"),
        *said("tell me a funny joke", "utter_out_of_scope", NOW - 4 * DAY, intent="out_of_scope"),
        *said("<script>alert('x')</script> do you take Aetna? I'm Dave Miller, +44 20 7946 0958",
              "utter_ask_rephrase", NOW - 4 * DAY + 10),
        *said("hola, necesito ayuda con mi pareja", "utter_other_language", NOW - 4 * DAY + 20),
    ],
}
# What the report must never show: answered and crisis messages, the raw personal details, sender ids.
NEVER_SHOWN = ["how much does imago cost", "end it all", "notice if i was gone", "lost my card", "kill myself",
               "jo.doe", "example.org", "Priya", "555-123-4567", "Dave", "Miller", "7946", "+15551234567",
               "visitor-a", "socketio:xyz", "Where do we park"]


def make_store(path: Path, domain: Domain, conversations=CONVERSATIONS) -> Path:
    store = SQLTrackerStore(domain, db=str(path))
    for sender, events in conversations.items():
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, events, slots=domain.slots)))
    store.engine.dispose()
    return path


@pytest.fixture
def db(tmp_path, domain):
    return make_store(tmp_path / "tracker.db", domain)


def build(monkeypatch, db_path: Path, out: Path, days: int = 30):
    monkeypatch.setenv("TRACKER_DB", str(db_path))
    report = unanswered.build(ROOT, ENDPOINTS, out, days, now=NOW)
    return (report, (out / "unanswered.html").read_text(encoding="utf-8"),
            (out / "unanswered.md").read_text(encoding="utf-8"))


def run_cli(*args, **env):
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=300,
                          cwd=ROOT, env={**os.environ, **{k: str(v) for k, v in env.items()}})


# ---- the report from a real store ----

def test_groups_counts_kinds_and_window(monkeypatch, tmp_path, db):
    report, page, markdown = build(monkeypatch, db, tmp_path / "out")
    # 8 in the window: 3 about insurance, 1 clarification, 2 jokes, 1 Aetna, 1 Spanish.
    assert len(report["messages"]) == 8
    assert report["conversations"] == 3
    assert report["left_out"] == 3  # the fallback-then-handoff turn, the model's crisis guess, the rule layer's
    groups = report["groups"]
    assert [g.count for g in groups] == sorted((g.count for g in groups), reverse=True)
    insurance = groups[0]
    assert insurance.count == 3
    assert all("insur" in t.lower() for t in insurance.texts)
    assert insurance.kinds == {"not understood (fallback)": 2, "not covered by the article (insurance)": 1}
    assert unanswered.day(insurance.first) == unanswered.day(NOW - 3 * DAY)
    assert unanswered.day(insurance.last) == unanswered.day(NOW - 1 * DAY + 60)
    jokes = next(g for g in groups if "joke" in g.representative)
    assert jokes.count == 2 and jokes.kinds == {"out of scope": 2}
    assert sum(g.count for g in groups) == 8
    kinds = {k for g in groups for k in g.kinds}
    assert kinds == {"not understood (fallback)", "not covered by the article (insurance)", "clarification asked",
                     "out of scope", "other language"}
    for shown in (page, markdown):
        assert "not covered by the article (insurance): 1" in shown
        assert "8 unanswered messages from 3 conversations in the last 30 days" in shown
        assert "Left out: 3 messages about a crisis or abuse" in shown
        assert unanswered.day(NOW - 3 * DAY) in shown and unanswered.day(NOW - 1 * DAY + 60) in shown
    assert "tell me a joke" in markdown and "tell me a funny joke" in markdown


def test_a_message_no_rule_fits_is_listed_as_such(monkeypatch, tmp_path, domain):
    # Rasa's own fallback (config.yml) replies, then reverts the message, as the server stores it.
    turn = said("yes please, the other thing", "action_default_fallback", NOW - DAY + 10, intent="affirm")
    turn.insert(-1, UserUtteranceReverted(timestamp=NOW - DAY + 4))
    db = make_store(tmp_path / "tracker.db", domain, {"rest:visitor-b": session(NOW - DAY) + turn})
    report, _, markdown = build(monkeypatch, db, tmp_path / "out")
    assert [(g.representative, g.kinds) for g in report["groups"]] == [
        ("yes please, the other thing", {"no reply fits here (fallback)": 1})]
    assert "no reply fits here (fallback): 1" in markdown


def test_nothing_unsafe_or_personal_is_shown(monkeypatch, tmp_path, db):
    _, page, markdown = build(monkeypatch, db, tmp_path / "out")
    for shown in (page, markdown):
        for text in NEVER_SHOWN:
            assert text not in shown, text
    assert "[email]" in page and "[phone]" in page and "[name]" in page
    assert r"\[email\]" in markdown and r"\[phone\]" in markdown and r"\[name\]" in markdown  # shown as [email]
    assert "is imago covered by insurance? my email is [email]" in page
    assert "My name is [name], call [phone]" in page
    assert "I&#x27;m [name] [name], [phone]" in page


def test_visitor_text_is_escaped(monkeypatch, tmp_path, db):
    _, page, markdown = build(monkeypatch, db, tmp_path / "out")
    assert "<script>" not in page and "</script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<script>" not in markdown
    assert r"\<script\>alert('x')\</script\>" in markdown


def test_the_window_is_the_last_n_days(monkeypatch, tmp_path, db):
    report, page, _ = build(monkeypatch, db, tmp_path / "out", days=60)
    assert len(report["messages"]) == 9
    assert "Where do we park for the workshop?" in page
    report, page, _ = build(monkeypatch, db, tmp_path / "out", days=2)
    assert sorted(m.kind for m in report["messages"]) == [
        "clarification asked", "not covered by the article (insurance)", "not understood (fallback)"]
    report, page, _ = build(monkeypatch, db, tmp_path / "out", days=1)
    assert [m.kind for m in report["messages"]] == ["not covered by the article (insurance)"]
    assert "tell me a joke" not in page


def test_same_report_every_time_and_the_store_is_untouched(monkeypatch, tmp_path, db):
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    _, page1, md1 = build(monkeypatch, db, tmp_path / "one")
    _, page2, md2 = build(monkeypatch, db, tmp_path / "two")
    assert (page1, md1) == (page2, md2)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == ["unanswered.html", "unanswered.md"]


def test_no_unanswered_messages(monkeypatch, tmp_path, domain):
    answered = {"rest:happy": session(NOW - DAY) + said("how much does imago cost", "utter_faq", NOW - DAY + 5,
                                                       intent="faq")}
    for conversations in ({}, answered):
        db_path = make_store(tmp_path / f"store{len(conversations)}.db", domain, conversations)
        report, page, markdown = build(monkeypatch, db_path, tmp_path / "out")
        assert report["messages"] == [] and report["groups"] == []
        assert "No unanswered messages in the last 30 days" in page
        assert "No unanswered messages in the last 30 days" in markdown
        assert "how much does imago cost" not in page


# ---- the command ----

def test_command_writes_both_files(tmp_path, db):
    out = tmp_path / "results"
    run = run_cli("--out", str(out), TRACKER_DB=db)
    assert run.returncode == 0, run.stderr
    assert "8 unanswered messages from 3 conversations in the last 30 days" in run.stdout
    page = (out / "unanswered.html").read_text(encoding="utf-8")
    assert "insurance" in page and "Where do we park" not in page
    for text in NEVER_SHOWN:
        assert text not in run.stdout + run.stderr
    # UNANSWERED_DAYS sets the window when --days is not given.
    run = run_cli("--out", str(out), TRACKER_DB=db, UNANSWERED_DAYS=60)
    assert run.returncode == 0, run.stderr
    assert "Where do we park for the workshop?" in (out / "unanswered.md").read_text(encoding="utf-8")


def test_missing_store_is_a_clear_error(tmp_path):
    missing = tmp_path / "nowhere" / "tracker.db"
    run = run_cli("--out", str(tmp_path / "out"), TRACKER_DB=missing)
    assert run.returncode == 2
    assert f"the conversation store {missing} does not exist" in run.stderr
    assert "Traceback" not in run.stderr
    assert not missing.exists() and not (tmp_path / "out").exists()


def test_unreadable_store_is_a_clear_error(tmp_path, domain):
    garbage = tmp_path / "tracker.db"
    garbage.write_bytes(b"this is not a database, just some bytes" * 100)
    empty_sqlite = tmp_path / "other.db"
    SQLTrackerStore(domain, db=str(empty_sqlite)).engine.dispose()
    import sqlite3
    with sqlite3.connect(empty_sqlite) as connection:
        connection.execute("DROP TABLE events")
    for path in (garbage, empty_sqlite):
        run = run_cli("--out", str(tmp_path / "out"), TRACKER_DB=path)
        assert run.returncode == 2, run.stdout
        assert "cannot" in run.stderr and "conversation store" in run.stderr
        assert "Traceback" not in run.stderr


def test_no_tracker_store_configured_and_bad_days(tmp_path):
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("action_endpoint:\n  url: http://127.0.0.1:5055/webhook\n", encoding="utf-8")
    run = run_cli("--endpoints", str(endpoints), "--out", str(tmp_path / "out"))
    assert run.returncode == 2
    assert "configures no tracker store" in run.stderr and "Traceback" not in run.stderr
    run = run_cli("--days", "0")
    assert run.returncode == 2 and "at least 1" in run.stderr and "Traceback" not in run.stderr


# ---- masking ----

@pytest.mark.parametrize("text, masked", [
    ("email me at john.smith@example.com please", "email me at [email] please"),
    ("JANE_DOE+imago@mail.co.uk", "[email]"),
    ("write to jane at gmail dot com", "write to [email]"),
    ("call me on +44 20 7946 0958", "call me on [phone]"),
    ("+1 (555) 123-4567", "[phone]"),
    ("my number is (555) 123-4567.", "my number is [phone]."),
    ("555.123.4567 or 555-123-4567", "[phone] or [phone]"),
    ("text 07700 900123 tonight", "text [phone] tonight"),
    ("+33 6 12 34 56 78", "[phone]"),
    ("ring 5551234567", "ring [phone]"),
    ("My name is Sarah Jones and I need help", "My name is [name] [name] and I need help"),
    ("I'm Sarah And I Need Help", "I'm [name] And I Need Help"),
    ("my name is sarah", "my name is [name]"),
    ("hi, I'm Dave. does insurance cover it?", "hi, I'm [name]. does insurance cover it?"),
    ("i am Priya", "i am [name]"),
    ("this is Will from the workshop", "this is [name] from the workshop"),
    ("call me Jo", "call me [name]"),
    ("my husband Mark cheated", "my husband [name] cheated"),
    ("my wife April left", "my wife [name] left"),
    ("Dr Smith said so", "Dr [name] said so"),
    ("dr smith said so", "dr [name] said so"),
    ("John's affair ruined us", "[name]'s affair ruined us"),
    ("Mary-Jane and I fight", "[name] and I fight"),
    ("we saw Ottoline talk about it", "we saw [name] talk about it"),
    ("follow @sarah_j", "follow [name]"),
    ("my wife Sydney hates it", "my wife [name] hates it"),
])
def test_masks(masker, text, masked):
    assert masker.mask(text) == masked


@pytest.mark.parametrize("text", [
    "is the 2 day workshop $700?",
    "we did 10 sessions in 2017",
    "between 2015-2017 the study said",
    "it costs $1,500 to $2,000",
    "sessions are 50-90 minutes",
    "a 1.5 hour session",
    "3-6 months of therapy",
    "we started on 2024-05-02",
    "the workshop on 12.05.2024 or 3/6/24",
    "about 100000 couples",
    "Does my insurance cover Imago sessions?",
    "Can Harville Hendrix see us?",
    "What is the Gottman method?",
    "we live in Sydney",
    "I'm in New York, what's the number",
    "does it work on Zoom on Tuesday",
    "I'M SO CONFUSED ABOUT IRT",
    "Is it evidence based? Thanks!",
    "my therapist said we need 12 sessions",
])
def test_does_not_mask(masker, text):
    assert masker.mask(text) == text


# ---- grouping ----

def messages(*texts):
    return [unanswered.Unanswered(t, "not understood (fallback)", NOW - i) for i, t in enumerate(texts)]


def test_similar_messages_group_and_different_ones_do_not():
    texts = ["does my insurance cover imago", "does insurance cover imago therapy", "is imago covered by insurance?",
             "insurence cover imago?", "tell me a joke", "tell me a funny joke", "do you have a sliding scale",
             "sliding scale fees?", "who won the game last night"]
    groups = unanswered.group(messages(*texts), EXAMPLES)
    assert [sorted(g.texts) for g in groups] == [
        sorted(texts[:4]), sorted(texts[6:8]), sorted(texts[4:6]), ["who won the game last night"]]


def test_counts_representative_and_examples():
    texts = ["does insurance cover imago"] * 3 + ["Does insurance cover imago"] + [
        f"does insurance cover imago for {n}" for n in ("us", "me", "couples", "my wife", "my husband", "a retreat")]
    (group,) = unanswered.group(messages(*texts), EXAMPLES)
    assert group.count == 10
    assert group.representative == "does insurance cover imago"  # the most frequent, as written
    assert len(group.examples) == unanswered.EXAMPLES_SHOWN
    assert group.examples[0] == ("Does insurance cover imago", 1)


def test_grouping_does_not_depend_on_the_order():
    texts = ["does my insurance cover imago", "insurence cover imago?", "tell me a joke", "parking?",
             "where can i park", "sliding scale fees?", "do you have a sliding scale", "tell me a funny joke"]
    first = unanswered.group(messages(*texts), EXAMPLES)
    shuffled = messages(*texts)
    random.Random(4).shuffle(shuffled)
    again = unanswered.group(shuffled, EXAMPLES)
    assert [(g.representative, dict(g.texts)) for g in first] == [(g.representative, dict(g.texts)) for g in again]


def test_the_store_in_tracker_store_url_is_the_one_read(tmp_path, db):
    """As the server does (scripts/serve/stores.py): TRACKER_STORE_URL wins over TRACKER_DB."""
    out = tmp_path / "results"
    run = run_cli("--out", str(out), TRACKER_DB=tmp_path / "nowhere.db", TRACKER_STORE_URL=f"sqlite:///{db}")
    assert run.returncode == 0, run.stderr
    assert "8 unanswered messages from 3 conversations in the last 30 days" in run.stdout
    run = run_cli("--out", str(out), TRACKER_STORE_URL="postgresql://someone:secret@/imago")
    assert run.returncode == 2 and "TRACKER_STORE_URL" in run.stderr
    assert "secret" not in run.stderr and "Traceback" not in run.stderr
