"""scripts/serve/reload.sh (`make reload`) against a stand-in for Rasa's HTTP API: the request it
sends, and the plain message for each way it can fail. No training (--no-train), no Rasa server."""
import json
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

# Runs the project's scripts as programs (a Python start-up each): make test runs it, make test-fast skips it.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "serve" / "reload.sh"
TOKEN = 'sécret "token"&x=1'  # characters that must survive the trip to the query string


class FakeRasa(BaseHTTPRequestHandler):
    """GET /status and PUT /model as Rasa answers them with --enable-api --auth-token."""
    token = TOKEN
    api_on = True
    model_id = "old-model"
    requests: list = []

    def log_message(self, *args):
        pass

    def reply(self, status: int, body=None):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_api(self, method: str):
        url = urlparse(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        FakeRasa.requests.append((method, url.path, parse_qs(url.query), body))
        if not self.api_on:
            return self.reply(404, {"message": "not found"})
        if parse_qs(url.query).get("token") != [self.token]:
            return self.reply(401, {"message": "User is not authenticated."})
        if method == "GET" and url.path == "/status":
            return self.reply(200, {"model_id": FakeRasa.model_id, "model_file": "x", "num_active_training_jobs": 0})
        if method == "PUT" and url.path == "/model":
            FakeRasa.model_id = "new-model"
            return self.reply(204)
        self.reply(404, {})

    def do_GET(self):
        self.handle_api("GET")

    def do_PUT(self):
        self.handle_api("PUT")


@pytest.fixture
def fake_rasa():
    FakeRasa.requests, FakeRasa.model_id, FakeRasa.api_on, FakeRasa.token = [], "old-model", True, TOKEN
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeRasa)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def reload(port: int, token=TOKEN) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "RASA_API_TOKEN"}
    env["RASA_PORT"] = str(port)
    if token is not None:
        env["RASA_API_TOKEN"] = token
    return subprocess.run([str(SCRIPT), "--no-train"], env=env, capture_output=True, text=True, timeout=60)


def test_loads_the_model_file_with_the_token(fake_rasa):
    if not (ROOT / "models" / "imago.tar.gz").exists():
        pytest.skip("no trained model (make train)")
    run = reload(fake_rasa.server_address[1])
    assert run.returncode == 0, run.stderr
    assert "now runs model new-model (was old-model)" in run.stdout
    put = [r for r in FakeRasa.requests if r[0] == "PUT"]
    assert len(put) == 1
    _, path, query, body = put[0]
    assert path == "/model" and query["token"] == [TOKEN]
    assert json.loads(body) == {"model_file": str(ROOT / "models" / "imago.tar.gz")}


def test_no_token():
    run = reload(9, token=None)
    assert run.returncode != 0
    assert "RASA_API_TOKEN is not set" in run.stderr


def test_no_server(fake_rasa):
    port = fake_rasa.server_address[1]
    fake_rasa.shutdown()
    fake_rasa.server_close()
    run = reload(port)
    assert run.returncode != 0
    assert f"no Rasa server is answering on http://127.0.0.1:{port}" in run.stderr


def test_server_started_without_a_token(fake_rasa):
    FakeRasa.api_on = False
    run = reload(fake_rasa.server_address[1])
    assert run.returncode != 0
    assert "it was started without RASA_API_TOKEN" in run.stderr
    assert not any(r[0] == "PUT" for r in FakeRasa.requests)


def test_wrong_token(fake_rasa):
    run = reload(fake_rasa.server_address[1], token="not-the-token")
    assert run.returncode != 0
    assert "refused the token" in run.stderr
    assert not any(r[0] == "PUT" for r in FakeRasa.requests)
