"""Delete the conversations older than TRACKER_RETENTION_DAYS (default 30) now: `make purge`.

The running server does the same at start-up and then daily (privacy/store.py);
this is for doing it by hand, e.g. after lowering the setting. It opens the
tracker store the server would (TRACKER_STORE_URL when set, scripts/serve/stores.py;
else endpoints.yml's, TRACKER_DB for SQLite) and prints how many conversations and
events it deleted.
"""
import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", default=str(ROOT / "endpoints.yml"))
    args = parser.parse_args(argv)

    from rasa.core.tracker_store import TrackerStore

    from privacy.store import read_retention_days, sqlite_path
    from scripts.serve import stores

    try:
        days = read_retention_days()
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    try:
        config = stores.configured_tracker_store(args.endpoints)
    except stores.StoreURLError as error:
        print(error, file=sys.stderr)
        return 2
    if config is None:
        print(f"{args.endpoints} configures no tracker store: nothing is kept, nothing to delete")
        return 0
    kwargs = config.kwargs
    path = sqlite_path(kwargs.get("dialect", "sqlite"), kwargs.get("db"))
    if path is not None and not path.exists():
        print(f"No conversation store at {path} (TRACKER_DB): nothing to delete")
        return 0
    store = TrackerStore.create(config)  # no event loop here: no daily task either
    if not hasattr(store, "purge"):
        print(f"The tracker store in {args.endpoints} ({config.type}) has no retention: "
              "use type: privacy.store.RetainingSQLTrackerStore", file=sys.stderr)
        return 2
    done = store.purge()
    before = datetime.fromtimestamp(done.cutoff, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"Deleted {done.conversations} conversations ({done.events} events) "
          f"last active before {before} ({days:g} days, TRACKER_RETENTION_DAYS)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
