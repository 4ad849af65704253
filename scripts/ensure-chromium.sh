#!/bin/sh
# Installs Debian's chromium for the browser tests. Never downloads a browser build of its own.
# Without root (a developer laptop) it only says how to get it; the browser tests then skip,
# except in CI (CI=true), where they must run and fail loudly if chromium is missing.
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi nanum; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium and a Korean font for the browser tests (apt-get install -y chromium fonts-nanum)…"
  (apt-get install -y -qq chromium fonts-nanum >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium fonts-nanum >/dev/null)) \
    || echo "warning: could not install chromium; browser tests will fail in CI and skip elsewhere"
else
  echo "note: /usr/bin/chromium not found; run 'sudo apt-get install -y chromium' to enable the browser tests"
fi
exit 0
