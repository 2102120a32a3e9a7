"""TRACKER_STORE_URL, LOCK_STORE_URL and RASA_WORKERS as the launcher reads them (scripts/serve/stores.py,
scripts/serve/rasa_server.py): what Rasa's stores are given, and a clear line, never the password, for
anything else."""
import subprocess
import sys

import pytest
import rasa.core.utils
from rasa.core.utils import AvailableEndpoints

from scripts.serve import rasa_server, stores
from tooling.servers import ROOT

STORE = "privacy.store.RetainingSQLTrackerStore"
LOCKS = "scripts.serve.locks.AtomicRedisLockStore"


def test_postgresql_url_gives_rasa_sql_store_keys_with_the_password_decoded():
    config = stores.tracker_store("postgresql://imago:p%40ss%3Aword@db.internal:5433/imago?sslmode=require")
    assert config == {"type": STORE, "url": "db.internal", "dialect": "postgresql", "db": "imago", "port": 5433,
                      "username": "imago", "password": "p@ss:word", "query": {"sslmode": "require"}}


def test_postgresql_login_db_creates_the_database_and_is_not_a_driver_option():
    config = stores.tracker_store("postgres://postgres@localhost/imago?login_db=postgres")
    assert config["login_db"] == "postgres" and "query" not in config
    assert config["port"] is None and config["password"] is None


def test_sqlite_urls_relative_and_absolute():
    assert stores.tracker_store("sqlite:///.state/t.db") == {"type": STORE, "dialect": "sqlite", "db": ".state/t.db"}
    assert stores.tracker_store("sqlite:////var/lib/imago/t.db")["db"] == "/var/lib/imago/t.db"


@pytest.mark.parametrize("value", [None, "", "  "])
def test_unset_keeps_the_endpoints_file_stores(value):
    assert stores.tracker_store(value) is None and stores.lock_store(value) is None


def test_redis_url_gives_rasa_redis_lock_store_keys():
    assert stores.lock_store("redis://:s3cret@cache:6380/2?key_prefix=imago") == {
        "type": LOCKS, "url": "cache", "port": 6380, "db": 2, "use_ssl": False,
        "username": None, "password": "s3cret", "key_prefix": "imago"}
    assert stores.lock_store("rediss://localhost") == {
        "type": LOCKS, "url": "localhost", "port": 6379, "db": 0, "use_ssl": True,
        "username": None, "password": None}


@pytest.mark.parametrize("url, says", [
    ("mysql://u:hunter2secret@h/imago", "mysql:// is not supported"),
    ("mongodb://h/imago", "mongodb:// is not supported"),
    ("localhost:5432/imago", "is not supported"),
    ("postgresql://u:hunter2secret@h:99999/imago", "not a valid URL"),
    ("postgresql://u:hunter2secret@h:port/imago", "not a valid URL"),
    ("postgresql://u:hunter2secret@/imago", "names no host"),
    ("postgresql://u:hunter2secret@h/", "database name"),
    ("postgresql://u:hunter2secret@h/Imago", "database name"),
    ("postgresql://u:hunter2secret@h/imago;drop", "database name"),
    ("postgresql://u:hunter2secret@h/imago?login_db=x;y", "login_db"),
    ("postgresql://u:hunter2secret@h/imago?pool=9", "unknown option(s) pool"),
    ("postgresql://u:hunter2secret@h/imago?sslmode=a&sslmode=b", "once"),
    ("sqlite://relative.db", "SQLite URL"),
    ("sqlite:///", "names no database file"),
    ("sqlite:///:memory:", "names no database file"),
])
def test_bad_tracker_urls_say_why_without_the_password(url, says):
    with pytest.raises(stores.StoreURLError) as error:
        stores.tracker_store(url)
    assert says in str(error.value) and "hunter2secret" not in str(error.value)


@pytest.mark.parametrize("url, says", [
    ("http://h:6379", "http:// is not supported"),
    ("postgresql://h/imago", "is not supported"),
    ("redis://:hunter2secret@h:70000/0", "not a valid URL"),
    ("redis://:hunter2secret@/0", "names no host"),
    ("redis://:hunter2secret@h/zero", "is a number"),
    ("redis://:hunter2secret@h/0?key_prefix=im-ago", "letters and digits"),
    ("redis://:hunter2secret@h/0?timeout=3", "unknown option(s) timeout"),
])
def test_bad_lock_urls_say_why_without_the_password(url, says):
    with pytest.raises(stores.StoreURLError) as error:
        stores.lock_store(url)
    assert says in str(error.value) and "hunter2secret" not in str(error.value)


def test_redacted_hides_only_the_password():
    assert stores.redacted("postgresql://me:p%40ss@h:5432/imago") == "postgresql://me:***@h:5432/imago"
    assert stores.redacted("redis://:pw@h:6379/0") == "redis://:***@h:6379/0"
    assert stores.redacted("redis://h:6379/0") == "redis://h:6379/0"


@pytest.mark.parametrize("value, lock, token, workers", [("", False, False, 1), ("1", False, True, 1),
                                                          ("3", True, False, 3)])
def test_workers(value, lock, token, workers):
    assert rasa_server.read_workers(value, lock, token) == workers


