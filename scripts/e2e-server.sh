#!/usr/bin/env bash
# Started by Playwright (end2end/playwright.config.ts): the debug build of
# bons (the release one with BONS_E2E_BUILD=release, scripts/e2e.sh) on a
# fresh SQLite file with the demo data, on port 3100.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d -t bons-e2e-XXXXXX)
export DATABASE_URL="sqlite://$dir/bons.db?mode=rwc"
export BONS_SECRET_FILE="$dir/secret.key"
export LEPTOS_SITE_ADDR="${E2E_ADDR:-127.0.0.1:3100}"
export LEPTOS_SITE_ROOT=target/site
export RUST_LOG="${RUST_LOG:-warn}"
# Statements emailed during the tests land here, where the tests read them.
export BONS_MAIL_DIR=end2end/mail
rm -rf end2end/mail
bons="target/${BONS_E2E_BUILD:-debug}/bons"
# A spec that asks for it (scripts/e2e.sh) gets the demo's history too; what
# the command prints (a pass to try, with its code) is left for the spec.
if [ "${E2E_DEMO_HISTORY:-}" = 1 ]; then
  "$bons" demo --history >end2end/demo-history.txt
else
  "$bons" demo
fi
exec "$bons" serve
