#!/usr/bin/env bash
# Every test, in the order that fails fastest. Called by `make test`, after
# `make install train`, so one trained model (models/imago.tar.gz) serves all.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
# The project's packages (scripts, tooling, safety, ...) import from the root, as under make.
export PYTHONPATH="$PWD"

echo "== 1/3 rasa data validate (warnings fail) and the content check"
"$BIN/python" scripts/editors/validate.py
"$BIN/python" scripts/editors/check_content.py

echo "== 2/3 conversation tests, end to end through NLU (tests/test_*.yml)"
rm -rf results/conversations
"$BIN/rasa" test core --e2e --model models/imago.tar.gz --stories tests/ \
  --endpoints endpoints.yml --out results/conversations --fail-on-prediction-errors \
  --no-plot

echo "== 3/3 pytest: actions, channels, safety config, eval overlap, end to end"
"$BIN/python" -m pytest tests -q -p no:cacheprovider
