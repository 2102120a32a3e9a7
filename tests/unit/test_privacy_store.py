"""The tracker store (privacy/store.py) on a real SQLite file: old conversations deleted whole, at
start-up inside the server's event loop and by `make purge`; the file 0600 in a folder 0700, an
existing file tightened; a bad TRACKER_RETENTION_DAYS refused. PostgreSQL: tests/e2e/test_retention_postgres.py."""
import asyncio
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import read_endpoint_config

from privacy.store import RetainingSQLTrackerStore, read_retention_days
from tests import retention

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.filterwarnings("ignore")  # SQLAlchemy 1.4's deprecation notes inside Rasa


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask():
    """The usual 022, under which a plain SQLite file would be world-readable (0644)."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_old_conversations_are_deleted_whole_and_recent_ones_kept(tmp_path):
    retention.check_purge(RetainingSQLTrackerStore(Domain.empty(), db=str(tmp_path / "tracker.db")))


def test_the_database_and_its_folder_are_created_owner_only(tmp_path, loose_umask):
    db = tmp_path / "state" / "deeper" / "tracker.db"
    RetainingSQLTrackerStore(Domain.empty(), db=str(db))
    assert mode(db) == 0o600
    assert mode(db.parent) == 0o700 and mode(db.parent.parent) == 0o700


def test_an_existing_world_readable_database_is_tightened_at_start_up(tmp_path, loose_umask):
    db = tmp_path / "tracker.db"
    first = RetainingSQLTrackerStore(Domain.empty(), db=str(db))
    retention.fill(first, time.time())
    db.chmod(0o644)  # as every store made before this change
    second = RetainingSQLTrackerStore(Domain.empty(), db=str(db))
    assert mode(db) == 0o600
    assert len(asyncio.run(second.keys())) == len(retention.CONVERSATIONS)  # tightened, not replaced


def test_an_existing_folder_is_left_as_it_is(tmp_path):
    shared = tmp_path / "common"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    RetainingSQLTrackerStore(Domain.empty(), db=str(shared / "tracker.db"))
    assert mode(shared) == 0o755  # it may be shared on purpose (say /tmp); the file itself is 0600
    assert mode(shared / "tracker.db") == 0o600


def test_the_server_purges_at_start_up_in_its_event_loop(tmp_path, monkeypatch):
    db = str(tmp_path / "tracker.db")
    retention.fill(RetainingSQLTrackerStore(Domain.empty(), db=db), time.time())
    monkeypatch.setenv("TRACKER_RETENTION_DAYS", "30")

    async def start_as_the_server_does():
        store = RetainingSQLTrackerStore(Domain.empty(), db=db)  # Rasa creates it inside its running loop
        for _ in range(100):
            if set(await store.keys()) == set(retention.CONVERSATIONS) - retention.OLD:
                break
            await asyncio.sleep(0.05)
        task = store.retention_task
        task.cancel()  # the daily wait
        return store, task

    store, task = asyncio.run(start_as_the_server_does())
    assert task is not None and task.cancelled()
    assert set(asyncio.run(store.keys())) == set(retention.CONVERSATIONS) - retention.OLD


def test_a_store_opened_outside_the_server_deletes_nothing(tmp_path):
    db = str(tmp_path / "tracker.db")
    retention.fill(RetainingSQLTrackerStore(Domain.empty(), db=db), time.time())
    store = RetainingSQLTrackerStore(Domain.empty(), db=db)  # e.g. make unanswered: no running loop
    assert store.retention_task is None
    assert len(asyncio.run(store.keys())) == len(retention.CONVERSATIONS)


@pytest.mark.parametrize("value, days", [("", 30.0), ("7", 7.0), ("0.5", 0.5)])
def test_retention_days_setting(value, days):
    assert read_retention_days(value) == days


@pytest.mark.parametrize("value", ["0", "-3", "thirty", "nan", "inf"])
def test_a_bad_retention_setting_stops_the_server_with_a_clear_error(value, tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_RETENTION_DAYS", value)
    with pytest.raises(ValueError, match="TRACKER_RETENTION_DAYS must be a number of days above 0"):
        RetainingSQLTrackerStore(Domain.empty(), db=str(tmp_path / "tracker.db"))
    assert not (tmp_path / "tracker.db").exists()


def test_endpoints_yml_gives_the_server_this_store_on_tracker_db(tmp_path, monkeypatch):
    # Rasa falls back to an in-memory store (keeping nothing, deleting nothing) when the class
    # can't be imported, so check the real configuration builds the real class.
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "tracker.db"))
    store = TrackerStore.create(read_endpoint_config(str(ROOT / "endpoints.yml"), "tracker_store"))
    assert isinstance(store, RetainingSQLTrackerStore)
    assert mode(tmp_path / "tracker.db") == 0o600


def run_purge(**env):
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "serve" / "purge.py")], capture_output=True,
                          text=True, timeout=300, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **env})


@pytest.mark.slow
def test_make_purge_deletes_and_says_how_many(tmp_path):
    db = tmp_path / "tracker.db"
    retention.fill(RetainingSQLTrackerStore(Domain.empty(), db=str(db)), time.time())
    run = run_purge(TRACKER_DB=str(db), TRACKER_RETENTION_DAYS="30")
    assert run.returncode == 0, run.stderr
    assert "Deleted 2 conversations (6 events) last active before" in run.stdout
    run = run_purge(TRACKER_DB=str(db), TRACKER_RETENTION_DAYS="0.5")  # "recent" and "revived": a day ago
    assert "Deleted 2 conversations (8 events)" in run.stdout, run.stdout
    run = run_purge(TRACKER_DB=str(tmp_path / "none.db"))
    assert run.returncode == 0 and "nothing to delete" in run.stdout
    assert not (tmp_path / "none.db").exists()
    run = run_purge(TRACKER_DB=str(db), TRACKER_RETENTION_DAYS="soon")
    assert run.returncode == 2 and "TRACKER_RETENTION_DAYS must be a number" in run.stderr


def test_a_failed_save_is_noted_for_the_turn_and_still_raised_for_rasas_fallback(tmp_path):
    import sqlite3

    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from privacy.store import turn_storage

    db = tmp_path / "tracker.db"
    store = RetainingSQLTrackerStore(Domain.empty(), db=str(db))
    with sqlite3.connect(db) as connection:  # as a full disk would: every write fails
        connection.execute("CREATE TRIGGER full BEFORE INSERT ON events BEGIN SELECT RAISE(FAIL, 'full'); END")
    tracker = DialogueStateTracker.from_events("rest:someone", [UserUttered("hello")])

    async def turn():
        state = {"failed": False}
        turn_storage.set(state)
        with pytest.raises(Exception):
            await store.save(tracker)
        return state

    assert asyncio.run(turn()) == {"failed": True}


def test_a_sender_id_sqlite_cannot_encode_fails_the_save_not_the_server(tmp_path):
    # Rasa 3.6's store calls sys.exit(1) on any ValueError in its session scope;
    # a lone surrogate in a sender id is a UnicodeEncodeError (a ValueError).
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    store = RetainingSQLTrackerStore(Domain.empty(), db=str(tmp_path / "tracker.db"))
    tracker = DialogueStateTracker.from_events("rest:a\ud800", [UserUttered("hello")])
    with pytest.raises(UnicodeEncodeError):
        asyncio.run(store.save(tracker))
    assert asyncio.run(store.retrieve("rest:someone")) is None  # the store still works
