#!/usr/bin/env bash
# Debian's nginx for `make run-cluster` and the scale-out tests (tests/e2e/test_scale_out.py).
# Installs only when `nginx` is missing; needs root (or sudo). The cluster runs its own nginx in
# the foreground with a config under .state/ (scripts/serve/cluster.py), never the system service,
# so the package's service is kept from starting here (policy-rc.d exit 101, for this install only).
set -euo pipefail
if command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]]; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
POLICY=/usr/sbin/policy-rc.d
added_policy=""
if [[ ! -e "$POLICY" ]]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
  $SUDO chmod 755 "$POLICY"
  added_policy=1
fi
cleanup() { if [[ -n "$added_policy" ]]; then $SUDO rm -f "$POLICY"; fi; }
trap cleanup EXIT
$SUDO apt-get update -qq || true  # a stale list may still hold nginx
$SUDO apt-get install -y -qq --no-install-recommends nginx
/usr/sbin/nginx -v
