"""Shared fixtures: one Rasa server with the trained model for the whole session, and the
platforms' stand-ins. Every test gets the marker of its folder: unit, e2e or browser (pyproject.toml)."""
import os
from pathlib import Path

import pytest

from tests.platforms import Platforms
from tooling.servers import MODEL, ROOT, Servers

# The scripts the tests run as programs import the project's packages from the root, as under make
# (which exports PYTHONPATH); pytest's own `pythonpath` setting reaches only this process.
os.environ.setdefault("PYTHONPATH", str(ROOT))


@pytest.fixture(scope="session")
def platforms():
    """Stand-ins for the messaging platforms' APIs (tests/platforms.py),
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


# The folder a test lives in says what it needs: tests/unit/ no model and no real server,
# tests/e2e/ the trained model or real servers, tests/browser/ real servers and Chromium.
FOLDER_MARKERS = {"unit": ("unit",), "e2e": ("e2e",), "browser": ("e2e", "browser")}
TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        folder = Path(str(item.fspath)).resolve().relative_to(TESTS).parts[0]
        for marker in FOLDER_MARKERS.get(folder, ()):
            item.add_marker(marker)
