#!/usr/bin/env bash
# Install Debian's Chromium and ChromeDriver for the browser tests, if they are missing.
# (A test tool's own browser download cannot work without internet access; the distribution
# packages can.)
set -u
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  echo "Chromium: $(/usr/bin/chromium --version 2>/dev/null | head -n1)"
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing chromium and chromium-driver"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
else
  echo "Chromium is missing: install Debian's chromium and chromium-driver packages (as root)" >&2
fi
exit 0
