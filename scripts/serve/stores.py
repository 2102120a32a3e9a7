"""The tracker and lock stores from the environment: TRACKER_STORE_URL and LOCK_STORE_URL.

    TRACKER_STORE_URL  postgresql://user:password@host:5432/imago   (sslmode=..., login_db=postgres)
                       sqlite:///relative/path.db or sqlite:////absolute/path.db
                       unset: endpoints.yml's store, the SQLite file TRACKER_DB
    LOCK_STORE_URL     redis://[[user]:password@]host[:6379][/0]   (rediss:// for TLS; key_prefix=imago)
                       unset: Rasa's in-memory lock store (one process only)

Both become Rasa endpoint configs in the launcher's memory (scripts/serve/rasa_server.py), never a
file on disk nor a command line, so a password in a URL stays in the environment. The tracker store is
always privacy.store.RetainingSQLTrackerStore (retention, log redaction, owner-only SQLite files), and
the lock store scripts.serve.locks.AtomicRedisLockStore (Rasa's Redis one, safe across servers).
`login_db=postgres` in the query: connect to that database first and create the named one when it
is missing (Rasa's SQLTrackerStore `login_db`); Rasa writes that name unquoted into CREATE DATABASE,
so a database name is lower-case letters, digits and underscores only.
A URL that can't be used raises StoreURLError, whose message never holds the password.
"""
import re
from typing import Any, Dict, Optional, Text
from urllib.parse import parse_qsl, quote, unquote, urlsplit

TRACKER_STORE_CLASS = "privacy.store.RetainingSQLTrackerStore"
# Rasa's RedisLockStore with its ticket changes made atomic (scripts/serve/locks.py says why).
LOCK_STORE_CLASS = "scripts.serve.locks.AtomicRedisLockStore"
POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg2")
REDIS_SCHEMES = ("redis", "rediss")
# Safe unquoted in Rasa's CREATE DATABASE, and the name PostgreSQL keeps (it folds case).
DATABASE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# libpq connection options that may follow `?` in a PostgreSQL URL (sslmode=require, ...).
POSTGRES_OPTIONS = {"sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout", "application_name",
                    "options", "target_session_attrs"}


class StoreURLError(ValueError):
    """A store URL that can't be used; the message says why, without the password."""


