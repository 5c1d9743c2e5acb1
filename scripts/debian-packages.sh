#!/usr/bin/env bash
# The system packages the tests use, from Debian's archive, installed when missing (as root):
# a Java runtime (the Spark engine's tests), PostgreSQL (the operational database is tested on
# it), Pango and HarfBuzz-subset (WeasyPrint's PDF), poppler-utils (the report tests render PDF
# pages to PNG to look at them) and Chromium (the web app's browser tests drive it with
# Playwright). Not root, or no apt-get: say what is missing; those tests skip (CI fails them).
set -uo pipefail
need=()
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || need+=(postgresql)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || need+=(libharfbuzz-subset0)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "missing Debian packages (install them as root for the full test run): ${need[*]}"
fi
exit 0
