"""The admin API's settings (scripts/serve/admin_api.py) and the launcher's refusals
(scripts/serve/rasa_server.py): where the token comes from, which tokens are refused, the
admin port, and no API switch on a command line. The listeners themselves: tests/e2e/test_reload_live.py."""
import pytest

from scripts.serve import action_timeout, admin_api, rasa_server

TOKEN = "a-long-enough-token-0123456789"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("RASA_API_TOKEN", "RASA_API_TOKEN_FILE", "RASA_ADMIN_PORT", "ACTION_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)


def test_no_token_means_no_admin_api():
    assert admin_api.api_token() is None


def test_token_from_the_environment(monkeypatch):
    monkeypatch.setenv("RASA_API_TOKEN", TOKEN)
    assert admin_api.api_token() == TOKEN


def test_token_from_a_file_without_its_newline(monkeypatch, tmp_path):
    (tmp_path / "token").write_text(TOKEN + "\n")
    monkeypatch.setenv("RASA_API_TOKEN_FILE", str(tmp_path / "token"))
    assert admin_api.api_token() == TOKEN


@pytest.mark.parametrize("setup, reason", [
    ({"RASA_API_TOKEN": TOKEN, "RASA_API_TOKEN_FILE": "/x"}, "not both"),
    ({"RASA_API_TOKEN_FILE": "/nonexistent/token"}, "can't read RASA_API_TOKEN_FILE"),
    ({"RASA_API_TOKEN": "short"}, "at least 16"),
    ({"RASA_API_TOKEN": "has a space in it somewhere"}, "without spaces"),
    ({"RASA_API_TOKEN": "sécret-with-an-accent-é"}, "printable ASCII"),
])
def test_unusable_tokens_are_refused_without_showing_them(monkeypatch, setup, reason):
    for name, value in setup.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(admin_api.TokenError) as refused:
        admin_api.api_token()
    assert reason in str(refused.value)
    assert setup.get("RASA_API_TOKEN", "@@") not in str(refused.value)


def test_an_empty_token_file_is_refused(monkeypatch, tmp_path):
    (tmp_path / "token").write_text("\n")
    monkeypatch.setenv("RASA_API_TOKEN_FILE", str(tmp_path / "token"))
    with pytest.raises(admin_api.TokenError, match="is empty"):
        admin_api.api_token()


def test_admin_port(monkeypatch):
    assert admin_api.admin_port(5005) == 6005
    monkeypatch.setenv("RASA_ADMIN_PORT", "7100")
    assert admin_api.admin_port(5005) == 7100


@pytest.mark.parametrize("args", [
    ["run", "--enable-api"],
    ["run", "--auth-token", TOKEN],
    ["run", f"--auth-token={TOKEN}"],
    ["run", "--jwt-secret", "x"],
    ["run", "actions"],
    ["train"],
])
def test_the_launcher_refuses_api_switches_and_other_commands(args):
    with pytest.raises(SystemExit):
        rasa_server.check_arguments(args)


def test_the_launcher_takes_rasa_runs_own_options():
    rasa_server.check_arguments(["run", "--model", "models/imago.tar.gz", "--port", "5005", "--cors", "*"])


def test_action_timeout(monkeypatch):
    assert action_timeout.seconds() == 5.0
    monkeypatch.setenv("ACTION_TIMEOUT", "2.5")
    assert action_timeout.seconds() == 2.5
    for bad in ("soon", "0", "-1"):
        monkeypatch.setenv("ACTION_TIMEOUT", bad)
        with pytest.raises(SystemExit):
            action_timeout.seconds()
