"""Retention on PostgreSQL (privacy/store.py), on a throwaway database of the PostgreSQL server on
localhost: the same conversations and checks as on SQLite (tests/unit/test_privacy_store.py).

Connection: PGHOST (localhost), PGPORT (5432), PGUSER (postgres), PGPASSWORD. Without a reachable
server the test is skipped, saying how to start one; with CI=true it fails instead."""
import os
import uuid

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain

from privacy.store import RetainingSQLTrackerStore
from tests import retention

pytestmark = pytest.mark.filterwarnings("ignore")  # SQLAlchemy 1.4's deprecation notes inside Rasa

HOW_TO_START = ("PostgreSQL is not reachable on {url}: start it (Debian: `apt-get install postgresql && "
                "service postgresql start`) or point PGHOST, PGPORT, PGUSER and PGPASSWORD at one")


@pytest.fixture
def postgres_db():
    settings = dict(host=os.environ.get("PGHOST", "localhost"), port=int(os.environ.get("PGPORT", "5432")),
                    username=os.environ.get("PGUSER", "postgres"), password=os.environ.get("PGPASSWORD"))
    url = sa.engine.URL.create("postgresql", database="postgres", **settings)
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        admin.connect().close()
    except sa.exc.OperationalError:
        admin.dispose()
        if os.environ.get("CI") == "true":
            pytest.fail(HOW_TO_START.format(url=url))
        pytest.skip(HOW_TO_START.format(url=url))
    name = f"imago_retention_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield {"dialect": "postgresql", "db": name, **settings}
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_old_conversations_are_deleted_whole_on_postgresql(postgres_db):
    store = RetainingSQLTrackerStore(Domain.empty(), **postgres_db)
    try:
        retention.check_purge(store)
    finally:
        store.engine.dispose()
