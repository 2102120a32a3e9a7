"""scripts/serve/reload.sh (`make reload`) against a stand-in for the admin API (scripts/serve/admin_api.py):
the request it sends (the token in a Bearer header, never in the URL), and the plain message for each
way it can fail. No training (--no-train), no Rasa server."""
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
TOKEN = 'secret"token"&x=1\\y'  # characters that must survive the trip through curl's config


class FakeRasa(BaseHTTPRequestHandler):
    """GET /status and PUT /model as the admin listener answers them."""
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
        auth = self.headers.get("Authorization")
        type(self).requests.append((method, url.path, parse_qs(url.query), body, auth))
        if "token" in parse_qs(url.query):
            return self.reply(400, {"error": "not in the URL"})
        if auth != f"Bearer {self.token}":
            return self.reply(401, {"error": "Missing or wrong token."})
        if method == "GET" and url.path == "/status":
            return self.reply(200, {"model_id": type(self).model_id, "model_file": "x", "num_active_training_jobs": 0})
        if method == "PUT" and url.path == "/model":
            type(self).model_id = "new-model"
            return self.reply(204)
        self.reply(404, {})

    def do_GET(self):
        self.handle_api("GET")

    def do_PUT(self):
        self.handle_api("PUT")


@pytest.fixture
def fake_rasa():
    FakeRasa.requests, FakeRasa.model_id, FakeRasa.token = [], "old-model", TOKEN
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeRasa)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def reload(port: int, token=TOKEN, **extra) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RASA_API_TOKEN") and k != "RASA_ADMIN_PORT"}
    env["RASA_ADMIN_PORT"] = str(port)
    if token is not None:
        env["RASA_API_TOKEN"] = token
    env.update(extra)
    return subprocess.run([str(SCRIPT), "--no-train"], env=env, capture_output=True, text=True, timeout=60)


def test_loads_the_model_file_with_the_token(fake_rasa):
    if not (ROOT / "models" / "imago.tar.gz").exists():
        pytest.skip("no trained model (make train)")
    run = reload(fake_rasa.server_address[1])
    assert run.returncode == 0, run.stderr
    assert "now runs model new-model (was old-model)" in run.stdout
    put = [r for r in FakeRasa.requests if r[0] == "PUT"]
    assert len(put) == 1
    _, path, query, body, auth = put[0]
    assert path == "/model" and query == {} and auth == f"Bearer {TOKEN}"
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
    assert f"no Rasa admin API is answering on http://127.0.0.1:{port}" in run.stderr


def test_server_started_without_a_token(fake_rasa):
    # Such a server opens no admin port: nothing answers there.
    port = fake_rasa.server_address[1]
    fake_rasa.shutdown()
    fake_rasa.server_close()
    run = reload(port)
    assert run.returncode != 0
    assert "it was started without RASA_API_TOKEN" in run.stderr


def test_admin_port_defaults_to_the_public_port_plus_1000(fake_rasa):
    port = fake_rasa.server_address[1]
    if port <= 1000:
        pytest.skip("an ephemeral port is always above 1000")
    env = {k: v for k, v in os.environ.items() if k != "RASA_ADMIN_PORT"}
    env.update(RASA_PORT=str(port - 1000), RASA_API_TOKEN=TOKEN)
    run = subprocess.run([str(SCRIPT), "--no-train"], env=env, capture_output=True, text=True, timeout=60)
    assert [r[1] for r in FakeRasa.requests][:1] == ["/status"], run.stderr


def test_token_from_a_file(fake_rasa, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    run = reload(fake_rasa.server_address[1], token=None, RASA_API_TOKEN_FILE=str(token_file))
    assert FakeRasa.requests and FakeRasa.requests[0][4] == f"Bearer {TOKEN}", run.stderr


def test_a_short_token_is_refused_before_any_request(fake_rasa):
    run = reload(fake_rasa.server_address[1], token="short")
    assert run.returncode != 0
    assert "at least 16 printable ASCII characters" in run.stderr
    assert FakeRasa.requests == []


def test_wrong_token(fake_rasa):
    run = reload(fake_rasa.server_address[1], token="not-the-token-at-all")
    assert run.returncode != 0
    assert "refused the token" in run.stderr
    assert not any(r[0] == "PUT" for r in FakeRasa.requests)


def replica_servers(count: int):
    """`count` stand-ins on consecutive ports, each with its own state (a cluster's admin ports)."""
    import socket
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = probe.getsockname()[1]
        servers = []
        try:
            for i in range(count):
                handler = type(f"Replica{i}", (FakeRasa,), {"requests": [], "model_id": "old-model"})
                servers.append(ThreadingHTTPServer(("127.0.0.1", first + i), handler))
        except OSError:
            for server in servers:
                server.server_close()
            continue
        for server in servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()
        return servers
    pytest.skip("no run of free consecutive ports")


def test_every_replica_of_a_cluster_is_reloaded(monkeypatch):
    if not (ROOT / "models" / "imago.tar.gz").exists():
        pytest.skip("no trained model (make train)")
    servers = replica_servers(2)
    try:
        # make run-cluster: replica i on RASA_PORT + i, its admin API on that + 1000.
        first = servers[0].server_address[1]
        env = {k: v for k, v in os.environ.items() if k not in ("RASA_ADMIN_PORT", "RASA_ADMIN_PORTS")}
        env.update(RASA_PORT=str(first - 1001), RASA_REPLICAS="2", RASA_API_TOKEN=TOKEN)
        run = subprocess.run([str(SCRIPT), "--no-train"], env=env, capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        for server in servers:
            port = server.server_address[1]
            assert [r[:2] for r in server.RequestHandlerClass.requests] == [
                ("GET", "/status"), ("PUT", "/model"), ("GET", "/status")]
            assert f"the server on http://127.0.0.1:{port} now runs model new-model (was old-model)" in run.stdout
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def test_a_replica_not_answering_stops_the_reload_before_any_model_is_loaded():
    servers = replica_servers(2)
    ports = [server.server_address[1] for server in servers]
    servers[1].shutdown()
    servers[1].server_close()
    try:
        run = reload(0, RASA_ADMIN_PORTS=" ".join(str(p) for p in ports))
        assert run.returncode != 0
        assert f"no Rasa admin API is answering on http://127.0.0.1:{ports[1]}" in run.stderr
        assert not any(r[0] == "PUT" for r in servers[0].RequestHandlerClass.requests)
    finally:
        servers[0].shutdown()
        servers[0].server_close()


def test_bad_replica_counts_and_ports_are_refused_before_any_request():
    assert "RASA_REPLICAS must be a whole number" in reload(0, RASA_REPLICAS="two").stderr
    assert "'x' is not a port number" in reload(0, RASA_ADMIN_PORTS="6006 x").stderr
