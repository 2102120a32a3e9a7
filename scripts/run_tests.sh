#!/usr/bin/env bash
# Every test, in the order that fails fastest. Called by `make test`, after
# `make install train`, so one trained model (models/imago.tar.gz) serves all.
# Each test runs once: tests/unit, then tests/conversations, then tests/e2e and tests/browser.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
# The project's packages (scripts, tooling, safety, ...) import from the root, as under make.
export PYTHONPATH="$PWD"

echo "== 1/5 lint: ruff check . (rules in pyproject.toml)"
"$BIN/ruff" check .

echo "== 2/5 rasa data validate (warnings fail) and the content check"
"$BIN/python" scripts/editors/validate.py
"$BIN/python" scripts/editors/check_content.py

echo "== 3/5 unit tests, no model and no servers (tests/unit; make test-fast runs these alone)"
"$BIN/python" -m pytest tests/unit -q -p no:cacheprovider

echo "== 4/5 conversation tests, end to end through NLU (tests/conversations/test_*.yml)"
rm -rf results/conversations
"$BIN/rasa" test core --e2e --model models/imago.tar.gz --stories tests/conversations/ \
  --endpoints endpoints.yml --out results/conversations --fail-on-prediction-errors \
  --no-plot

echo "== 5/5 end-to-end tests against the trained model and the real servers (tests/e2e, tests/browser)"
"$BIN/python" -m pytest tests/e2e tests/browser -q -p no:cacheprovider
