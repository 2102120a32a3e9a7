"""Socket.IO session ids and who holds them (channels/socketio.py): the
widget's ids only, one session per socket, none shared, bounded."""
import uuid

import pytest

from channels.socketio import Sessions, valid_session_id


@pytest.mark.parametrize("value", [uuid.uuid4().hex, str(uuid.uuid4()), "0123456789abcdef0123456789abcdef"])
def test_the_widgets_ids_and_uuids_are_taken(value):
    assert valid_session_id(value) == value


def test_an_id_has_one_spelling():
    assert valid_session_id("0123456789ABCDEF0123456789ABCDEF") == "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize("value", [
    None, 12345, ["a" * 32], {"id": "a" * 32}, True, "", "a" * 31, "a" * 33, "g" * 32,
    "0123456789abcdef0123456789abcde\n", "a" * 16 + "/" + "b" * 15, "x" * 100_000,
    "{" + str(uuid.uuid4()) + "}", "rest:" + uuid.uuid4().hex,
])
def test_anything_else_is_refused(value):
    assert valid_session_id(value) is None


def test_a_requested_id_is_held_by_one_socket_and_a_second_socket_gets_a_fresh_one():
    sessions = Sessions(max_sessions=10, max_per_address=10)
    mine = uuid.uuid4().hex
    assert sessions.bind("sid-a", mine) == mine
    other = sessions.bind("sid-b", mine)
    assert other != mine and valid_session_id(other) == other
    assert sessions.session_of == {"sid-a": mine, "sid-b": other}


def test_a_socket_holds_one_session_asking_again_gives_up_the_first():
    sessions = Sessions(max_sessions=10, max_per_address=10)
    first, second = uuid.uuid4().hex, uuid.uuid4().hex
    sessions.bind("sid-a", first)
    sessions.bind("sid-a", second)
    assert sessions.holder == {second: "sid-a"}
    assert sessions.bind("sid-b", first) == first  # free again
    assert sessions.bind("sid-a", second) == second  # asking for its own again keeps it


def test_an_id_is_free_again_once_its_socket_is_gone():
    sessions = Sessions(max_sessions=10, max_per_address=10)
    mine = uuid.uuid4().hex
    sessions.connect("sid-a", "203.0.113.1")
    sessions.bind("sid-a", mine)
    sessions.disconnect("sid-a")
    assert sessions.bind("sid-b", mine) == mine
    assert not sessions.address_of and not sessions.per_address


def test_no_id_asked_for_gets_a_new_one():
    sessions = Sessions(max_sessions=10, max_per_address=10)
    assert valid_session_id(sessions.bind("sid-a", None))


def test_sessions_held_at_once_are_bounded():
    sessions = Sessions(max_sessions=2, max_per_address=10)
    assert sessions.bind("a", None) and sessions.bind("b", None)
    assert sessions.bind("c", None) is None
    assert sessions.bind("a", None)  # a socket that holds one may swap it


def test_connections_per_address_are_bounded():
    sessions = Sessions(max_sessions=10, max_per_address=2)
    assert sessions.connect("a", "203.0.113.1") and sessions.connect("b", "203.0.113.1")
    assert not sessions.connect("c", "203.0.113.1")
    assert sessions.connect("d", "198.51.100.1")
    sessions.disconnect("a")
    assert sessions.connect("e", "203.0.113.1")
    sessions.disconnect("c")  # a refused socket's disconnect changes nothing
    assert sessions.per_address["203.0.113.1"] == 2


@pytest.mark.parametrize("value", ["0", "-1", "many", ""])
def test_a_bad_limit_setting_is_an_error(monkeypatch, value):
    monkeypatch.setenv("SOCKETIO_MAX_PER_ADDRESS", value)
    with pytest.raises(ValueError, match="SOCKETIO_MAX_PER_ADDRESS"):
        Sessions.from_env()