@pytest.mark.parametrize("value, lock, token, says", [
    ("2", False, False, "needs LOCK_STORE_URL"), ("2", True, True, "admin API"),
    ("0", True, False, "whole number"), ("two", True, False, "whole number"), ("99", True, False, "from 1 to 32"),
])
def test_workers_refused(value, lock, token, says):
    with pytest.raises(SystemExit) as stop:
        rasa_server.read_workers(value, lock, token)
    assert says in str(stop.value)


def test_endpoints_read_by_rasa_get_the_stores_from_the_environment(monkeypatch):
    monkeypatch.setattr(AvailableEndpoints, "read_endpoints", AvailableEndpoints.read_endpoints)  # restored after
    monkeypatch.setenv("TRACKER_DB", "unused.db")
    monkeypatch.setenv("ACTION_PORT", "5055")
    rasa_server.use_stores(stores.tracker_store("postgresql://u:pw@h/imago"), stores.lock_store("redis://h/1"))
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml"))
    assert endpoints.tracker_store.type == STORE and endpoints.tracker_store.url == "h"
    assert endpoints.tracker_store.kwargs["password"] == "pw" and endpoints.tracker_store.kwargs["db"] == "imago"
    assert endpoints.lock_store.type == LOCKS and endpoints.lock_store.kwargs["db"] == 1
    assert rasa.core.utils.number_of_sanic_workers(endpoints.lock_store) == 1  # SANIC_WORKERS unset
    monkeypatch.setenv("SANIC_WORKERS", "2")
    assert rasa.core.utils.number_of_sanic_workers(endpoints.lock_store) == 2  # Rasa takes it as multi-worker
    assert endpoints.action.url.endswith("/webhook") and endpoints.nlg.type == "replies.nlg.AssistantNLG"


def test_tools_open_the_store_the_server_would(monkeypatch, tmp_path):
    # make purge and make unanswered share this: the URL wins, else the endpoints file.
    monkeypatch.setenv("TRACKER_DB", "from-file.db")
    monkeypatch.delenv("TRACKER_STORE_URL", raising=False)
    config = stores.configured_tracker_store(str(ROOT / "endpoints.yml"))
    assert config.type == STORE and config.kwargs["db"] == "from-file.db"
    assert stores.configured_tracker_store(str(tmp_path / "missing.yml")) is None
    monkeypatch.setenv("TRACKER_STORE_URL", "postgresql://u:pw@h/imago")
    config = stores.configured_tracker_store(str(ROOT / "endpoints.yml"))
    assert config.type == STORE and config.url == "h" and config.kwargs["dialect"] == "postgresql"
    monkeypatch.setenv("TRACKER_STORE_URL", "mysql://u:pw@h/imago")
    with pytest.raises(stores.StoreURLError):
        stores.configured_tracker_store(str(ROOT / "endpoints.yml"))


@pytest.mark.slow  # imports Rasa and TensorFlow in a new process (~10 s each)
@pytest.mark.parametrize("env, says", [
    ({"TRACKER_STORE_URL": "mysql://u:hunter2secret@h/imago"}, "TRACKER_STORE_URL: mysql:// is not supported"),
    ({"LOCK_STORE_URL": "redis://:hunter2secret@h/x"}, "LOCK_STORE_URL: the Redis database"),
    ({"RASA_WORKERS": "2"}, "RASA_WORKERS=2 needs LOCK_STORE_URL"),
])
def test_the_launcher_stops_with_one_line_and_no_traceback(env, says):
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false",
           "TF_CPP_MIN_LOG_LEVEL": "2", **env}
    run = subprocess.run([sys.executable, "-m", "scripts.serve.rasa_server", "run", "--model", "models/none.tar.gz"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    # Before it: only the import-time warnings of Rasa's dependencies.
    assert run.returncode == 1 and run.stdout == "" and says in run.stderr.strip().splitlines()[-1], run.stderr
    assert "Traceback" not in run.stderr and "hunter2secret" not in run.stderr


@pytest.mark.slow  # runs scripts/serve/purge.py as a program
def test_make_purge_opens_the_store_the_server_would(tmp_path):
    import os
    import time

    from rasa.shared.core.domain import Domain

    from privacy.store import RetainingSQLTrackerStore
    from tests import retention

    kept, named = tmp_path / "tracker.db", tmp_path / "from-url.db"
    retention.fill(RetainingSQLTrackerStore(Domain.empty(), db=str(named)), time.time())
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TRACKER_DB": str(kept), "TF_CPP_MIN_LOG_LEVEL": "2"}
    purge = [sys.executable, str(ROOT / "scripts" / "serve" / "purge.py")]
    run = subprocess.run(purge, capture_output=True, text=True, timeout=300, cwd=ROOT,
                         env={**env, "TRACKER_STORE_URL": f"sqlite:///{named}"})
    assert run.returncode == 0 and "Deleted 2 conversations (6 events)" in run.stdout, run.stderr
    assert not kept.exists()  # TRACKER_DB was not the store
    run = subprocess.run(purge, capture_output=True, text=True, timeout=300, cwd=ROOT,
                         env={**env, "TRACKER_STORE_URL": "mysql://u:hunter2secret@h/imago"})
    assert run.returncode == 2 and "mysql:// is not supported" in run.stderr and "hunter2secret" not in run.stderr
