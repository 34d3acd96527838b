#!/usr/bin/env bash
# Make sure the system libraries WeasyPrint and the tests need are present.
# Installs them with apt-get when we can (root on Debian/Ubuntu); otherwise prints the command.
# Waits up to 5 minutes for another package manager run to finish; shows apt's own output if it fails.
set -euo pipefail

have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }

missing=()
have_lib 'libpango-1.0.so' || missing+=(libpango-1.0-0)
have_lib 'libpangoft2-1.0.so' || missing+=(libpangoft2-1.0-0)
have_lib 'libharfbuzz-subset.so' || missing+=(libharfbuzz-subset0)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
# The browser that checks `guide html` shows its fonts and images (tests/test_html_site.py): installed
# when we can; without it those tests are skipped, saying why.
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 \
  && command -v apt-get >/dev/null 2>&1 && [[ $(id -u) == 0 ]]; then
  missing+=(chromium)
fi

((${#missing[@]})) || exit 0

command="apt-get install -y --no-install-recommends ${missing[*]}"
if ! command -v apt-get >/dev/null 2>&1 || [[ $(id -u) != 0 ]]; then
  echo "guide needs system packages that are missing: ${missing[*]}" >&2
  echo "install them with:  sudo $command" >&2
  exit 1
fi

echo "installing system packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# DPkg::Lock::Timeout (apt >= 1.9.11) waits for a running apt or unattended-upgrades instead of failing.
apt=(apt-get -y -q -o DPkg::Lock::Timeout=300)
run() { "$@" >>"$log" 2>&1; }
if run "${apt[@]}" install --no-install-recommends "${missing[@]}" \
  || { run "${apt[@]}" update && run "${apt[@]}" install --no-install-recommends "${missing[@]}"; }; then
  exit 0
fi
echo "installing ${missing[*]} failed; apt-get said:" >&2
cat "$log" >&2
exit 1
