"""Shared fixtures: one Rasa server with the trained model for the whole session."""
import pytest

from tests.channels.platforms import Platforms
from tooling.servers import MODEL, Servers


@pytest.fixture(scope="session")
def platforms():
    """Stand-ins for the messaging platforms' APIs (tests/channels/platforms.py),
    up before the Rasa server so every channel starts pointed at them."""
    stand_in = Platforms().start()
    yield stand_in
    stand_in.stop()


@pytest.fixture(scope="session")
def servers(tmp_path_factory, platforms):
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train` (make test does it for you)")
    s = Servers(tmp_path_factory.mktemp("servers"), extra_env=platforms.env)
    s.start_actions()
    s.start_rasa()
    yield s
    s.stop_all()
