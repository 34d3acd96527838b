#!/usr/bin/env bash
# Make sure the system libraries WeasyPrint and the tests need are present.
# Installs them with apt-get when we can (root on Debian/Ubuntu); otherwise prints the command.
set -euo pipefail

have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }

missing=()
have_lib 'libpango-1.0.so' || missing+=(libpango-1.0-0)
have_lib 'libpangoft2-1.0.so' || missing+=(libpangoft2-1.0-0)
have_lib 'libharfbuzz-subset.so' || missing+=(libharfbuzz-subset0)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)

((${#missing[@]})) || exit 0

command="apt-get install -y --no-install-recommends ${missing[*]}"
if command -v apt-get >/dev/null 2>&1 && [[ $(id -u) == 0 ]]; then
  echo "installing system packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
  exit 0
fi
echo "guide needs system packages that are missing: ${missing[*]}" >&2
echo "install them with:  sudo $command" >&2
exit 1
