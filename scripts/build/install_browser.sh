#!/usr/bin/env bash
# Debian's Chromium for the widget's browser tests (Playwright cannot download
# browsers here). Installs only when /usr/bin/chromium is missing; needs root.
set -euo pipefail
CHROMIUM=/usr/bin/chromium
if [[ -x "$CHROMIUM" ]]; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
$SUDO apt-get update -qq || true  # a stale list may still hold chromium
$SUDO apt-get install -y -qq --no-install-recommends chromium
"$CHROMIUM" --version
