# The command surface: `make run` and `make test` do all the set-up.
# Targets: install, train, run, run-cluster, test, test-fast, lint, bench, soak, audit, clean. Settings below can be
# overridden from the environment, e.g. `RASA_PORT=5010 make run`.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Rasa 3.6 needs Python 3.10; pyenv's shim may not be active, so also look
# in pyenv's own folder.
PYTHON ?= $(shell for p in python3.10 $$HOME/.pyenv/versions/3.10*/bin/python3.10 /usr/bin/python3.10; do \
	  "$$p" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null && { echo "$$p"; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
SPACY_MODEL := .spacy/en_imago_lookup
MODEL := models/imago.tar.gz

export RASA_HOST ?= 127.0.0.1
export RASA_PORT ?= 5005
export ACTION_PORT ?= 5055
export WEB_PORT ?= 8080
export TRACKER_DB ?= .state/tracker.db
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONPATH := $(CURDIR)

TRAINING_INPUTS := config.yml domain.yml $(shell find data -name '*.yml' 2>/dev/null)

.PHONY: help install widget train run run-cluster nginx test test-fast lint check bench eval-safety clean browser review nlu-report held-out held-out-sets reload unanswered audit purge soak

help:
	@echo "make run    install if needed, train if needed, serve on http://$(RASA_HOST):$(RASA_PORT)"
	@echo "           and the chat widget demo on http://$(RASA_HOST):$(WEB_PORT)"
	@echo "make run-cluster  RASA_REPLICAS (2) replicas behind nginx on RASA_PORT, PostgreSQL and Redis"
	@echo "           (TRACKER_STORE_URL, LOCK_STORE_URL; defaults on localhost); README, Scale-out"
	@echo "make test   install if needed, train if needed, then every test: lint, tests/unit,"
	@echo "           tests/conversations (Rasa's YAML), tests/e2e and tests/browser"
	@echo "make test-fast  install if needed, then tests/unit without the slow ones: no model, no servers (~2 min)"
	@echo "make lint   ruff check . (rules in pyproject.toml; ruff pinned in requirements-dev.lock)"
	@echo "make widget the widget as sites embed it, crisis strip from safety/crisis_lines.yml: .build/web/widget.js"
	@echo "make check  content check for editors: plain-English problems with file:line (seconds)"
	@echo "make review content catalogue for a clinical reviewer: results/review/catalogue.html and .md (seconds)"
	@echo "make nlu-report  cross-validation page for editors: results/nlu-report/report.html and .md (~15 min)"
	@echo "make held-out    the model on the held-out visitor questions: results/held-out/report.md"
	@echo "make unanswered  what visitors asked that the bot couldn't answer (last 30 days): results/unanswered.html and .md"
	@echo "make purge  delete conversations older than TRACKER_RETENTION_DAYS (default 30) now; the server does it daily"
	@echo "make reload train if needed, then load the model into the running server (needs RASA_API_TOKEN)"
	@echo "make bench  the assistant against the stock \`rasa init\` bot (built once into .build/stock-bot), alternating"
	@echo "           in one run: the ratio table, also in results/bench/bench.md (~7 min; BENCH_REQUESTS=540);"
	@echo "           BENCH_URL=http://host:port for a running server, BENCH_TRAIN=1 to time the training too"
	@echo "make soak   load and fault figures: 10,000 messages, kill -9, faults, 30 min of memory (~1 h)"
	@echo "make eval-safety  crisis detection rates on the outside sets in eval/"
	@echo "make audit  the locks against published advisories (pip-audit, npm audit; needs the internet):"
	@echo "           a table, exit 2 when an advisory service can't be reached; reviewed list: docs/security.md"

install: $(VENV)/.installed $(SPACY_MODEL)/meta.json node_modules/.package-lock.json widget

$(VENV)/.installed: requirements.lock requirements-dev.lock
	@test -n "$(PYTHON)" || { echo "Python 3.10 not found: install it or set PYTHON=/path/to/python3.10"; exit 1; }
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-dev.lock
	$(BIN)/python -m pip check
	touch $@

# The widget's socket.io-client and the browser tests' playwright-core (package-lock.json).
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# web/src/widget.js with the crisis strip's numbers inlined from the YAML (no
# hand copy; the strip shows with the server down). The demo server builds it per request.
widget: .build/web/widget.js

.build/web/widget.js: web/src/widget.js safety/crisis_lines.yml scripts/build/build_widget.py $(VENV)/.installed
	$(BIN)/python scripts/build/build_widget.py $@

$(SPACY_MODEL)/meta.json: scripts/build/build_spacy_model.py $(VENV)/.installed
	$(BIN)/python scripts/build/build_spacy_model.py $(SPACY_MODEL)

train: $(MODEL)

# Rasa's own fingerprinting reuses what did not change. Rasa trains on
# .build/data (scripts/build/build_training_data.py): data/ with every article answer
# replaced by one fixed sentence, so an answer edit leaves the training data as
# it was and make train reuses everything (measured 17 s); the server reads the
# answers from data/faq when it loads a model (replies/nlg.py). A rule edit
# retrains in ~15 s; an example edit retrains the whole NLU pipeline (3-5 min).
$(MODEL): $(TRAINING_INPUTS) $(SPACY_MODEL)/meta.json scripts/build/build_training_data.py content/answers.py
	@mkdir -p .build && touch .build/train-started
	$(BIN)/python scripts/build/build_training_data.py data .build/data
	# A fixed hash seed: Rasa's domain fingerprint and label order follow set
	# order, so without it the same data can train a different model; and
	# TensorFlow's deterministic ops, so that the random_seed in config.yml gives
	# one model for one tree (a clean clone's CI tests the model you tested).
	PYTHONHASHSEED=0 TF_DETERMINISTIC_OPS=1 $(BIN)/rasa train --data .build/data --fixed-model-name imago --out models
	# Dated when its data was read, not when training ended: a file edited while
	# it trained is newer than the model, so the next make train sees the edit.
	touch -r .build/train-started $@

run: install train
	scripts/serve/serve.sh

# RASA_REPLICAS (default 2) replicas on RASA_PORT+1... behind nginx on RASA_PORT, one action server and
# the widget demo; shared stores TRACKER_STORE_URL and LOCK_STORE_URL (defaults: PostgreSQL and Redis
# on localhost). scripts/serve/cluster.py; README, Scale-out.
run-cluster: install train nginx
	$(BIN)/python -m scripts.serve.cluster

# Debian's nginx for run-cluster and the scale-out tests, installed with apt when missing.
nginx:
	scripts/serve/install_nginx.sh

# The widget's browser tests need Chromium, the scale-out tests nginx: installed with apt when missing.
# scripts/run_tests.sh: lint, then tests/unit, tests/conversations, tests/e2e and tests/browser.
test: install train browser nginx
	scripts/run_tests.sh

# No training, no servers: the unit tests alone (tests/unit).
test-fast: install
	$(BIN)/python -m pytest tests/unit -m "not slow" -q -p no:cacheprovider

lint: $(VENV)/.installed
	$(BIN)/ruff check .

browser:
	scripts/build/install_browser.sh

# No training: Rasa's own validation, then the content rules (scripts/editors/check_content.py).
check: install
	$(BIN)/python scripts/editors/validate.py
	$(BIN)/python scripts/editors/check_content.py

# No training: every topic's answer as sent, its examples and review record,
# stale reviews flagged (REVIEW_MAX_MONTHS, default 12), and every handoff text.
review: install
	$(BIN)/python scripts/editors/review.py

# Trains 3 models (NLU_FOLDS) on 2/3 of the examples each; the main model is untouched.
# Then the trained model on the held-out visitor questions (tests/nlu/held_out.yml)
# and on the blind set (tests/nlu/held_out_blind.yml, written without seeing data/).
nlu-report: install train
	$(BIN)/python scripts/measure/nlu_report.py
	$(MAKE) --no-print-directory held-out-sets

# The held-out visitor questions alone (seconds once trained): results/held-out/report.md
# and results/held-out-blind/report.md.
held-out: install train
	$(MAKE) --no-print-directory held-out-sets

held-out-sets:
	$(BIN)/python scripts/measure/held_out.py
	$(BIN)/python scripts/measure/held_out.py --questions tests/nlu/held_out_blind.yml --out results/held-out-blind

# No training: the last UNANSWERED_DAYS days (default 30) of the tracker store (TRACKER_STORE_URL, else TRACKER_DB),
# masked and grouped; writes results/unanswered.html and .md only.
unanswered: install
	$(BIN)/python scripts/editors/unanswered.py

# The server deletes old conversations at start-up and daily (privacy/store.py); this does it now.
purge: install
	$(BIN)/python scripts/serve/purge.py

# Trains what changed, then PUT /model on the admin port (127.0.0.1:RASA_ADMIN_PORT, default RASA_PORT + 1000)
# with RASA_API_TOKEN or RASA_API_TOKEN_FILE (README, Admin API).
reload: install
	scripts/serve/reload.sh

# Not a test: it prints figures (scripts/measure/bench.py). The stock bot is trained on first use
# (~3 min) and cached; BENCH_TRAIN=1 trains the project in a temp folder, never into models/.
bench: install train
	$(BIN)/python scripts/measure/bench.py

# Not a test and not part of make test: it prints figures (scripts/measure/soak.py). Smaller runs:
# SOAK_MESSAGES=300 SOAK_VISITORS=10 SOAK_MINUTES=1 make soak. Root mounts a tmpfs for the full disk.
soak: install train
	$(BIN)/python scripts/measure/soak.py

eval-safety: install train
	$(BIN)/python scripts/measure/eval_safety.py

# Needs the internet, so not part of make test. pip-audit goes into its own venv
# (.build/audit-venv, scripts/measure/audit-tools.lock), never into .venv or the locks.
audit:
	PYTHON="$(or $(PYTHON),python3)" scripts/measure/audit.sh

clean:
	rm -rf $(VENV) .spacy models .rasa .state results .pytest_cache node_modules .build
