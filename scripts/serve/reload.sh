#!/usr/bin/env bash
# `make reload`: train if anything changed, then put the new model into the
# running server without a restart (Rasa's PUT /model). The server must have
# been started with an API token (RASA_API_TOKEN or RASA_API_TOKEN_FILE): its
# API is then on 127.0.0.1:RASA_ADMIN_PORT only (scripts/serve/admin_api.py).
# On loading a model the server also reads the article answers from data/faq/
# (replies/nlg.py), so an answer edit needs no real training: about 25 seconds in all.
# With RASA_REPLICAS (make run-cluster), every replica is reloaded, one after
# the other: replica i listens on RASA_PORT + i and its admin API on that + 1000.
# Usage: scripts/serve/reload.sh [--no-train]
#   (RASA_PORT, RASA_ADMIN_PORT or RASA_REPLICAS, RASA_API_TOKEN or RASA_API_TOKEN_FILE from the environment;
#    RASA_ADMIN_PORTS="6006 6007" names the admin ports outright)
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=.venv/bin
export PYTHONPATH="$PWD"
RASA_PORT="${RASA_PORT:-5005}"
if [[ -n "${RASA_ADMIN_PORTS:-}" ]]; then
  read -r -a PORTS <<< "$RASA_ADMIN_PORTS"
elif [[ -n "${RASA_REPLICAS:-}" ]]; then
  [[ "$RASA_REPLICAS" =~ ^[0-9]+$ ]] && (( RASA_REPLICAS >= 1 )) ||
    { echo "make reload: RASA_REPLICAS must be a whole number from 1, not '$RASA_REPLICAS'" >&2; exit 1; }
  PORTS=()
  for (( i = 1; i <= RASA_REPLICAS; i++ )); do PORTS+=($(( RASA_PORT + i + 1000 ))); done
else
  PORTS=("${RASA_ADMIN_PORT:-$(( RASA_PORT + 1000 ))}")
fi
for port in "${PORTS[@]}"; do
  [[ "$port" =~ ^[0-9]+$ ]] || { echo "make reload: '$port' is not a port number" >&2; exit 1; }
done
MODEL_FILE="$PWD/models/imago.tar.gz"
train=1
[[ "${1:-}" == "--no-train" ]] && train=0

fail() { echo "make reload: $*" >&2; exit 1; }

# The token as the server reads it (the same checks), quoted for a curl config line.
header=$("$BIN/python" -c '
import sys
from scripts.serve.admin_api import TokenError, api_token
try:
    token = api_token()
except TokenError as e:
    sys.exit(f"make reload: {e}")
if not token:
    sys.exit("make reload: RASA_API_TOKEN is not set (nor RASA_API_TOKEN_FILE). The server'"'"'s model API only exists when it was\n"
             "  started with a token: RASA_API_TOKEN=<secret> make run, then RASA_API_TOKEN=<same secret> make reload.")
print("header = \"Authorization: Bearer " + token.replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
') || exit 1
body=$(mktemp)
trap 'rm -f "$body"' EXIT
api() {  # api METHOD PATH [curl options...]: prints the HTTP status, the reply goes to $body
  local method=$1 path=$2
  shift 2
  # The token goes to curl on stdin (a config line), never on the command line or
  # in the URL, so other users cannot read it in the process list or a log.
  printf 'url = "%s%s"\n%s\n' "$BASE" "$path" "$header" |
    curl -sS -K - -X "$method" -o "$body" -w '%{http_code}' "$@"
}
model_id() { "$BIN/python" -c 'import json, sys; print(json.load(open(sys.argv[1])).get("model_id"))' "$body"; }

# 1. Is every server there, with its API on and this token? Checked before a long training.
# Without a token the server opens no admin port at all, so both look the same here.
declare -A before
for port in "${PORTS[@]}"; do
  BASE="http://127.0.0.1:$port"
  status=$(api GET /status --max-time 10 2>/dev/null) || fail "no Rasa admin API is answering on $BASE: the server
  is not running, or it was started without RASA_API_TOKEN (its admin port exists only with a token).
  Start it with RASA_API_TOKEN=<secret> make run, or set RASA_PORT (or RASA_ADMIN_PORT) to its port;
  for make run-cluster, set RASA_REPLICAS (and RASA_PORT) as you started it."
  case "$status" in
    200) before[$port]=$(model_id) ;;
    400|401|403) fail "the server on $BASE refused the token: it was started with a different RASA_API_TOKEN." ;;
    *) fail "the server on $BASE answered $status to GET /status: $(head -c 300 "$body")" ;;
  esac
done

# 2. Train only what changed (Rasa's fingerprinting reuses the rest).
if (( train )); then
  "${MAKE:-make}" --no-print-directory train
fi
[[ -f "$MODEL_FILE" ]] || fail "no trained model at $MODEL_FILE: run make train."

# 3. Swap it in, one server at a time (the others keep answering with the old
# model meanwhile). Each server reads the file itself (it runs on this machine).
payload=$("$BIN/python" -c 'import json, sys; print(json.dumps({"model_file": sys.argv[1]}))' "$MODEL_FILE")
for port in "${PORTS[@]}"; do
  BASE="http://127.0.0.1:$port"
  echo "loading $MODEL_FILE into the server on $BASE ..."
  status=$(api PUT /model --max-time 600 -H 'Content-Type: application/json' -d "$payload") ||
    fail "the server on $BASE stopped answering while loading the model; check its log."
  [[ "$status" == 204 ]] || fail "the server on $BASE did not load the model (HTTP $status): $(head -c 500 "$body")"

  status=$(api GET /status --max-time 10) || fail "the server on $BASE stopped answering after the reload."
  after=$(model_id)
  if [[ "$after" == "${before[$port]}" ]]; then
    echo "reloaded: the server on $BASE runs model $after (the same model as before), with the answers now in data/faq."
  else
    echo "reloaded: the server on $BASE now runs model $after (was ${before[$port]}), with the answers now in data/faq."
  fi
done
