"""The tracker store: Rasa's SQL store that forgets old conversations and keeps its file private.

endpoints.yml names `privacy.store.RetainingSQLTrackerStore` with the same
keys as Rasa's `type: SQL` (dialect, db, host, username, ...), so SQLite
(the default, TRACKER_DB) and PostgreSQL both work. On top of Rasa's store:
  - retention: a conversation whose latest event is older than
    TRACKER_RETENTION_DAYS (default 30) is deleted whole, once when the
    server starts and then every day (`purge`; `make purge` runs it by hand);
  - file modes: a SQLite file is created 0600 in a folder created 0700, and
    an existing file is tightened to 0600 at start-up (SQLite gives its
    journal files the database file's mode);
  - a failed save (a full disk, a locked or read-only database) is noted for
    the turn (`save_failed`): Rasa then keeps the conversation in memory and
    answers as usual, so channels/turn.py tells the visitor it was not saved
    instead of losing the turn silently.
Importing this module also installs the log redaction (privacy/logs.py):
the Rasa server always imports it, before the first conversation.
"""
import asyncio
import contextlib
import contextvars
import logging
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Optional, Text

import rasa.shared.utils.cli
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, ensure_schema_exists

from privacy import logs

logs.install()

logger = logging.getLogger(__name__)

RETENTION_VARIABLE = "TRACKER_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 30.0
DAY = 24 * 3600.0
# Set by channels/turn.py for each turn (a dict, shared with the tasks the turn starts).
turn_storage: contextvars.ContextVar[Optional[dict]] = contextvars.ContextVar("turn_storage", default=None)


def save_failed() -> None:
    """This turn's conversation could not be written to the store."""
    state = turn_storage.get()
    if state is not None:
        state["failed"] = True


@dataclass
class Purged:
    conversations: int
    events: int
    cutoff: float  # UNIX time: conversations last active before it were deleted


def read_retention_days(value: Optional[Text] = None) -> float:
    """TRACKER_RETENTION_DAYS as a number of days; a clear error for anything else."""
    raw = os.environ.get(RETENTION_VARIABLE, "") if value is None else value
    if not raw.strip():
        return DEFAULT_RETENTION_DAYS
    try:
        days = float(raw)
    except ValueError:
        days = float("nan")
    if not days > 0 or days == float("inf"):
        raise ValueError(f"{RETENTION_VARIABLE} must be a number of days above 0, not {raw!r}")
    return days


def sqlite_path(dialect: Text, db: Optional[Text]) -> Optional[Path]:
    """The SQLite file behind the store; None for another database, memory or a file: URI."""
    if dialect != "sqlite" or not db or db == ":memory:" or db.startswith("file:"):
        return None
    return Path(db).expanduser()


def private_file(path: Path) -> None:
    """Create the database file 0600 (its missing folders 0700), or tighten an existing one."""
    # Only folders made here are set: an existing one (say /tmp) may be shared on purpose.
    missing = [f for f in [path.parent, *path.parent.parents] if not f.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
        folder.chmod(0o700)  # mkdir's mode goes through the umask
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))  # an empty file is a valid database
    except FileExistsError:
        pass
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(0o600)


def purge(engine: Any, cutoff: float) -> Purged:
    """Delete every conversation whose latest event is older than `cutoff`, in one transaction."""
    events = SQLTrackerStore.SQLEvent.__table__
    stale = (sa.select(events.c.sender_id).group_by(events.c.sender_id)
             .having(sa.func.max(events.c.timestamp) < cutoff))
    with engine.begin() as connection:
        conversations = connection.execute(sa.select(sa.func.count()).select_from(stale.subquery())).scalar()
        deleted = connection.execute(events.delete().where(events.c.sender_id.in_(stale))).rowcount
    return Purged(conversations or 0, deleted or 0, cutoff)


class RetainingSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQLTrackerStore with retention and owner-only SQLite files (module docstring)."""

    def __init__(self, domain: Any = None, dialect: Text = "sqlite", db: Text = "rasa.db",
                 retention_days: Optional[float] = None, **kwargs: Any) -> None:
        # Read first: a bad setting stops the server before it keeps anything.
        self.retention_days = retention_days or read_retention_days()
        path = sqlite_path(dialect, db)
        if path is not None:
            private_file(path)
        super().__init__(domain=domain, dialect=dialect, db=db, **kwargs)
        self.retention_task = self._start_retention()

    @contextlib.contextmanager
    def session_scope(self) -> Iterator[Any]:
        """Rasa's, except that only a missing PostgreSQL schema stops the server: Rasa
        exits on any ValueError inside the scope, and a sender id SQLite cannot encode
        (a lone surrogate) is one. Here that fails the turn, as any other error does."""
        session = self.sessionmaker()
        try:
            try:
                ensure_schema_exists(session)
            except ValueError as e:
                rasa.shared.utils.cli.print_error_and_exit(
                    f"Requested PostgreSQL schema '{e}' was not found in the database. Create it "
                    f"or unset POSTGRESQL_SCHEMA to use the default schema. Exiting application.")
            yield session
        finally:
            session.close()

    async def save(self, tracker: Any) -> None:
        try:
            await super().save(tracker)
        except Exception:
            save_failed()
            raise  # Rasa's FailSafeTrackerStore logs it and keeps the turn in memory

    def purge(self, now: Optional[float] = None) -> Purged:
        """Delete the conversations older than the retention period; how many went."""
        return purge(self.engine, (time.time() if now is None else now) - self.retention_days * DAY)

    def _start_retention(self) -> Optional["asyncio.Task"]:
        # The Rasa server creates its store inside a running event loop (before the
        # server starts); scripts that only read the store have none, and purge nothing.
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return None
        return loop.create_task(self._retain_daily())

    async def _retain_daily(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                # In a thread: a large delete must not hold up the visitors' turns.
                done = await loop.run_in_executor(None, self.purge)
                logger.info("Retention: deleted %d conversations (%d events) older than %g days",
                            done.conversations, done.events, self.retention_days)
            except Exception as error:  # retried tomorrow; the server keeps answering
                logger.error("Retention: deleting old conversations failed (%s)", type(error).__name__)
                logger.debug("Retention failure", exc_info=True)
            await asyncio.sleep(DAY)
