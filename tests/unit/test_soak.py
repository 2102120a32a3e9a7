"""The pure parts of `make soak` (scripts/measure/soak.py): how a turn's reply is judged and attributed,
which acknowledged turns the store lacks, and the resident memory read from a stand-in /proc."""
from collections import Counter

from channels.turn import ERROR_REPLY, TIMEOUT_REPLY
from safety import crisis_lines
from scripts.measure import soak

US, GB = crisis_lines.every_turn_line("US"), crisis_lines.every_turn_line("GB")


def test_a_turn_ending_with_the_visitors_line_is_an_answer():
    assert soak.judge([{"text": "Imago is..."}, {"text": US}], "US") == "answer"


def test_an_answer_that_says_it_was_not_saved_is_told_not_silent():
    from channels.turn import NOT_SAVED_REPLY

    reply = [{"text": "Imago is..."}, {"text": NOT_SAVED_REPLY}, {"text": US}]
    assert soak.judge(reply, "US") == "answer (not saved)"


def test_a_turn_ending_with_another_countrys_line_is_someone_elses():
    assert soak.judge([{"text": "Imago is..."}, {"text": GB}], "US") == "foreign"


def test_a_handoff_is_attributed_by_its_country_on_both_channels():
    rest = [{"custom": {"handoff": {"type": "crisis", "country": "GB"}}}, {"text": "..."}]
    socketio = [{"handoff": {"type": "crisis", "country": "GB"}}, {"text": "..."}]
    assert soak.judge(rest, "GB") == soak.judge(socketio, "GB") == "handoff"
    assert soak.judge(rest, "US") == "foreign"


def test_error_time_out_and_silence_are_told_apart():
    assert soak.judge([{"text": ERROR_REPLY}, {"text": US}], "US") == "error"
    assert soak.judge([{"text": TIMEOUT_REPLY}, {"text": US}], "US") == "timeout"
    assert soak.judge([{"text": US}], "US") == "silence"
    assert soak.judge([], "US") == "silence"
    assert soak.judge([{"text": "an answer"}], "US") == "unended"


def test_every_acknowledged_turn_needs_its_own_stored_message():
    acks = [soak.Ack("rest:a", "hi", 0, "answer"), soak.Ack("rest:a", "hi", 1, "answer"),
            soak.Ack("socketio:b", "cost", 2, "answer")]
    stored = {"rest:a": Counter({"hi": 1}), "socketio:b": Counter({"cost": 1})}
    assert soak.unstored(acks, stored) == [acks[1]]  # the same text twice needs two stored messages
    assert soak.unstored(acks, {"rest:a": Counter({"hi": 2})}) == [acks[2]]
    assert stored["rest:a"]["hi"] == 1  # the caller's counts are left alone


def fake_process(proc, pid, ppid, rss_kib, name="rasa"):
    folder = proc / str(pid)
    folder.mkdir()
    (folder / "stat").write_text(f"{pid} ({name}) S {ppid} 1 1 0 -1\n")
    (folder / "status").write_text(f"Name:\t{name}\nVmRSS:\t{rss_kib} kB\n")


def test_resident_memory_counts_the_server_and_its_children_only(tmp_path):
    fake_process(tmp_path, 10, 1, 1000)
    fake_process(tmp_path, 11, 10, 200, name="worker (a) b")  # brackets and spaces in a name
    fake_process(tmp_path, 12, 11, 30)
    fake_process(tmp_path, 20, 1, 5000)  # not the server's
    assert sorted(soak.descendants(10, tmp_path)) == [10, 11, 12]
    assert soak.rss_kib(10, tmp_path) == 1230


def test_visitors_split_the_messages_and_alternate_channels():
    assert soak.shares(10, 4) == [3, 3, 2, 2]
    visitors = soak.make_visitors(4, "t")
    assert [v.channel for v in visitors] == ["rest", "socketio", "rest", "socketio"]
    assert visitors[0].conversation.startswith("rest:") and visitors[1].conversation.startswith("socketio:")
    assert len({v.country for v in visitors}) == 4  # neighbours never share the line that tags replies


def test_scripts_hold_no_crisis_words_or_places():
    # Each message must reach Rasa whole and keep the visitor's country line (no handoff, no place).
    from safety.detector import default_detector
    for text in set(soak.QUESTIONS + soak.OFF_TOPIC):
        reading = default_detector().read(text)
        assert reading.detection is None and reading.country is None, text
