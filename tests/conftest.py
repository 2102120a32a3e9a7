"""Shared fixtures: one Rasa server with the trained model for the whole session."""
import pytest

from tests.servers import MODEL, Servers


@pytest.fixture(scope="session")
def servers(tmp_path_factory):
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train` (make test does it for you)")
    s = Servers(tmp_path_factory.mktemp("servers"))
    s.start_actions()
    s.start_rasa()
    yield s
    s.stop_all()
