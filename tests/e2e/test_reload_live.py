"""The admin API (scripts/serve/admin_api.py) and `make reload` (scripts/serve/reload.sh) against a
real Rasa server started with a token.

The public port refuses every API route, token or not; the admin port on
127.0.0.1 takes the token only as a Bearer header. An editor changes an
answer; after the reload the running server gives the new wording without a
restart, and the handoff still works. The server reads its answers from a
copy of data/faq (IMAGO_FAQ_DIR), so the test edits the copy.
One more Rasa start (about a minute); no training (--no-train).
"""
import os
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from tests.helpers import texts
from tooling.servers import ROOT, Servers

OLD, NEW = "The cost varies", "The price varies"


@pytest.fixture(scope="module")
def api_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reload")
    faq = tmp / "faq"
    shutil.copytree(ROOT / "data" / "faq", faq)
    token = secrets.token_urlsafe(16)
    s = Servers(tmp, extra_env={"IMAGO_FAQ_DIR": str(faq)})
    s.start_rasa(api_token=token)
    yield s, faq, token
    s.stop_all()


def reload(server, token):
    env = {**os.environ, "RASA_PORT": str(server.rasa_port), "RASA_ADMIN_PORT": str(server.admin_port),
           "RASA_API_TOKEN": token}
    return subprocess.run([str(ROOT / "scripts" / "serve" / "reload.sh"), "--no-train"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=600)


def test_an_edited_answer_goes_live_on_reload(api_server):
    server, faq, token = api_server
    assert OLD in texts(server.say("editor", "how much does imago therapy cost"))

    cost = faq / "cost.yml"
    cost.write_text(cost.read_text(encoding="utf-8").replace(OLD, NEW), encoding="utf-8")
    assert OLD in texts(server.say("editor", "how much does imago therapy cost")), \
        "the running server must keep the old answer until the reload"

    done = reload(server, token)
    assert done.returncode == 0, done.stdout + done.stderr
    assert NEW in texts(server.say("editor", "how much does imago therapy cost"))
    handoff = server.say("editor", "i want to die")
    assert handoff[0]["custom"]["handoff"]["type"] == "crisis"


def test_reload_with_the_wrong_token_is_refused_and_changes_nothing(api_server):
    server, _, _ = api_server
    done = reload(server, "not-the-token-but-long-enough")
    assert done.returncode != 0
    assert "refused the token" in done.stderr


API_ROUTES = [("GET", "/status"), ("GET", "/version"), ("PUT", "/model"), ("DELETE", "/model"),
              ("GET", "/conversations/rest:editor/tracker"), ("POST", "/model/parse"), ("GET", "/domain")]


@pytest.mark.parametrize("method, path", API_ROUTES)
def test_the_public_port_serves_no_api_route_even_with_the_token(api_server, method, path):
    server, _, token = api_server
    for how in ({}, {"params": {"token": token}}, {"headers": {"Authorization": f"Bearer {token}"}}):
        reply = requests.request(method, server.url + path, json={}, timeout=10, **how)
        assert reply.status_code == 404, (how.keys(), reply.text)


def test_the_public_port_still_serves_webhooks_socketio_and_health(api_server):
    server, _, _ = api_server
    assert requests.get(server.url + "/", timeout=10).status_code == 200
    assert requests.get(server.url + "/webhooks/rest/", timeout=10).status_code == 200
    assert requests.get(server.url + "/socket.io/?EIO=4&transport=polling", timeout=10).status_code == 200
    assert server.say("editor", "i want to die")[0]["custom"]["handoff"]["type"] == "crisis"


def test_the_admin_port_takes_the_token_only_as_a_bearer_header(api_server):
    server, _, token = api_server
    status = server.admin_url + "/status"
    ok = requests.get(status, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert ok.status_code == 200 and ok.json()["model_id"]
    assert requests.get(status, timeout=10).status_code == 401
    assert requests.get(status, headers={"Authorization": f"Bearer {token}x"}, timeout=10).status_code == 401
    assert requests.get(status, headers={"Authorization": f"Basic {token}"}, timeout=10).status_code == 401
    assert requests.get(status, params={"token": token}, timeout=10).status_code == 400
    # Even with the header: a token in the URL ends up in logs, so it is refused outright.
    both = requests.get(status, params={"token": token}, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert both.status_code == 400


def test_the_admin_port_serves_only_what_reload_needs(api_server):
    server, _, token = api_server
    bearer = {"Authorization": f"Bearer {token}"}
    for method, path in [("GET", "/conversations/rest:editor/tracker"), ("DELETE", "/model"),
                         ("POST", "/model/parse"), ("POST", "/webhooks/rest/webhook")]:
        reply = requests.request(method, server.admin_url + path, headers=bearer, json={}, timeout=10)
        assert reply.status_code == 404, (method, path, reply.text)
    # DELETE /model was refused: the server still answers, handoff first.
    assert server.say("editor", "i want to die")[0]["custom"]["handoff"]["type"] == "crisis"


def listening_addresses(port: int):
    """The local addresses listening on `port`, from the kernel's own tables (no ss or netstat needed)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.append(address)
    return found


def test_the_admin_port_listens_on_localhost_only(api_server):
    server, _, _ = api_server
    assert listening_addresses(server.admin_port) == ["0100007F"]  # 127.0.0.1, little-endian hex


def test_no_command_line_holds_the_token(api_server):
    _, _, token = api_server
    command_lines = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert "scripts.serve.rasa_server run" in command_lines
    assert token not in command_lines
