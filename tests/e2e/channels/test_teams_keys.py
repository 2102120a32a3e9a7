"""Teams while Microsoft's signing keys cannot be fetched (issue 11, item 7).

A Rasa server of its own, started with its OpenID configuration pointed at a
stand-in that answers 503. Rasa 3.6 fetched the keys again, blocking, on
every call after a failed fetch (and logged a traceback each time); here
the calls are refused with a clear 503 while the fetches back off.
"""
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.channels import test_teams
from tooling.servers import MODEL, Servers

CALLS = 10
OPENID_DOWN = "/botframework/openid-down"


@pytest.fixture(scope="module")
def keys_down(tmp_path_factory, platforms):
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train` (make test does it for you)")
    s = Servers(tmp_path_factory.mktemp("teams-keys-down"),
                extra_env={**platforms.env, "BOTFRAMEWORK_OPENID_URL": platforms.url + OPENID_DOWN})
    s.start_rasa()
    yield s
    s.stop_all()


def test_without_signing_keys_calls_get_a_503_and_the_keys_are_not_fetched_per_call(keys_down, platforms):
    conversations = [f"a:keys-down-{i}" for i in range(CALLS)]

    def call(conversation):
        return test_teams.post(keys_down, platforms, test_teams.activity(platforms, conversation, "i want to die"))

    with ThreadPoolExecutor(max_workers=5) as pool:  # some together, some after the failure
        results = list(pool.map(call, conversations))
    statuses = [reply.status_code for reply, _ in results]
    assert all(status in (401, 503) for status in statuses), statuses
    fetches = platforms.find(lambda c: c.path == OPENID_DOWN)
    assert 1 <= len(fetches) <= 2, f"{len(fetches)} key fetches for {CALLS} calls"
    assert all("error" in reply.json() for reply, _ in results)  # a reason, not an empty or HTML page
    assert all(sent == [] for _, sent in results)
    log = keys_down.rasa_log.read_text(errors="replace")
    assert 1 <= log.count("Could not fetch the Bot Framework signing keys") <= 2
    assert "Traceback" not in log
