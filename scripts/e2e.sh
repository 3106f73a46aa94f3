#!/usr/bin/env bash
# Browser tests: build the site (debug), then let Playwright start the server
# and drive Debian's Chromium at a phone's size.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/end2end/node_modules/.bin:$PATH"
# Split as the release is (Makefile): the supplier's and the agency's pages
# load their WASM chunk in the browser, as they do in production.
cargo leptos build --split
cd end2end
# Each spec gets a server of its own on a fresh database (Playwright starts
# one per run): no spec depends on what another left behind.
if [ "$#" -gt 0 ]; then
  npx playwright test "$@"
else
  for spec in tests/*.spec.ts; do
    npx playwright test "$spec"
  done
fi
