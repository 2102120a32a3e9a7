"""A short wait for the action server (ACTION_TIMEOUT seconds, default 5).

Rasa 3.6 calls the action server with a fixed 300 s timeout (the
module-level DEFAULT_REQUEST_TIMEOUT that RemoteAction.run passes to each
request) and endpoints.yml has no setting for it. A hung action server
then holds the conversation's lock for five minutes, so the visitor's next
messages wait too. Rebinding that one name in rasa.core.actions.action
shortens only the custom-action call (the NLG and model-server calls keep
their own); a timed-out action fails like an unreachable action server:
Rasa logs it and the turn goes on. Handoffs never call the action server.
Applied by scripts/serve/rasa_server.py before the server starts.
"""
import os

import rasa.core.actions.action

DEFAULT_SECONDS = 5.0


def seconds() -> float:
    """ACTION_TIMEOUT in seconds (a positive number), else DEFAULT_SECONDS."""
    value = os.environ.get("ACTION_TIMEOUT", "").strip()
    if not value:
        return DEFAULT_SECONDS
    try:
        timeout = float(value)
    except ValueError:
        raise SystemExit(f"ACTION_TIMEOUT must be a number of seconds, not {value!r}")
    if timeout <= 0:
        raise SystemExit("ACTION_TIMEOUT must be more than 0 seconds")
    return timeout


def apply() -> float:
    timeout = seconds()
    rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT = timeout
    return timeout
