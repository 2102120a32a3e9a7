"""The bad-input corpus (issue 11, tests/e2e/bad_inputs.py) against the running server.

Every hostile or malformed input gets a 2xx turn (a JSON list ending with the
crisis line, or starting with a handoff) or a 4xx with a JSON {"error": ...}:
never a 5xx, a dropped connection or a hang. One test per category, looping
over its cases (parametrizing hundreds of calls would slow the suite), each
failure listed by its case id. `pytest -s` prints a line per category and the
total; the last test checks that the server still answers and hands off.
"""
import asyncio
import time
from collections import Counter

import pytest
import requests

from safety import crisis_lines
from tests.e2e import bad_inputs
from tests.e2e.sockets import Visitor
from tests.e2e.test_server import assert_crisis_line
from tests.e2e.test_socketio import converse
from tests.helpers import new_sender, texts

TIMEOUT = 35.0  # past safe_turn's 30 s turn time-out: longer is a hang
# Every crisis line a turn can end with: any country's, in any line language.
LINES = {crisis_lines.every_turn_line(c, lang) for c in [*crisis_lines.all_countries(), None, "ZZ"]
         for lang in (None, *crisis_lines.LINE_LANGUAGES)}
TALLY: dict = {}  # category -> Counter of outcomes, for the summary


def ends_a_turn(messages) -> bool:
    """A whole turn: the handoff first, or the crisis line last."""
    if not isinstance(messages, list) or not messages:
        return False
    first, last = messages[0], messages[-1]
    return bool((first.get("custom") or {}).get("handoff")) or last.get("text") in LINES


def send(servers, case: bad_inputs.Case):
    """The outcome of one call (one of OUTCOMES) and what went wrong, if anything."""
    body = iter(case.body) if isinstance(case.body, list) else case.body  # an iterator goes chunked
    try:
        reply = requests.request(case.method, servers.url + case.path, data=body, headers=case.headers,
                                 timeout=TIMEOUT)
    except requests.Timeout:
        return "hang", "no answer in time"
    except requests.ConnectionError as e:
        return "dropped", type(e).__name__
    status = f"{reply.status_code // 100}xx"
    if status not in ("2xx", "4xx"):
        return "5xx" if status == "5xx" else status, f"HTTP {reply.status_code}: {reply.text[:200]}"
    if case.expect != "any" and status != case.expect:
        return "wrong", f"HTTP {reply.status_code}, expected {case.expect}: {reply.text[:200]}"
    if not case.ours or case.method == "HEAD":
        return status, None
    try:
        data = reply.json()
    except ValueError:
        return "wrong", f"HTTP {reply.status_code} without JSON: {reply.text[:200]!r}"
    if status == "4xx" and not (isinstance(data, dict) and data.get("error")):
        return "wrong", f"HTTP {reply.status_code} without an error: {data!r:.200}"
    if status == "2xx" and case.method == "POST" and not ends_a_turn(data):
        return "wrong", f"a turn without the crisis line: {data!r:.300}"
    return status, None


def run_category(servers, category: str, cases) -> None:
    tally, failures = TALLY.setdefault(category, Counter()), []
    for case in cases:
        started = time.monotonic()
        outcome, problem = send(servers, case)
        tally[outcome] += 1
        tally["slowest"] = max(tally["slowest"], round(time.monotonic() - started))
        if problem:
            failures.append(f"{case.id}: {problem}")
    assert not failures, f"{len(failures)} of {sum(tally[k] for k in OUTCOMES)} failed:\n" + "\n".join(failures)


# "wrong": a 2xx or 4xx, but not the one expected, or without the crisis line or an error text.
OUTCOMES = ("2xx", "4xx", "5xx", "dropped", "hang", "wrong")


@pytest.fixture(scope="module", autouse=True)
def summary():
    """One line per category and the total, after the module (shown by `pytest -s`)."""
    yield
    total = Counter()
    for category, tally in TALLY.items():
        total.update({k: tally[k] for k in OUTCOMES})
        print(f"\nbad-input {category}: {sum(tally[k] for k in OUTCOMES)} inputs, " + ", ".join(
            f"{k} {tally[k]}" for k in OUTCOMES) + f"; slowest {tally['slowest']} s")
    print(f"\nbad-input corpus: {sum(total.values())} inputs, {total['5xx']} server errors, "
          f"{total['dropped']} dropped, {total['hang']} hangs, {total['wrong']} wrong; "
          f"2xx {total['2xx']}, 4xx {total['4xx']}")


