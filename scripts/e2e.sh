#!/usr/bin/env bash
# Browser tests: build the site (debug), then let Playwright start the server
# and drive Debian's Chromium at a phone's size.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/end2end/node_modules/.bin:$PATH"
cargo leptos build
cd end2end
npx playwright test "$@"
