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
# Rasa's wheel reports errors and usage to Rasa's own Sentry and Segment unless
# this is off; conversations are health data, so it is off however this is started.
export RASA_TELEMETRY_ENABLED=false

pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT INT TERM

# The action server listens on localhost only: only Rasa talks to it.
SANIC_HOST=127.0.0.1 "$BIN/rasa" run actions --actions actions --port "$ACTION_PORT" &
pids+=($!)
# Rasa's own `rasa run`, with its HTTP API off the public port: only with
# RASA_API_TOKEN (or RASA_API_TOKEN_FILE), read from the environment, and then
# on 127.0.0.1:RASA_ADMIN_PORT (scripts/serve/rasa_server.py, admin_api.py).
"$BIN/python" -m scripts.serve.rasa_server run --model models/imago.tar.gz --interface "$RASA_HOST" \
  --port "$RASA_PORT" --credentials credentials.yml --endpoints endpoints.yml &
pids+=($!)
"$BIN/python" scripts/serve/serve_web.py --host "$RASA_HOST" --port "$WEB_PORT" \
  --rasa-url "http://$RASA_HOST:$RASA_PORT" >/dev/null &
pids+=($!)

base="http://$RASA_HOST:$RASA_PORT"
admin="off (no RASA_API_TOKEN)"
if [[ -n "${RASA_API_TOKEN:-}${RASA_API_TOKEN_FILE:-}" ]]; then
  admin="http://127.0.0.1:${RASA_ADMIN_PORT:-$((RASA_PORT + 1000))}  (make reload)"
fi
for _ in $(seq 1 180); do
  if curl -fs "$base/webhooks/rest/" >/dev/null 2>&1; then
    cat <<MSG

  The Imago assistant is up.
    REST:      curl -s -XPOST $base/webhooks/rest/webhook -H 'Content-Type: application/json' \\
                 -d '{"sender": "me", "message": "what is imago therapy?"}'
    Socket.IO: $base/socket.io  (events user_uttered / bot_uttered)
    Widget:    http://$RASA_HOST:$WEB_PORT/  (demo page with the chat widget)
    Admin API: $admin
  Press Ctrl-C to stop.

MSG
    break
  fi
  sleep 1
done
wait -n "${pids[@]}"