@pytest.mark.parametrize("category", list(bad_inputs.CATEGORIES))
def test_bad_http_input_gets_a_turn_or_a_clear_4xx(servers, category):
    run_category(servers, category, list(bad_inputs.CATEGORIES[category]()))


async def play_socket_cases(url: str):
    """Each event on a live socket; the outcome of each, reconnecting after a dropped one."""
    outcomes, visitor = [], await Visitor(url).connect()
    await visitor.session()
    for case in bad_inputs.socket_cases():
        start, confirmed, started = len(visitor.received), visitor.confirmed.qsize(), time.monotonic()
        await visitor.emit(case.event, case.data)
        if case.expect == "turn":
            got = await visitor.settle(start, wait=TIMEOUT, quiet=0.5)
            outcomes.append((case, "2xx" if ends_a_turn(got) else "hang", got))
        elif case.expect == "confirm":
            try:
                await asyncio.wait_for(visitor.confirmed.get(), TIMEOUT)
                outcomes.append((case, "2xx", None))
            except asyncio.TimeoutError:
                outcomes.append((case, "hang", None))
        else:
            # An oversized packet: engine.io refuses the POST and closes the session, but the
            # polling client learns it only at its next poll (up to 25 s), so "dropped" is not
            # waited for (tests/e2e/test_socketio.py checks it); it must get no reply either way.
            await asyncio.sleep(1.5)
            got = visitor.received[start:]
            dropped = not visitor.client.connected
            fine = not got and visitor.confirmed.qsize() == confirmed and (not dropped or case.expect == "dropped")
            outcomes.append((case, "4xx" if fine else "wrong", got or ("dropped" if dropped else "still connected")))
            if dropped or case.expect == "dropped":  # its client stops writing after a refused POST
                await visitor.close()
                visitor = await Visitor(url).connect()
                await visitor.session()
        outcomes[-1] += (time.monotonic() - started,)
    await visitor.close()
    return outcomes


def test_bad_socketio_events_get_a_reply_a_confirmation_or_a_clean_refusal(servers):
    outcomes = asyncio.run(play_socket_cases(servers.url))
    tally = TALLY.setdefault("socketio", Counter())
    failures = []
    for case, outcome, got, seconds in outcomes:
        tally[outcome] += 1
        tally["slowest"] = max(tally["slowest"], round(seconds))
        if outcome not in ("2xx", "4xx"):
            failures.append(f"{case.id}: expected {case.expect}, got {got!r:.300}")
    assert not failures, "\n".join(failures)


def test_a_lone_surrogate_in_the_sender_gets_a_400_and_the_server_keeps_running(servers):
    # Before: Rasa's SQL tracker store met a UnicodeEncodeError and exited the whole server.
    reply = requests.post(servers.url + bad_inputs.REST, data=b'{"sender": "a\\ud800", "message": "hi"}',
                          headers=bad_inputs.JSON, timeout=TIMEOUT)
    assert reply.status_code == 400 and "sender" in reply.json()["error"]
    assert_crisis_line(servers.say(new_sender("alive"), "what is imago therapy"))


def test_after_the_corpus_the_server_still_answers_and_hands_off(servers):
    answer = servers.say(new_sender("after"), "how much does imago therapy cost?")
    assert "$700" in texts(answer) and answer[-1]["text"] == crisis_lines.every_turn_line("US")
    crisis = servers.say(new_sender("after"), "i want to kill myself")
    assert crisis[0]["custom"]["handoff"]["type"] == "crisis"
    assert_crisis_line(crisis)
    (socket_answer,) = asyncio.run(converse(servers.url, ["how much does imago therapy cost?"]))
    assert "$700" in texts(socket_answer) and socket_answer[-1]["text"] == crisis_lines.every_turn_line("US")


# Texts and sender ids only the corpus sends (tests/e2e/bad_inputs.py).
CORPUS_MARKERS = ("DROP TABLE", "alert(1)", "Ignore all previous instructions", "169.254.169.254",
                  "UNION SELECT", "text-injection-ignore", "text-sql-union", "what is imago therapy")


def test_no_text_or_sender_of_the_corpus_is_logged(servers):
    # After the corpus ran (tests run in file order): its refusals and failures
    # are logged at INFO and above without what the caller sent.
    log = servers.rasa_log.read_text(errors="replace")
    assert [m for m in CORPUS_MARKERS if m in log] == []


def test_the_corpus_has_at_least_300_inputs():
    http = sum(len(list(build())) for build in bad_inputs.CATEGORIES.values())
    assert http + len(bad_inputs.socket_cases()) >= 300
