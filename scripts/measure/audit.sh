#!/usr/bin/env bash
# `make audit`: the pinned packages against published advisories, as one table.
# pip-audit reads requirements.lock and requirements-dev.lock as they are
# (--no-deps --disable-pip: it audits the pins, installs nothing from them);
# npm audit reads package-lock.json (--package-lock-only). pip-audit lives in
# its own venv (AUDIT_VENV, default .build/audit-venv) from
# scripts/measure/audit-tools.lock, never in .venv: adding it to the project's
# locks would rebuild every install. scripts/measure/audit_table.py prints the
# table and decides: 0 all reviewed, 1 an advisory not yet in docs/security.md,
# 2 incomplete (an advisory service could not be reached: never a false pass).
# Needs the internet; not part of `make test`.
# Settings: AUDIT_VENV, AUDIT_SERVICE (pypi or osv, default pypi), PYTHON.
set -uo pipefail
cd "$(dirname "$0")/../.."
VENV="${AUDIT_VENV:-.build/audit-venv}"
LOCK=scripts/measure/audit-tools.lock
PY="${PYTHON:-python3}"

# (Re)build the audit venv when it is missing or its lock changed.
if ! cmp -s "$LOCK" "$VENV/.lock" 2>/dev/null; then
    rm -rf "$VENV"
    if ! { "$PY" -m venv "$VENV" &&
           "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r "$LOCK"; }; then
        echo "make audit: could not install pip-audit into $VENV (see above). The audit did not run." >&2
        exit 2
    fi
    cp "$LOCK" "$VENV/.lock"
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

echo "pip-audit: requirements.lock, requirements-dev.lock ..."
"$VENV/bin/pip-audit" -r requirements.lock -r requirements-dev.lock --no-deps --disable-pip \
    --vulnerability-service "${AUDIT_SERVICE:-pypi}" --progress-spinner off \
    --aliases on --desc off --format json --output "$out/pip.json" 2>"$out/pip.err"
echo "npm audit: package-lock.json ..."
npm audit --package-lock-only --json >"$out/npm.json" 2>"$out/npm.err"
echo

"$VENV/bin/python" scripts/measure/audit_table.py \
    --pip "$out/pip.json" --pip-stderr "$out/pip.err" --npm "$out/npm.json"
