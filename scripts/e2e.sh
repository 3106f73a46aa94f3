#!/usr/bin/env bash
# Browser tests: build the site (debug), then let Playwright start the server
# and drive Debian's Chromium at a phone's size. With BONS_E2E_BUILD=release
# (`make e2e-release`, what `make test` runs), the release build `make
# release` left in target/ is tested as it is, nothing built here.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/end2end/node_modules/.bin:$PATH"
export BONS_E2E_BUILD="${BONS_E2E_BUILD:-debug}"
case "$BONS_E2E_BUILD" in
  debug)
    # Split as the release is (Makefile): the supplier's and the agency's
    # pages load their WASM chunk in the browser, as they do in production.
    cargo leptos build --split
    ;;
  release)
    if [ ! -x target/release/bons ] || [ ! -d target/site/pkg ]; then
      echo "No release build in target/: run make release first (or make e2e for the debug build)." >&2
      exit 1
    fi
    ;;
  *)
    echo "BONS_E2E_BUILD is debug or release, not « $BONS_E2E_BUILD »." >&2
    exit 1
    ;;
esac
cd end2end
# Each spec gets a server of its own on a fresh database (Playwright starts
# one per run): no spec depends on what another left behind. A spec whose
# first line is `// e2e: demo --history` gets the demo's history loaded.
run() {
  if [ -f "$1" ] && head -n 1 "$1" | grep -q '^// e2e: demo --history'; then
    E2E_DEMO_HISTORY=1 npx playwright test "$@"
  else
    npx playwright test "$@"
  fi
}
if [ "$#" -gt 0 ]; then
  run "$@"
else
  for spec in tests/*.spec.ts; do
    run "$spec"
  done
fi
