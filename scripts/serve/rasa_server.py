"""`rasa run` with its HTTP API on a separate, local-only listener.

    python -m scripts.serve.rasa_server run --model models/imago.tar.gz --port 5005 ...

Takes `rasa run`'s own arguments and runs Rasa's own command, so credentials,
endpoints, the model, CORS and logging behave as under `rasa run`. Two
changes, both made before the server starts:
  - the app Rasa builds is passed to scripts/serve/admin_api.py: the public
    port serves only the webhooks, Socket.IO and health, and with a token
    (RASA_API_TOKEN or RASA_API_TOKEN_FILE) the API is on 127.0.0.1:RASA_ADMIN_PORT;
  - the action-server call times out after ACTION_TIMEOUT seconds
    (scripts/serve/action_timeout.py).
The API switches (--enable-api, --auth-token, --jwt-*) are refused here:
the token must never be on a command line, and admin_api.py is the one check.
"""
import logging
import os
import sys
from typing import Any, List

import rasa.core.run
from rasa.__main__ import main as rasa_main

from scripts.serve import action_timeout, admin_api

logger = logging.getLogger(__name__)

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
