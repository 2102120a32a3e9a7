"""`make reload` (scripts/serve/reload.sh) against a real Rasa server with its API on.

An editor changes an answer; after the reload the running server gives the
new wording without a restart, and the handoff still works. The server reads
its answers from a copy of data/faq (IMAGO_FAQ_DIR), so the test edits the copy.
One more Rasa start (about a minute); no training (--no-train).
"""
import os
import secrets
import shutil
import subprocess

import pytest

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
    env = {**os.environ, "RASA_PORT": str(server.rasa_port), "RASA_API_TOKEN": token}
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
    done = reload(server, "not-the-token")
    assert done.returncode != 0
    assert "refused the token" in done.stderr
