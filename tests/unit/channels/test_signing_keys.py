"""Teams' signing-key cache (channels/teams.py, SigningKeys) against the
platforms' stand-in: the back-off after failed fetches doubles up to its
cap, a failed daily refresh keeps the keys already known, and calls
arriving together share one fetch. Waiting is skipped by moving the
cache's next-try time, not by sleeping."""
import asyncio

from channels import http
from channels.teams import SigningKeys
from tests.platforms import TEAMS_KEY_ID


def run(coroutine):
    async def with_session_closed():
        try:
            return await coroutine
        finally:
            await http.close()

    return asyncio.run(with_session_closed())


def fetches(platforms, path):
    return len(platforms.find(lambda c: c.path == path))


def test_failed_fetches_back_off_doubling_up_to_ten_minutes(platforms):
    keys = SigningKeys(f"{platforms.url}/botframework/openid-down")
    backoffs = []
    for _ in range(6):
        keys.next_try = 0.0  # as if the back-off had passed
        assert run(keys.current()) == {}
        backoffs.append(keys.backoff)
    assert backoffs == [60, 120, 240, 480, 600, 600]
    before = fetches(platforms, "/botframework/openid-down")
    assert run(keys.current()) == {}  # inside the back-off: no fetch at all
    assert fetches(platforms, "/botframework/openid-down") == before


def test_a_failed_refresh_keeps_the_keys_already_known(platforms):
    keys = SigningKeys(f"{platforms.url}/botframework/openid")
    assert TEAMS_KEY_ID in run(keys.current())
    keys.openid_url = f"{platforms.url}/botframework/openid-down"
    keys.fetched_at -= SigningKeys.REFRESH + 1  # a day old: due for a refresh
    assert TEAMS_KEY_ID in run(keys.current()) and keys.backoff == 60


def test_calls_arriving_together_share_one_fetch(platforms):
    keys = SigningKeys(f"{platforms.url}/botframework/openid-down")
    before = fetches(platforms, "/botframework/openid-down")

    async def together():
        return await asyncio.gather(*(keys.current() for _ in range(20)))

    assert run(together()) == [{}] * 20
    assert fetches(platforms, "/botframework/openid-down") == before + 1
