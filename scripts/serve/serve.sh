#!/usr/bin/env bash
# Start the action server and the Rasa server in the foreground; Ctrl-C stops both.
# Called by `make run`, which sets RASA_HOST, RASA_PORT, ACTION_PORT and TRACKER_DB.
# Also serves the chat widget's demo page (web/) on WEB_PORT (8080).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=.venv/bin
# The project's packages (scripts, tooling, safety, ...) import from the root, as under make.
export PYTHONPATH="$PWD"
# Conversations are health information: every file the servers create is owner-only
# (the tracker database 0600 in a folder 0700; privacy/store.py also sees to it).
umask 077
mkdir -p "$(dirname "$TRACKER_DB")"
# Read by the Rasa server too: the demo page's origin may use Socket.IO (channels/socketio.py).
export WEB_PORT="${WEB_PORT:-8080}"

api_args=()
if [[ -n "${RASA_API_TOKEN:-}" ]]; then
  # The HTTP API (trackers, model replacement) only with a token.
  api_args=(--enable-api --auth-token "$RASA_API_TOKEN")
fi

pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT INT TERM

# The action server listens on localhost only: only Rasa talks to it.
SANIC_HOST=127.0.0.1 "$BIN/rasa" run actions --actions actions --port "$ACTION_PORT" &
pids+=($!)
"$BIN/rasa" run --model models/imago.tar.gz --interface "$RASA_HOST" --port "$RASA_PORT" \
  --credentials credentials.yml --endpoints endpoints.yml "${api_args[@]}" &
pids+=($!)
"$BIN/python" scripts/serve/serve_web.py --host "$RASA_HOST" --port "$WEB_PORT" \
  --rasa-url "http://$RASA_HOST:$RASA_PORT" >/dev/null &
pids+=($!)

base="http://$RASA_HOST:$RASA_PORT"
for _ in $(seq 1 180); do
  if curl -fs "$base/webhooks/rest/" >/dev/null 2>&1; then
    cat <<MSG

  The Imago assistant is up.
    REST:      curl -s -XPOST $base/webhooks/rest/webhook -H 'Content-Type: application/json' \\
                 -d '{"sender": "me", "message": "what is imago therapy?"}'
    Socket.IO: $base/socket.io  (events user_uttered / bot_uttered)
    Widget:    http://$RASA_HOST:$WEB_PORT/  (demo page with the chat widget)
  Press Ctrl-C to stop.

MSG
    break
  fi
  sleep 1
done
wait -n "${pids[@]}"
