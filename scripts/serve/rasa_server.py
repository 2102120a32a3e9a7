"""`rasa run` with its HTTP API on a separate, local-only listener.

    python -m scripts.serve.rasa_server run --model models/imago.tar.gz --port 5005 ...

Takes `rasa run`'s own arguments and runs Rasa's own command, so credentials,
endpoints, the model, CORS and logging behave as under `rasa run`. These
changes, all made before the server starts:
  - the app Rasa builds is passed to scripts/serve/admin_api.py: the public
    port serves only the webhooks, Socket.IO and health, and with a token
    (RASA_API_TOKEN or RASA_API_TOKEN_FILE) the API is on 127.0.0.1:RASA_ADMIN_PORT;
  - the action-server call times out after ACTION_TIMEOUT seconds
    (scripts/serve/action_timeout.py);
  - Rasa's event-type lookup, which every stored event read back goes
    through, remembers what it found (scripts/serve/event_types.py);
  - the tracker and lock stores come from TRACKER_STORE_URL and LOCK_STORE_URL
    when set (scripts/serve/stores.py): the endpoints Rasa reads from
    endpoints.yml are replaced in this process's memory, so a password in a
    URL is never written to a file nor put on a command line;
  - RASA_WORKERS (default 1) Sanic workers, more than one only with
    LOCK_STORE_URL (Rasa's in-memory lock is per process) and without the
    admin API (PUT /model would reach one worker only).
The API switches (--enable-api, --auth-token, --jwt-*) are refused here:
the token must never be on a command line, and admin_api.py is the one check.
"""
import logging
import os
import sys
from typing import Any, Dict, List, Optional

import rasa.core.run
from rasa.__main__ import main as rasa_main
from rasa.core.utils import AvailableEndpoints
from rasa.utils.endpoints import EndpointConfig

from scripts.serve import action_timeout, admin_api, event_types, stores

logger = logging.getLogger(__name__)

MAX_WORKERS = 32
REFUSED_FLAGS = ("--enable-api", "--auth-token", "--jwt-secret", "--jwt-method", "--jwt-private-key")


def check_arguments(args: List[str]) -> None:
    if args[:1] != ["run"] or args[1:2] == ["actions"]:
        raise SystemExit("usage: python -m scripts.serve.rasa_server run [rasa run's options]")
    for arg in args:
        if arg.split("=", 1)[0] in REFUSED_FLAGS:
            raise SystemExit(
                f"{arg.split('=', 1)[0]} is not accepted: the API is on its own listener when "
                "RASA_API_TOKEN or RASA_API_TOKEN_FILE is set (README, Admin API)"
            )


def read_workers(value: str, lock_store: bool, token: bool) -> int:
    """RASA_WORKERS as a number of Sanic workers; SystemExit with the reason when it can't be."""
    value = value.strip() or "1"
    if not value.isdigit() or not 1 <= int(value) <= MAX_WORKERS:
        raise SystemExit(f"RASA_WORKERS must be a whole number from 1 to {MAX_WORKERS}, not {value!r}")
    workers = int(value)
    if workers > 1 and not lock_store:
        raise SystemExit(f"RASA_WORKERS={workers} needs LOCK_STORE_URL (e.g. redis://localhost:6379/0): "
                         "the in-memory lock store holds a conversation's lock in one process only")
    if workers > 1 and token:
        raise SystemExit(f"RASA_WORKERS={workers} with the admin API: PUT /model would load the model into "
                         "one worker only; use RASA_WORKERS=1 (or replicas, make run-cluster) with RASA_API_TOKEN")
    return workers


def use_stores(tracker: Optional[Dict[str, Any]], lock: Optional[Dict[str, Any]]) -> None:
    """Every endpoints file Rasa reads in this process gets these stores (None: the file's own)."""
    read = AvailableEndpoints.read_endpoints.__func__

    def read_endpoints(cls: Any, path: Any) -> AvailableEndpoints:
        endpoints = read(cls, path)
        if tracker:
            endpoints.tracker_store = EndpointConfig(**tracker)
        if lock:
            endpoints.lock_store = EndpointConfig(**lock)
        return endpoints

    AvailableEndpoints.read_endpoints = classmethod(read_endpoints)


def describe(variable: str, default: str) -> str:
    url = os.environ.get(variable, "").strip()
    return f"{stores.redacted(url)} ({variable})" if url else default


def main() -> None:
    args = sys.argv[1:]
    check_arguments(args)
    try:
        token = admin_api.api_token()
    except admin_api.TokenError as e:
        raise SystemExit(f"admin API: {e}")
    # Read once; the variable is not needed again in this process.
    os.environ.pop("RASA_API_TOKEN", None)
    action_timeout.apply()
    event_types.apply()
    try:
        tracker = stores.tracker_store(os.environ.get("TRACKER_STORE_URL"))
        lock = stores.lock_store(os.environ.get("LOCK_STORE_URL"))
    except stores.StoreURLError as e:
        raise SystemExit(str(e))
    workers = read_workers(os.environ.get("RASA_WORKERS", ""), lock is not None, token is not None)
    # Rasa reads SANIC_WORKERS (rasa.core.utils.number_of_sanic_workers); RASA_WORKERS decides.
    os.environ["SANIC_WORKERS"] = str(workers)
    print(f"Tracker store: {describe('TRACKER_STORE_URL', 'SQLite file ' + os.environ.get('TRACKER_DB', '?'))}; "
          f"lock store: {describe('LOCK_STORE_URL', 'in memory')}; Sanic workers: {workers}", file=sys.stderr)
    if workers > 1:
        # engine.io keeps its sessions in the process that made them, and the
        # widget's long-polling requests may reach another worker.
        print("Warning: with RASA_WORKERS > 1, the widget's Socket.IO may fail (engine.io keeps a session "
              "in one worker) and the rate limits count per worker; replicas behind a sticky balancer have "
              "neither problem (make run-cluster; README, Stores, workers and scale-out)", file=sys.stderr)
    for variable in ("TRACKER_STORE_URL", "LOCK_STORE_URL"):
        os.environ.pop(variable, None)  # read; the children need not see the passwords
    use_stores(tracker, lock)

    build_app = rasa.core.run.configure_app

    def configure_app(*a: Any, **kw: Any) -> Any:
        # serve_application builds the app here and runs it next: the one
        # point where every route exists and nothing listens yet.
        app = build_app(*a, **kw)
        admin_api.install(app, kw["port"], token)
        return app

    rasa.core.run.configure_app = configure_app
    # Rasa's API routes exist only with a token (and then the admin listener guards them).
    sys.argv = ["rasa", *args, *(["--enable-api"] if token else [])]
    rasa_main()


if __name__ == "__main__":
    main()
