"""The website widget (web/) in a real browser, and the Socket.IO origin check.

The browser tests are tests/browser/widget.test.mjs (node:test +
playwright-core driving Debian's Chromium); they share this session's Rasa
server (tests/conftest.py) and talk to it from the demo page, served here by
scripts/serve/serve_web.py on the port the Rasa server allows as an origin.
"""
import os
import shutil
import subprocess
import sys

import pytest
import requests

from channels.socketio import allowed_origins
from tooling.servers import ROOT, stop, wait_for

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "results" / "screenshots"
BROWSER_TESTS = ROOT / "tests" / "browser" / "widget.test.mjs"
NODE_TIMEOUT = 900


@pytest.fixture(scope="module")
def demo(servers):
    """The demo page on the origin the test Rasa server allows."""
    proc = subprocess.Popen(
        [sys.executable, "scripts/serve/serve_web.py", "--host", "127.0.0.1",
         "--port", str(servers.web_port), "--rasa-url", servers.url],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{servers.web_port}/"
    wait_for(url, proc, 30)
    yield url
    stop(proc)


def test_widget_in_a_real_browser(servers, demo):
    missing = [what for what, ok in [
        ("node_modules (run `npm ci`, part of `make install`)", (ROOT / "node_modules/playwright-core").is_dir()),
        (f"{CHROMIUM} (run scripts/build/install_browser.sh, part of `make install`)", os.path.exists(CHROMIUM)),
        ("node", shutil.which("node") is not None),
    ] if not ok]
    assert not missing, "cannot run the browser tests, missing: " + ", ".join(missing)
    for name in ("widget-390.png", "widget-desktop.png"):  # only this run's screenshots count
        (SCREENSHOTS / name).unlink(missing_ok=True)
    result = subprocess.run(
        ["node", "--test-reporter=spec", str(BROWSER_TESTS)],
        cwd=ROOT, capture_output=True, text=True, timeout=NODE_TIMEOUT,
        env={**os.environ, "WEB_URL": demo, "RASA_URL": servers.url, "SCREENSHOT_DIR": str(SCREENSHOTS)},
    )
    assert result.returncode == 0, f"browser tests failed:\n{result.stdout}\n{result.stderr}"
    for name in ("widget-390.png", "widget-desktop.png"):
        assert (SCREENSHOTS / name).stat().st_size > 0


def test_demo_page_points_at_the_rasa_server_and_serves_socketio_from_npm(servers, demo):
    page = requests.get(demo, timeout=10).text
    assert f'data-server="{servers.url}"' in page
    client = requests.get(demo + "vendor/socket.io.min.js", timeout=10)
    assert client.status_code == 200 and "Socket.IO" in client.text[:300]
    # socket.io-client comes from the npm registry (package-lock.json), not a copied file.
    assert not list((ROOT / "web").rglob("socket.io*"))


def handshake(url, origin):
    """Engine.IO's first polling request, as a browser on `origin` sends it."""
    return requests.get(f"{url}/socket.io/", params={"EIO": "4", "transport": "polling"},
                        headers={"Origin": origin}, timeout=10)


def test_socketio_allows_the_demo_origin_and_refuses_others(servers):
    allowed = f"http://127.0.0.1:{servers.web_port}"
    ok = handshake(servers.url, allowed)
    assert ok.status_code == 200, ok.text
    assert ok.headers.get("Access-Control-Allow-Origin") == allowed
    for other in ("http://evil.example", f"http://127.0.0.1:{servers.rasa_port}", "null"):
        refused = handshake(servers.url, other)
        assert refused.status_code == 400, other
        assert "Access-Control-Allow-Origin" not in refused.headers


def test_allowed_origins_setting(monkeypatch):
    monkeypatch.delenv("SOCKETIO_ORIGINS", raising=False)
    monkeypatch.delenv("WEB_PORT", raising=False)
    assert allowed_origins() == ["http://127.0.0.1:8080", "http://localhost:8080"]
    monkeypatch.setenv("WEB_PORT", "9000")
    assert allowed_origins() == ["http://127.0.0.1:9000", "http://localhost:9000"]
    monkeypatch.setenv("SOCKETIO_ORIGINS", "https://www.example.org/, https://example.org")
    assert allowed_origins() == ["https://www.example.org", "https://example.org"]
    monkeypatch.setenv("SOCKETIO_ORIGINS", "*")
    assert allowed_origins() == "*"