def redacted(url: Text) -> Text:
    """The URL with its password replaced by ***, for messages and the start-up lines."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return "(a malformed URL)"
    if not password:
        return url
    user = quote(unquote(parts.username or ""), safe="")
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=f"{user}:***@{host}").geturl()


def _split(url: Text, variable: Text, schemes: tuple, forms: Text) -> Any:
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 (raises ValueError on a port that is not a number in 0-65535)
    except ValueError:
        raise StoreURLError(f"{variable} is not a valid URL ({redacted(url)}): check the host and port")
    if parts.scheme not in schemes:
        shown = parts.scheme or "(no scheme)"
        raise StoreURLError(f"{variable}: {shown}:// is not supported here; use {forms}")
    return parts


def _query(parts: Any, variable: Text) -> Dict[Text, Text]:
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = dict(pairs)
    if len(query) != len(pairs):
        raise StoreURLError(f"{variable}: each option may be given once ({redacted(parts.geturl())})")
    return query


def _credentials(parts: Any) -> Dict[Text, Optional[Text]]:
    return {"username": unquote(parts.username) if parts.username else None,
            "password": unquote(parts.password) if parts.password else None}


def tracker_store(url: Optional[Text], variable: Text = "TRACKER_STORE_URL") -> Optional[Dict[Text, Any]]:
    """The keyword arguments of a Rasa EndpointConfig for TRACKER_STORE_URL; None when unset."""
    if not url or not url.strip():
        return None
    if url.strip().startswith("sqlite:"):
        return _sqlite(url.strip(), variable)
    parts = _split(url, variable, POSTGRES_SCHEMES, "postgresql://... or sqlite:///...")
    if not parts.hostname:
        raise StoreURLError(f"{variable} names no host ({redacted(url)}), e.g. postgresql://user@localhost:5432/imago")
    db = unquote(parts.path.lstrip("/"))
    if not DATABASE_NAME.fullmatch(db):
        raise StoreURLError(f"{variable} needs a database name of lower-case letters, digits and underscores "
                            f"after the host, e.g. postgresql://user@localhost:5432/imago, not {db!r}")
    query = _query(parts, variable)
    login_db = query.pop("login_db", None)
    if login_db is not None and not DATABASE_NAME.fullmatch(login_db):
        raise StoreURLError(f"{variable}: login_db must be a database name such as postgres, not {login_db!r}")
    unknown = sorted(set(query) - POSTGRES_OPTIONS)
    if unknown:
        raise StoreURLError(f"{variable}: unknown option(s) {', '.join(unknown)}; "
                            f"allowed: login_db, {', '.join(sorted(POSTGRES_OPTIONS))}")
    config = {"type": TRACKER_STORE_CLASS, "url": parts.hostname, "dialect": "postgresql", "db": db,
              "port": parts.port, **_credentials(parts)}
    if login_db:
        config["login_db"] = login_db
    if query:
        config["query"] = query
    return config


def _sqlite(url: Text, variable: Text) -> Dict[Text, Any]:
    # SQLAlchemy's form: sqlite:///relative.db and sqlite:////absolute.db (no host).
    if not url.startswith("sqlite:///") or "?" in url or "#" in url:
        raise StoreURLError(f"{variable}: a SQLite URL is sqlite:///relative/path.db or "
                            f"sqlite:////absolute/path.db, not {url!r}")
    path = unquote(url[len("sqlite:///"):])
    if not path or path.endswith("/") or path == ":memory:":
        raise StoreURLError(f"{variable}: {url!r} names no database file")
    return {"type": TRACKER_STORE_CLASS, "dialect": "sqlite", "db": path}


def lock_store(url: Optional[Text], variable: Text = "LOCK_STORE_URL") -> Optional[Dict[Text, Any]]:
    """The keyword arguments of a Rasa EndpointConfig for LOCK_STORE_URL; None when unset."""
    if not url or not url.strip():
        return None
    parts = _split(url, variable, REDIS_SCHEMES, "redis://... or rediss://...")
    if not parts.hostname:
        raise StoreURLError(f"{variable} names no host ({redacted(url)}), e.g. redis://localhost:6379/0")
    db = parts.path.strip("/") or "0"
    if not db.isdigit():
        raise StoreURLError(f"{variable}: the Redis database after the host is a number, e.g. /0, not {db!r}")
    query = _query(parts, variable)
    key_prefix = query.pop("key_prefix", None)
    if query:
        raise StoreURLError(f"{variable}: unknown option(s) {', '.join(sorted(query))}; allowed: key_prefix")
    # Rasa ignores a prefix that is not alphanumeric (with a warning): here it stops start-up instead.
    if key_prefix is not None and not (key_prefix.isascii() and key_prefix.isalnum()):
        raise StoreURLError(f"{variable}: key_prefix must be letters and digits only, not {key_prefix!r}")
    config = {"type": LOCK_STORE_CLASS, "url": parts.hostname, "port": parts.port or 6379, "db": int(db),
              "use_ssl": parts.scheme == "rediss", **_credentials(parts)}
    if key_prefix:
        config["key_prefix"] = key_prefix
    return config


def configured_tracker_store(endpoints_file: Text) -> Optional[Any]:
    """The tracker store the server would open, as a Rasa EndpointConfig: TRACKER_STORE_URL's
    when set, else the endpoints file's; None when neither names one (or the file is missing).
    For the tools that open the store outside the server (make purge, make unanswered)."""
    import os

    from rasa.utils.endpoints import EndpointConfig, read_endpoint_config

    from_url = tracker_store(os.environ.get("TRACKER_STORE_URL"))  # StoreURLError on a bad URL
    if from_url:
        return EndpointConfig(**from_url)
    return read_endpoint_config(str(endpoints_file), "tracker_store")
